"""Grading of "Sentiment": padding and packed sequences."""

from lstm_utils.assignments.exercises import Exercise


def hidden_my_padding_share(my_padding_share):
    """Random lengths split into random batches, tuples included: equal to batching.padding_share."""
    import random

    def padding_share(lengths, batches):
        padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
        return 1 - sum(lengths[i] for b in batches for i in b) / padded

    rng = random.Random(19)
    for _ in range(20):
        lengths = [rng.randint(1, 50) for _ in range(rng.randint(1, 30))]
        order = list(range(len(lengths)))
        rng.shuffle(order)
        size = rng.randint(1, 8)
        batches = [tuple(order[i : i + size]) for i in range(0, len(order), size)]
        assert abs(my_padding_share(lengths, batches) - padding_share(lengths, batches)) < 1e-9


def hidden_final_states(final_states):
    """A two-layer, one-direction LSTM and unsorted lengths: h_n as if each sequence ran alone."""
    import torch
    from torch import nn

    with torch.random.fork_rng():
        torch.manual_seed(23)
        lstm = nn.LSTM(2, 3, num_layers=2, batch_first=True)
        x = torch.randn(4, 6, 2)  # (batch, seq, features)
    lengths = torch.tensor([2, 6, 1, 4])
    padded = x.clone()
    for b, n in enumerate(lengths):
        padded[b, n:] = 0.0
    expected = torch.cat([lstm(x[b : b + 1, :n])[1][0] for b, n in enumerate(lengths)], dim=1)
    got = final_states(lstm, padded, lengths)
    assert torch.allclose(got, expected, atol=1e-5), "h_n differs from each sequence read alone"


EXERCISES = [
    Exercise("my_padding_share", "how much of a padded batch is padding", 1, 1, 10,
             hidden_my_padding_share),
    Exercise("final_states", "packing so that the LSTM never reads padding", 2, 1, 20,
             hidden_final_states),
]
