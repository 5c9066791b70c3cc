r"""The fast LSTM's two loops in C++: where the time goes once no Python runs per step.

:class:`CppLSTM` is :class:`lstm_utils.fast_lstm.CompiledLSTM` with the loop of
:func:`~lstm_utils.fast_lstm.recurrence_forward` and the loop of
:func:`~lstm_utils.lstm_backward.sequence_backward` written in C++ (:data:`SOURCE`), built on first
use with ``torch.utils.cpp_extension.load_inline`` (a C++ compiler and ``ninja`` are needed; the build
time is ``compile_seconds``). Everything else is shared: the projection :math:`XW^\top + b` before the
loop and the weight gradients after it are the same PyTorch code, the symbols the same. Each step is
one ``addmm`` (:math:`a_t = A_t + h_{t-1} U^\top`, written in place into the projection) and one pass
over the batch that applies the gate nonlinearities and the cell update, element by element.
"""

from __future__ import annotations

import functools
import logging
import time

from lstm_utils.fast_lstm import CompiledLSTM, direction_backward, direction_forward

SOURCE = r"""
#include <torch/extension.h>
#include <cmath>
#include <vector>

template <typename T> inline T sigmoid(T x) {
  return T(1) / (T(1) + std::exp(-x));
}

// out (rows, n) += a (rows, k) @ b (k, n), row-major, for matrices so
// small that the call into the BLAS library costs more than the
// arithmetic; larger ones go to at::addmm_out / at::mm_out.
constexpr int64_t SMALL = 1 << 17;  // rows * k * n, multiply-adds

template <typename T>
void small_matmul_add(const T* a, const T* b, T* out, int64_t rows,
                      int64_t k, int64_t n) {
  for (int64_t r = 0; r < rows; ++r, a += k, out += n)
    for (int64_t p = 0; p < k; ++p) {
      const T a_rp = a[p];
      const T* b_row = b + p * n;
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) out[j] += a_rp * b_row[j];
    }
}

// out (rows, n) = a (rows, k) @ b_t (n, k)^T, one dot product per
// entry: the same, for a short n.
template <typename T>
void small_matmul_t(const T* a, const T* b_t, T* out, int64_t rows,
                    int64_t k, int64_t n) {
  for (int64_t r = 0; r < rows; ++r, a += k, out += n)
    for (int64_t j = 0; j < n; ++j) {
      T sum = 0;
      const T* b_row = b_t + j * k;
#pragma omp simd reduction(+ : sum)
      for (int64_t p = 0; p < k; ++p) sum += a[p] * b_row[p];
      out[j] = sum;
    }
}

// h_t, c_t of one step from the pre-activations a_t (batch, 4H), gates
// i, f, g, o.
template <typename T>
void cell_step(const T* a, const T* c_prev, T* c, T* h, int64_t batch,
               int64_t H) {
  for (int64_t b = 0; b < batch;
       ++b, a += 4 * H, c_prev += H, c += H, h += H) {
#pragma omp simd
    for (int64_t j = 0; j < H; ++j) {
      T i = sigmoid(a[j]), f = sigmoid(a[H + j]);
      T g = std::tanh(a[2 * H + j]), o = sigmoid(a[3 * H + j]);
      c[j] = f * c_prev[j] + i * g;
      h[j] = o * std::tanh(c[j]);
    }
  }
}

// The forward loop. `projected` (seq, batch, 4H) = X W^T + b,
// contiguous, is overwritten with the pre-activations a_t. Returns the
// outputs h_t (seq, batch, H), h_T, c_T and, when `keep`, the
// pre-activations and the cell states c_t (seq, batch, H).
std::vector<at::Tensor> forward(at::Tensor projected,
                                const at::Tensor& weight_hh,
                                const at::Tensor& h0,
                                const at::Tensor& c0, bool keep) {
  const int64_t seq = projected.size(0), batch = projected.size(1);
  const int64_t H = weight_hh.size(1);
  const bool small = batch * H * 4 * H <= SMALL;
  auto u_t = weight_hh.t().contiguous();  // (H, 4H)
  auto output = at::empty({seq, batch, H}, h0.options());
  auto cells = at::empty({keep ? seq : 2, batch, H}, h0.options());
  auto h = h0.contiguous(), c = c0.contiguous();
  AT_DISPATCH_FLOATING_TYPES(projected.scalar_type(), "lstm_forward", [&] {
    scalar_t* a = projected.data_ptr<scalar_t>();
    scalar_t* y = output.data_ptr<scalar_t>();
    const scalar_t* h_prev = h.data_ptr<scalar_t>();
    const scalar_t* c_prev = c.data_ptr<scalar_t>();
    const scalar_t* u = u_t.data_ptr<scalar_t>();
    for (int64_t t = 0; t < seq; ++t, a += batch * 4 * H, y += batch * H) {
      if (small) {  // a_t = A_t + h_{t-1} U^T
        small_matmul_add(h_prev, u, a, batch, H, 4 * H);
      } else {
        auto a_t = projected[t];
        at::addmm_out(a_t, a_t, t == 0 ? h : output[t - 1], u_t);
      }
      const int64_t slot = keep ? t : t % 2;
      scalar_t* c_t = cells.data_ptr<scalar_t>() + slot * batch * H;
      cell_step(a, c_prev, c_t, y, batch, H);
      h_prev = y;
      c_prev = c_t;
    }
  });
  // seq > 0: the layer's check
  auto h_T = output[seq - 1], c_T = cells[keep ? seq - 1 : (seq - 1) % 2];
  if (!keep) return {output, h_T, c_T};
  // autograd wants outputs that are not views
  return {output, h_T.clone(), c_T.clone(), projected, cells};
}

// One backward step, element by element: from dh = δh_t (without this
// step's output gradient dy = ∂L/∂y_t) and dc = δc_t, write δa_t into
// da and δc_{t-1} into dc.
template <typename T>
void step_backward(const T* dh, const T* dy, T* dc, const T* a,
                   const T* c, const T* c_prev, T* da, int64_t batch,
                   int64_t H) {
  for (int64_t b = 0; b < batch; ++b, dh += H, dy += H, dc += H,
               a += 4 * H, c += H, c_prev += H, da += 4 * H) {
#pragma omp simd
    for (int64_t j = 0; j < H; ++j) {
      T i = sigmoid(a[j]), f = sigmoid(a[H + j]);
      T g = std::tanh(a[2 * H + j]), o = sigmoid(a[3 * H + j]);
      T tanh_c = std::tanh(c[j]);
      T dh_t = dh[j] + dy[j];                              // δh_t
      T do_ = dh_t * tanh_c;                               // δo_t
      T dc_t = dc[j] + dh_t * o * (1 - tanh_c * tanh_c);  // δc_t, total
      da[j] = dc_t * g * i * (1 - i);                      // δi_t σ'
      da[H + j] = dc_t * c_prev[j] * f * (1 - f);          // δf_t σ'
      da[2 * H + j] = dc_t * i * (1 - g * g);              // δg_t tanh'
      da[3 * H + j] = do_ * o * (1 - o);                   // δo_t σ'
      dc[j] = dc_t * f;                                    // δc_{t-1}
    }
  }
}

// The backward loop: δa_t for every step (seq, batch, 4H), δh_0 and δc_0.
std::vector<at::Tensor> backward(const at::Tensor& d_output,
                                 const at::Tensor& dh_T,
                                 const at::Tensor& dc_T,
                                 const at::Tensor& preactivations,
                                 const at::Tensor& cells,
                                 const at::Tensor& c0,
                                 const at::Tensor& weight_hh) {
  const int64_t seq = d_output.size(0), batch = d_output.size(1);
  const int64_t H = weight_hh.size(1);
  const bool small = batch * H * 4 * H <= SMALL;
  auto da = at::empty_like(preactivations);
  auto dh = dh_T.contiguous().clone(), dc = dc_T.contiguous().clone();
  auto c_0 = c0.contiguous(), dy = d_output.contiguous();
  auto u = weight_hh.contiguous();
  // (H, 4H): one row per entry of δh
  auto u_t = small ? weight_hh.t().contiguous() : u;
  AT_DISPATCH_FLOATING_TYPES(da.scalar_type(), "lstm_backward", [&] {
    const scalar_t* a = preactivations.data_ptr<scalar_t>();
    const scalar_t* c = cells.data_ptr<scalar_t>();
    for (int64_t t = seq - 1; t >= 0; --t) {
      scalar_t* da_t = da.data_ptr<scalar_t>() + t * batch * 4 * H;
      const scalar_t* c_prev =
          t > 0 ? c + (t - 1) * batch * H : c_0.data_ptr<scalar_t>();
      step_backward(dh.data_ptr<scalar_t>(),
                    dy.data_ptr<scalar_t>() + t * batch * H,
                    dc.data_ptr<scalar_t>(), a + t * batch * 4 * H,
                    c + t * batch * H, c_prev, da_t, batch, H);
      if (small) {  // δh_{t-1} = δa_t U
        small_matmul_t(da_t, u_t.data_ptr<scalar_t>(),
                       dh.data_ptr<scalar_t>(), batch, 4 * H, H);
      } else {
        at::mm_out(dh, da[t], u);
      }
    }
  });
  return {da, dh, dc};
}
"""  # end of SOURCE

CFLAGS = ["-O3", "-march=native", "-fopenmp-simd", "-ffast-math"]


class _NoCudaRuntimeNote(logging.Filter):
    """Drops the one warning ``torch.utils.cpp_extension`` logs on import on a machine without CUDA
    ("No CUDA runtime is found"): true, and irrelevant to this CPU-only extension; on a page it
    reads like an error. Every other message of that logger passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "No CUDA runtime is found" not in record.getMessage()


logging.getLogger("torch.utils.cpp_extension").addFilter(_NoCudaRuntimeNote())


@functools.cache
def load_extension():
    """Build (first call: seconds to a minute; later calls read the build cache) and import the C++ loops."""
    from torch.utils.cpp_extension import load_inline

    return load_inline("lstm_book_loops", SOURCE, functions=["forward", "backward"], extra_cflags=CFLAGS)


class CppLSTM(CompiledLSTM):
    """:class:`~lstm_utils.fast_lstm.CompiledLSTM` whose two loops are the C++ of :data:`SOURCE`.

    The C++ is built on the first call (the build time goes to ``compile_seconds``); where it
    cannot be built (no compiler, no ``ninja``: a warning, reason in ``compile_error``) the same
    loops run eagerly in PyTorch.
    """

    per_shape_compilation = False  # built once, for every shape

    def _functions(self) -> dict:
        if not self.compile or self.compile_error is not None:
            return super()._functions()
        if self._compiled is None:
            start = time.perf_counter()
            try:
                loops = load_extension()
            except Exception as error:  # noqa: BLE001 - no compiler, no ninja, ...
                return self._fail(error)
            self.compile_seconds += time.perf_counter() - start
            self._compiled = {
                "inference": functools.partial(direction_forward, loop=loops.forward),
                "training": functools.partial(direction_forward, loop=loops.forward),
                "backward": functools.partial(direction_backward, loop=loops.backward),
            }
        return self._compiled
