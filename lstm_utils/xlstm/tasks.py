"""The chapter's two tasks and the three models compared on them at equal parameter counts.

* **Parity**: a stream of bits, and at every step the parity of the bits so far.
* **Multi-query associative recall (MQAR)**, tiny: ``K`` key–value pairs, one pair per step, then
  the ``K`` keys again in another order; at each query step the model names the key's value.
"""

from __future__ import annotations

import copy
import time
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from lstm_utils.metrics import accuracy
from lstm_utils.training import fit
from lstm_utils.xlstm.cells import MLSTM, SLSTM

IGNORE = -100  # targets at steps without a label
KINDS = ("LSTM", "sLSTM", "mLSTM")


# --- data ----------------------------------------------------------------------------------------


def parity_data(n: int, length: int, generator: torch.Generator) -> TensorDataset:
    """``n`` random bit strings ``(n, length, 1)`` and their running parity ``(n, length)``."""
    bits = torch.randint(0, 2, (n, length), generator=generator)
    return TensorDataset(bits[..., None], bits.cumsum(dim=1) % 2)


def mqar_data(n: int, pairs: int, *, keys: int, values: int, length: int,
              generator: torch.Generator) -> TensorDataset:
    """``n`` MQAR sequences with ``pairs`` pairs, padded to ``length`` steps.

    Inputs ``(n, length, 2)``: a key (``keys`` means none) and a value (``values`` means none).
    Steps ``0..K-1`` hold the pairs, steps ``K..2K-1`` the keys again, shuffled, with no value;
    their targets are the values, every other target is ``IGNORE``.
    """
    if not 1 <= pairs <= keys or length < 2 * pairs:
        raise ValueError(f"expected 1 <= pairs <= keys={keys} and length >= 2*pairs, got pairs={pairs}, "
                         f"length={length}")
    key = torch.rand(n, keys, generator=generator).argsort(dim=1)[:, :pairs]  # distinct keys
    value = torch.randint(0, values, (n, pairs), generator=generator)
    order = torch.rand(n, pairs, generator=generator).argsort(dim=1)
    x = torch.empty(n, length, 2, dtype=torch.long)
    x[..., 0], x[..., 1] = keys, values
    y = torch.full((n, length), IGNORE, dtype=torch.long)
    x[:, :pairs, 0], x[:, :pairs, 1] = key, value
    x[:, pairs:2 * pairs, 0] = key.gather(1, order)
    y[:, pairs:2 * pairs] = value.gather(1, order)
    return TensorDataset(x, y)


def mqar_mix(n: int, pair_counts, *, generator, **kw) -> TensorDataset:
    """``n`` sequences split evenly over ``pair_counts``."""
    parts = [mqar_data(n // len(pair_counts), k, generator=generator, **kw) for k in pair_counts]
    return TensorDataset(*(torch.cat(t) for t in zip(*(p.tensors for p in parts))))


# --- models --------------------------------------------------------------------------------------


class Tagger(nn.Module):
    """Embeddings (one table per input field, summed) → one recurrent layer → a label per step."""

    def __init__(self, kind: str, vocab_sizes, hidden: int, classes: int, heads: int = 1) -> None:
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"expected kind in {KINDS}, got {kind!r}")
        self.kind = kind
        self.embeddings = nn.ModuleList(nn.Embedding(v, hidden) for v in vocab_sizes)
        self.rnn = (nn.LSTM(hidden, hidden, batch_first=True) if kind == "LSTM"
                    else SLSTM(hidden, hidden, heads) if kind == "sLSTM"
                    else MLSTM(hidden, hidden, heads))
        self.head = nn.Linear(hidden, classes)

    def forward(self, x: Tensor) -> Tensor:
        """``(batch, seq, fields)`` token ids → ``(batch, seq, classes)`` logits."""
        e = sum(emb(x[..., j]) for j, emb in enumerate(self.embeddings))
        out = self.rnn(e)
        return self.head(out[0] if isinstance(out, tuple) else out)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def matched_models(budget: int, vocab_sizes, classes: int, heads: int = 1) -> dict[str, Tagger]:
    """One :class:`Tagger` per kind, each with the hidden size whose parameter count is closest to ``budget``."""
    models = {}
    for kind in KINDS:
        best = None
        for H in range(heads, 4097, heads):  # grow until over budget; keep the closer of the last two
            model = Tagger(kind, vocab_sizes, H, classes, heads)
            if best is None or abs(count_parameters(model) - budget) < abs(count_parameters(best) - budget):
                best = model
            if count_parameters(model) > budget:
                break
        models[kind] = best
    return models


# --- training and evaluation ---------------------------------------------------------------------


def _flat(model, batch, device):
    x, y = (t.to(device) for t in batch)
    return model(x).flatten(0, 1), y.flatten()


def train(model, train_set, dev_set, *, epochs: int, batch_size: int, lr: float,
          generator: torch.Generator):
    """Adam on cross-entropy over the labelled steps; ``fit`` keeps the epoch best on dev accuracy."""
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, generator=generator)
    dev = DataLoader(dev_set, batch_size=256)
    return fit(model, loader, optimizer=torch.optim.Adam(model.parameters(), lr=lr),
               loss_fn=nn.CrossEntropyLoss(ignore_index=IGNORE), epochs=epochs, dev_loader=dev,
               metrics={"accuracy": lambda o, t: accuracy(o, t, ignore_index=IGNORE)},
               monitor="dev_accuracy", forward=_flat, grad_clip=1.0)


@torch.no_grad()
def step_accuracy(model: nn.Module, dataset: TensorDataset, batch_size: int = 256) -> Tensor:
    """Accuracy at each step ``(seq,)`` over ``dataset`` (steps without labels: NaN)."""
    model.eval()
    correct = total = 0
    for x, y in DataLoader(dataset, batch_size=batch_size):
        keep = y != IGNORE
        correct = correct + ((model(x).argmax(-1) == y) & keep).sum(0)
        total = total + keep.sum(0)
    return correct / total


# --- timing --------------------------------------------------------------------------------------


def median_seconds(fn: Callable[[], object], repeats: int = 20, warmup: int = 3) -> float:
    """Median wall-clock time of ``fn()`` over ``repeats`` calls, after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def seconds_per_batch(model: nn.Module, dataset: TensorDataset, batch_size: int,
                      repeats: int = 3) -> float:
    """Median time of one training step (forward, backward, Adam) of a copy of ``model``."""
    model = copy.deepcopy(model).train()
    optimizer = torch.optim.Adam(model.parameters())
    x, y = dataset[:batch_size]

    def step():
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten(), ignore_index=IGNORE)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return median_seconds(step, repeats, warmup=1)


LOG_SIGMOID_FORMS: dict[str, Callable[[Tensor], Tensor]] = {
    "F.logsigmoid(x)": F.logsigmoid,
    "-F.softplus(-x)": lambda x: -F.softplus(-x),
    "log(sigmoid(x))": lambda x: torch.log(torch.sigmoid(x)),
    "min(x,0) - log(1+exp(-|x|))": None,  # filled below: the chapter's cells.log_sigmoid
}


def log_sigmoid_table(size: int = 128, repeats: int = 200) -> list[dict]:
    """Time of each formulation of :math:`\\log\\sigma` (forward, and forward + backward) on a
    ``size × size`` float32 tensor; its largest error against float64 ``F.logsigmoid`` on
    [-200, 200], and whether its value and gradient stay finite there."""
    from lstm_utils.xlstm.cells import log_sigmoid

    forms = {**LOG_SIGMOID_FORMS, "min(x,0) - log(1+exp(-|x|))": log_sigmoid}
    x = torch.randn(size, size)
    wide = torch.linspace(-200, 200, 40001, requires_grad=True)
    reference = F.logsigmoid(wide.detach().double())
    rows = []
    for name, fn in forms.items():
        xg = x.clone().requires_grad_()
        value = fn(wide)
        (grad,) = torch.autograd.grad(value.sum(), wide)
        rows.append({
            "formulation": name,
            "forward µs": 1e6 * median_seconds(lambda: fn(x), repeats),
            "fwd+bwd µs": 1e6 * median_seconds(lambda: fn(xg).sum().backward(), repeats),
            "max error": float((value.detach().double() - reference).abs().max()),
            "finite": bool(value.isfinite().all() and grad.isfinite().all()),
        })
    return rows
