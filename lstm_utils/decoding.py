r"""Writing an output sequence with a trained decoder: greedy decoding and beam search.

Both start every sequence with ``<bos>``, stop a sequence at ``<eos>`` (which is not returned) or after
``max_len`` tokens, and only need a model with ``encode(source) -> memory`` and
``step(token, state, memory) -> (logits, state, attention)`` (see :class:`lstm_utils.models.seq2seq.Seq2Seq`).

* **Greedy:** at each step take the most probable token, :math:`\hat y_t = \arg\max_y p(y \mid \hat y_{<t}, x)`.
* **Beam search** keeps the ``beam_width`` prefixes with the highest
  :math:`\log p(y_{1:t} \mid x) = \sum_{\tau \le t} \log p(y_\tau \mid y_{<\tau}, x)`, extends each by every
  token, and keeps the best ``beam_width`` again {cite:p}`freitag2017beam`. With width 1 it *is* greedy decoding.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from lstm_utils.models.seq2seq import Memory


def _check(max_len: int, beam_width: int = 1) -> None:
    if not isinstance(max_len, int) or max_len < 1:
        raise ValueError(f"expected max_len >= 1, got {max_len!r}")
    if not isinstance(beam_width, int) or beam_width < 1:
        raise ValueError(f"expected beam_width >= 1, got {beam_width!r}")


@torch.no_grad()
def greedy_decode(
    model: nn.Module, source: Tensor, *, bos: int, eos: int, max_len: int, return_attention: bool = False
):
    """The most probable token at each step, for a whole batch at once.

    Returns one list of token ids per example (without ``<bos>``/``<eos>``), and with ``return_attention``
    also one ``(steps, S)`` tensor of attention weights per example (``None`` without attention).
    """
    _check(max_len)
    was_training = model.training
    model.eval()
    memory = model.encode(source)
    state = memory.state
    batch = source.shape[0]
    token = torch.full((batch,), bos, dtype=torch.long, device=source.device)
    done = torch.zeros(batch, dtype=torch.bool, device=source.device)
    tokens, weights = [], []
    for _ in range(max_len):
        logits, state, w = model.step(token, state, memory)
        token = logits.argmax(-1)  # (batch,)
        tokens.append(token)
        weights.append(w)
        done = done | (token == eos)
        if bool(done.all()):
            break
    model.train(was_training)
    steps = torch.stack(tokens, dim=1).tolist()  # (batch, steps)
    outputs = []
    for row in steps:
        outputs.append(row[: row.index(eos)] if eos in row else row)
    if not return_attention:
        return outputs
    if weights[0] is None:
        return outputs, [None] * batch
    stacked = torch.stack(weights, dim=1)  # (batch, steps, S)
    return outputs, [stacked[b, : len(out) + (len(out) < len(steps[b]))] for b, out in enumerate(outputs)]


def _select(memory: Memory, index: int, copies: int) -> Memory:
    """Example ``index`` of ``memory``, repeated ``copies`` times along the batch axis."""
    h, c = memory.state
    return Memory(
        memory.keys[index : index + 1].expand(copies, -1, -1),
        memory.mask[index : index + 1].expand(copies, -1),
        (h[index : index + 1].expand(copies, -1), c[index : index + 1].expand(copies, -1)),
    )


@torch.no_grad()
def beam_search(
    model: nn.Module, source: Tensor, *, bos: int, eos: int, max_len: int, beam_width: int = 3
) -> list[list[int]]:
    r"""The highest-:math:`\log p` sequence found by a beam of ``beam_width`` prefixes, one example at a time.

    A prefix that emits ``<eos>`` is finished and leaves the beam; the search of an example ends when the
    beam is empty or ``max_len`` tokens were written, and returns the best finished sequence (or the best
    unfinished one when none finished). Since :math:`\log p` only falls as a prefix grows, the search also
    stops as soon as a finished sequence beats every live prefix.
    """
    _check(max_len, beam_width)
    was_training = model.training
    model.eval()
    memory = model.encode(source)
    results = []
    for b in range(source.shape[0]):
        prefixes: list[list[int]] = [[]]
        scores = torch.zeros(1, device=source.device)  # log p of each prefix, (beam,)
        state = _select(memory, b, 1).state
        finished: list[tuple[float, list[int]]] = []
        for _ in range(max_len):
            last = torch.tensor([p[-1] if p else bos for p in prefixes], device=source.device)
            logits, state, _ = model.step(last, state, _select(memory, b, len(prefixes)))
            total = scores.unsqueeze(1) + torch.log_softmax(logits, dim=-1)  # (beam, vocab)
            vocab = total.shape[1]
            best, flat = total.flatten().topk(min(beam_width, total.numel()))  # best extensions first
            keep_rows, keep_prefixes, keep_scores = [], [], []
            for score, index in zip(best.tolist(), flat.tolist()):
                row, token = divmod(index, vocab)
                if token == eos:
                    finished.append((score, prefixes[row]))
                else:
                    keep_rows.append(row)
                    keep_prefixes.append(prefixes[row] + [token])
                    keep_scores.append(score)
            if not keep_prefixes or (finished and max(s for s, _ in finished) >= max(keep_scores)):
                break  # every live prefix is already less probable than a finished one: it cannot catch up
            rows = torch.tensor(keep_rows, device=source.device)
            state = (state[0][rows], state[1][rows])
            prefixes, scores = keep_prefixes, torch.tensor(keep_scores, device=source.device)
        else:  # max_len tokens written: fall back on the unfinished prefixes only when none finished
            finished = finished or list(zip(scores.tolist(), prefixes))
        results.append(max(finished, key=lambda pair: pair[0])[1])
    model.train(was_training)
    return results
