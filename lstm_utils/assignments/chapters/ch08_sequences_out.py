"""Grading of "Sequences out": additive attention and teacher forcing."""

from lstm_utils.assignments.exercises import Exercise


def hidden_attention_weights(attention_weights):
    """Other sizes, a batch of one, a full mask: softmax of v^T tanh(W_q h + W_k k_s), padding at 0."""
    from types import SimpleNamespace

    import torch
    from torch import nn

    with torch.random.fork_rng():
        torch.manual_seed(41)
        attention = SimpleNamespace(W_q=nn.Linear(3, 2, bias=False), W_k=nn.Linear(6, 2),
                                    v=nn.Linear(2, 1, bias=False))
        query, keys = torch.randn(1, 3), torch.randn(1, 5, 6)
    for mask in (torch.ones(1, 5, dtype=torch.bool), torch.tensor([[True, True, False, False, False]])):
        with torch.no_grad():
            e = attention.v(torch.tanh(attention.W_q(query)[:, None] + attention.W_k(keys)))[..., 0]
            expected = torch.softmax(e.masked_fill(~mask, float("-inf")), dim=-1)
            got = attention_weights(query, keys, mask, attention)
        assert torch.allclose(got, expected, atol=1e-6), f"mask {mask.tolist()}"


def hidden_make_pair(make_pair):
    """Other <bos>/<eos> ids and an empty answer: the target is the input shifted by one."""
    for ids, bos, eos in (([], 7, 8), ([5, 5, 1, 0], 0, 1), ([2], 40, 41)):
        decoder_input, target = make_pair(list(ids), bos, eos)
        assert list(decoder_input) == [bos, *ids] and list(target) == [*ids, eos], f"answer {ids}"


EXERCISES = [
    Exercise("attention_weights", "additive attention weights with padding masked", 2, 1, 20,
             hidden_attention_weights),
    Exercise("make_pair", "decoder input and target for teacher forcing", 1, 1, 10, hidden_make_pair),
]
