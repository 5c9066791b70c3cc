"""The CRF layer: its log Z and Viterbi path against brute force over every tag sequence; padding is ignored."""

import itertools

import pytest
import torch

from lstm_utils.metrics import IGNORE_INDEX
from lstm_utils.ner.crf import CRF, crf_metrics
from lstm_utils.text.vocab import Vocab


def _crf(tags=3, seed=0):
    torch.manual_seed(seed)
    crf = CRF(tags)
    with torch.no_grad():
        for p in crf.parameters():
            p.normal_()
    return crf


def _score(crf, em, path):
    s = crf.start[path[0]] + crf.end[path[-1]] + sum(em[t, y] for t, y in enumerate(path))
    return s + sum(crf.transitions[a, b] for a, b in zip(path, path[1:]))


def test_log_z_and_viterbi_match_brute_force_with_padding():
    crf = _crf()
    em = torch.randn(3, 4, 3)
    lengths = [4, 1, 3]
    tags = torch.full((3, 4), IGNORE_INDEX)
    for row, n in enumerate(lengths):
        tags[row, :n] = torch.randint(0, 3, (n,))
    log_z, gold = crf.log_partition(em, tags), crf.gold_score(em, tags)
    best = crf.decode(em, tags != IGNORE_INDEX)
    for row, n in enumerate(lengths):
        paths = list(itertools.product(range(3), repeat=n))
        scores = torch.stack([_score(crf, em[row], p) for p in paths])
        torch.testing.assert_close(log_z[row], torch.logsumexp(scores, 0))
        torch.testing.assert_close(gold[row], _score(crf, em[row], tags[row, :n].tolist()))
        assert tuple(best[row, :n].tolist()) == paths[int(scores.argmax())]
        assert (best[row, n:] == IGNORE_INDEX).all()


def test_nll_is_positive_per_token_and_padding_gets_no_gradient():
    crf = _crf()
    em = torch.randn(2, 3, 3, requires_grad=True)
    tags = torch.tensor([[0, 1, 2], [2, IGNORE_INDEX, IGNORE_INDEX]])
    loss = crf.nll(em, tags)
    by_hand = (crf.log_partition(em, tags) - crf.gold_score(em, tags)).sum() / 4
    torch.testing.assert_close(loss, by_hand)
    assert loss > 0
    loss.backward()
    assert (em.grad[1, 1:] == 0).all() and (em.grad[0] != 0).any()


def test_crf_learns_a_forbidden_transition():
    """Emissions alone say tag 1 twice; training on data where 1 never follows 1 teaches it otherwise."""
    torch.manual_seed(0)
    crf = CRF(2)
    opt = torch.optim.Adam(crf.parameters(), lr=0.1)
    em = torch.tensor([[[0.0, 0.3], [0.0, 0.3]]])
    tags = torch.tensor([[1, 0]])
    for _ in range(100):
        opt.zero_grad()
        crf.nll(em, tags).backward()
        opt.step()
    assert crf.decode(em, torch.ones(1, 2, dtype=torch.bool)).tolist() == [[1, 0]]


def test_metrics_read_the_viterbi_paths():
    crf = CRF(3)
    with torch.no_grad():
        crf.transitions[0, 2] = -100.0  # B-per → I-geo never
    vocab = Vocab(["B-per", "I-per", "I-geo"], specials=())
    em = torch.tensor([[[2.0, 0.0, 0.0], [0.0, 1.0, 1.5]]])
    tags = torch.tensor([[0, 1]])
    m = crf_metrics(crf, vocab)
    assert m["token_accuracy"](em, tags) == (2.0, 2.0)
    assert m["entity_f1"](em, tags) == (2.0, 2.0)


def test_crf_names_wrong_inputs():
    crf = CRF(3)
    with pytest.raises(ValueError, match="expected emissions with 3 tag scores, got 4"):
        crf.nll(torch.zeros(1, 2, 4), torch.zeros(1, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="padding only after the last real token"):
        crf.nll(torch.zeros(1, 3, 3), torch.tensor([[0, IGNORE_INDEX, 1]]))
    with pytest.raises(ValueError, match="at least one real token at position 0"):
        crf.nll(torch.zeros(1, 2, 3), torch.tensor([[IGNORE_INDEX, 1]]))
    with pytest.raises(ValueError, match="positive number of tags"):
        CRF(0)
