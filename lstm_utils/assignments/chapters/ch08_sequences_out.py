"""Grading of "Sequences out": additive attention and teacher forcing."""

from lstm_utils.assignments.exercises import Exercise


def hidden_attention_weights(attention_weights):
    """Other sizes, a batch of one, a full mask: equal to AdditiveAttention's weights."""
    import torch

    from lstm_utils.models.seq2seq import AdditiveAttention

    with torch.random.fork_rng():
        torch.manual_seed(41)
        attention = AdditiveAttention(3, 6, 2)
        query, keys = torch.randn(1, 3), torch.randn(1, 5, 6)
    for mask in (torch.ones(1, 5, dtype=torch.bool), torch.tensor([[True, True, False, False, False]])):
        _, expected = attention(query, keys, mask)
        with torch.no_grad():
            got = attention_weights(query, keys, mask, attention)
        assert torch.allclose(got, expected.detach(), atol=1e-6), f"mask {mask.tolist()}"


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
