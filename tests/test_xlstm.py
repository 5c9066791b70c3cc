"""The xLSTM chapter's cells, their equality with the ``xlstm`` package, tasks and checks."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from lstm_utils.checks.core import CheckFailed
from lstm_utils.xlstm import cells, checks, reference, tasks

HAVE_XLSTM, XLSTM_REASON = reference.available()
needs_xlstm = pytest.mark.skipif(not HAVE_XLSTM, reason=f"optional extra 'xlstm' absent: {XLSTM_REASON}")
DTYPES = [torch.float32, torch.float64]
TOL = {torch.float32: 1e-5, torch.float64: 1e-12}


# --- the equations -------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_sigmoid_matches_torch_in_value_and_gradient_and_stays_finite(dtype):
    x = torch.linspace(-200, 200, 4001, dtype=dtype, requires_grad=True)
    ours, theirs = cells.log_sigmoid(x), F.logsigmoid(x)
    torch.testing.assert_close(ours, theirs, atol=TOL[dtype], rtol=0)
    (g_ours,) = torch.autograd.grad(ours.sum(), x)
    (g_theirs,) = torch.autograd.grad(theirs.sum(), x)
    torch.testing.assert_close(g_ours, g_theirs, atol=TOL[dtype], rtol=0)
    assert torch.isfinite(ours).all() and torch.isfinite(g_ours).all()


def test_log_sigmoid_passes_gradcheck():
    x = torch.randn(30, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(cells.log_sigmoid, (x,))


def _grads(out, params):
    return torch.autograd.grad(out.square().sum(), params)


def test_slstm_stabiliser_changes_neither_outputs_nor_gradients():
    torch.manual_seed(0)
    layer = cells.SLSTM(3, 8, heads=2, dtype=torch.float64)
    x = torch.randn(4, 12, 3, dtype=torch.float64)
    params = list(layer.parameters())
    stable, _ = layer(x)
    plain, _ = layer(x, stabilise=False)
    torch.testing.assert_close(stable, plain, atol=1e-12, rtol=0)
    for a, b in zip(_grads(stable, params), _grads(plain, params)):
        torch.testing.assert_close(a, b, atol=1e-10, rtol=1e-10)


def test_slstm_stabiliser_is_invisible_with_an_exponential_forget_gate_too():
    gen = torch.Generator().manual_seed(0)
    B, N, d, T = 2, 2, 3, 9
    weight_hh = 0.3 * torch.randn(4, N, d, d, generator=gen, dtype=torch.float64)
    bias = torch.randn(4, N * d, generator=gen, dtype=torch.float64)
    wx = torch.randn(T, B, 4 * N * d, generator=gen, dtype=torch.float64)
    outputs = {}
    for stabilise in (True, False):
        state = cells.fresh_slstm_state(B, N * d, wx)
        for t in range(T):
            state = cells.slstm_step(wx[t], *state, weight_hh, bias, stabilise=stabilise, forget="exp")
        outputs[stabilise] = state[0]
    torch.testing.assert_close(outputs[True], outputs[False], atol=1e-12, rtol=0)


def test_without_the_stabiliser_large_input_gates_overflow_float32():
    torch.manual_seed(0)
    layer = cells.SLSTM(3, 4)
    x = 200 * torch.randn(2, 5, 3)
    assert torch.isfinite(layer(x)[0]).all()
    assert not torch.isfinite(layer(x, stabilise=False)[0]).all()


def _mlstm_inputs(dtype, scale=1.0, T=11):
    gen = torch.Generator().manual_seed(1)
    q, k, v = torch.randn(3, 2, 3, T, 4, generator=gen, dtype=dtype)
    i_pre, f_pre = scale * torch.randn(2, 2, 3, T, generator=gen, dtype=dtype)
    return [t.requires_grad_() for t in (q, k, v, i_pre, f_pre)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [1.0, 30.0])
def test_mlstm_parallel_form_equals_recurrent_form_in_outputs_and_gradients(dtype, scale):
    inputs = _mlstm_inputs(dtype, scale)
    parallel = cells.mlstm_parallel(*inputs)
    recurrent, _ = cells.mlstm_recurrent(*inputs)
    torch.testing.assert_close(parallel, recurrent, atol=TOL[dtype], rtol=TOL[dtype])
    if dtype == torch.float32 and scale > 1:
        return  # gradients through gates near ±30 lose float32 digits in either form
    for a, b in zip(_grads(parallel, inputs), _grads(recurrent, inputs)):
        torch.testing.assert_close(a, b, atol=100 * TOL[dtype], rtol=100 * TOL[dtype])


def test_mlstm_stabiliser_changes_neither_outputs_nor_gradients():
    inputs = _mlstm_inputs(torch.float64)
    stable = cells.mlstm_parallel(*inputs, eps=0.0)
    plain = cells.mlstm_parallel(*inputs, eps=0.0, stabilise=False)
    stepwise, _ = cells.mlstm_recurrent(*inputs, eps=0.0, stabilise=False)
    torch.testing.assert_close(stable, plain, atol=1e-12, rtol=0)
    torch.testing.assert_close(stepwise, plain, atol=1e-12, rtol=0)
    for a, b in zip(_grads(stable, inputs), _grads(plain, inputs)):
        torch.testing.assert_close(a, b, atol=1e-10, rtol=1e-10)


def test_mlstm_layer_parallel_and_recurrent_agree_and_check_input_shape():
    torch.manual_seed(0)
    layer = cells.MLSTM(5, 8, heads=2)
    x = torch.randn(3, 10, 5)
    torch.testing.assert_close(layer(x), layer(x, parallel=False), atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match=r"expected input of shape \(batch, seq, 5\), got \(3, 10, 4\)"):
        layer(torch.randn(3, 10, 4))


def test_layers_reject_hidden_size_not_divisible_by_heads():
    for layer in (cells.SLSTM, cells.MLSTM):
        with pytest.raises(ValueError, match="divisible by heads=3, got 8"):
            layer(4, 8, heads=3)


# --- equality with the xlstm package -------------------------------------------------------------


@needs_xlstm
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed, heads, random_state, scale", [
    (0, 1, False, 1.0), (1, 2, True, 1.0), (2, 4, True, 10.0), (3, 2, False, 30.0)])
def test_slstm_matches_xlstm_vanilla_backend(dtype, seed, heads, random_state, scale):
    diffs = reference.compare_slstm(dtype=dtype, seed=seed, heads=heads, hidden=4 * heads,
                                    random_state=random_state, scale=scale)
    assert max(diffs.values()) <= TOL[dtype], diffs


@needs_xlstm
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("backend", reference.MLSTM_BACKENDS)
@pytest.mark.parametrize("seed, scale", [(0, 1.0), (1, 10.0)])
def test_mlstm_matches_xlstm_backends(backend, dtype, seed, scale):
    diffs = reference.compare_mlstm(backend, dtype=dtype, seed=seed, scale=scale)
    assert max(diffs.values()) <= TOL[dtype], diffs


def _wrong_stabiliser(log_f, m_prev, log_i):
    return torch.maximum(log_f, log_i)  # forgets m_{t-1}


@needs_xlstm
def test_a_wrong_stabiliser_breaks_the_equality_with_xlstm(monkeypatch):
    monkeypatch.setattr(cells, "stabiliser", _wrong_stabiliser)
    assert max(reference.compare_slstm(scale=3.0).values()) > 1e-3
    assert max(reference.compare_mlstm("native recurrent", scale=3.0).values()) > 1e-3


@needs_xlstm
def test_a_missing_normaliser_breaks_the_equality_with_xlstm(monkeypatch):
    monkeypatch.setattr(cells, "slstm_hidden", lambda o, c, n: o * c)
    assert reference.compare_slstm()["h (all steps)"] > 1e-3
    monkeypatch.setattr(cells, "key_normaliser", lambda f, n_prev, i, k: torch.zeros_like(n_prev))
    assert reference.compare_mlstm("native recurrent")["h (all steps)"] > 1e-3


def test_available_names_the_package_or_the_reason():
    ok, text = reference.available()
    assert ("xlstm" in text) if ok else ("not installed" in text)


# --- tasks ---------------------------------------------------------------------------------------


def test_parity_targets_are_the_running_parity():
    x, y = tasks.parity_data(5, 30, torch.Generator().manual_seed(0)).tensors
    assert x.shape == (5, 30, 1) and y.shape == (5, 30)
    assert torch.equal(y[:, -1], x[:, :, 0].sum(1) % 2)
    assert torch.equal(y[:, 0], x[:, 0, 0])


def test_mqar_queries_ask_for_the_values_stored_with_their_keys():
    x, y = tasks.mqar_data(50, 4, keys=8, values=5, length=10, generator=torch.Generator().manual_seed(0)).tensors
    assert x.shape == (50, 10, 2)
    for seq, target in zip(x, y):
        stored = {int(k): int(v) for k, v in seq[:4]}
        assert len(stored) == 4  # distinct keys
        assert {int(k): int(t) for k, t in zip(seq[4:8, 0], target[4:8])} == stored
        assert (seq[4:, 1] == 5).all() and (target[:4] == tasks.IGNORE).all() and (target[8:] == tasks.IGNORE).all()


def test_mqar_rejects_more_pairs_than_fit():
    with pytest.raises(ValueError, match="got pairs=6, length=10"):
        tasks.mqar_data(2, 6, keys=8, values=5, length=10, generator=torch.Generator())


@pytest.mark.parametrize("budget, vocab, classes", [(5000, [2], 2), (20000, [33, 17], 16)])
def test_matched_models_have_parameter_counts_within_five_percent(budget, vocab, classes):
    models = tasks.matched_models(budget, vocab, classes)
    counts = [tasks.count_parameters(m) for m in models.values()]
    assert list(models) == list(tasks.KINDS)
    assert max(counts) / min(counts) < 1.05
    for model in models.values():
        x = torch.zeros(2, 7, len(vocab), dtype=torch.long)
        assert model(x).shape == (2, 7, classes)


def test_training_a_tiny_lstm_on_parity_beats_chance():
    gen = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    model = tasks.Tagger("LSTM", [2], 16, 2)
    history = tasks.train(model, tasks.parity_data(512, 8, gen), tasks.parity_data(128, 8, gen),
                          epochs=8, batch_size=32, lr=0.02, generator=gen)
    assert history.best["dev_accuracy"] > 0.9
    assert tasks.step_accuracy(model, tasks.parity_data(64, 8, gen)).shape == (8,)


def test_log_sigmoid_table_flags_the_unstable_formulation():
    rows = {r["formulation"]: r for r in tasks.log_sigmoid_table(size=8, repeats=3)}
    assert not rows["log(sigmoid(x))"]["finite"]
    assert rows["min(x,0) - log(1+exp(-|x|))"]["finite"] and rows["F.logsigmoid(x)"]["finite"]


# --- exercise checks -----------------------------------------------------------------------------


def test_checks_pass_the_books_code():
    checks.check_slstm_step(cells.slstm_step)
    checks.check_mlstm_parallel(cells.mlstm_parallel)


def _without_normaliser(wx, h, c, n, m, weight_hh, bias):
    h_t, c_t, n_t, m_t = cells.slstm_step(wx, h, c, n, m, weight_hh, bias)
    return h_t * n_t, c_t, n_t, m_t  # h = o c


def _not_implemented(*args):
    raise NotImplementedError


def test_slstm_check_rejects_a_step_without_stabiliser_or_normaliser():
    with pytest.raises(CheckFailed):
        checks.check_slstm_step(lambda *a: cells.slstm_step(*a, stabilise=False))
    with pytest.raises(CheckFailed, match="h_t"):
        checks.check_slstm_step(_without_normaliser)
    with pytest.raises(CheckFailed, match="NotImplementedError"):
        checks.check_slstm_step(_not_implemented)


def _unstabilised_in_float32(q, k, v, i_pre, f_pre):
    return cells.mlstm_parallel(q, k, v, i_pre, f_pre, stabilise=q.dtype != torch.float32)


def test_mlstm_check_rejects_an_unstabilised_parallel_form():
    with pytest.raises(CheckFailed, match="float32, large input gates"):
        checks.check_mlstm_parallel(_unstabilised_in_float32)


def test_available_says_why_when_the_package_is_missing(monkeypatch):
    def missing(name):
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(reference.importlib, "import_module", missing)
    ok, reason = reference.available()
    assert not ok and "not installed" in reason and "xlstm" in reason
    with pytest.raises(ImportError, match="need the xlstm package"):
        reference.compare_slstm()
