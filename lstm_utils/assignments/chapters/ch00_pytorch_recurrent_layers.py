"""Grading of "PyTorch's recurrent layers": shapes of nn.LSTM, a bidirectional LSTM from cells."""

from lstm_utils.assignments.exercises import Exercise


def hidden_lstm_shapes(lstm_shapes):
    """Twenty random configurations, none of the visible check's: the shapes nn.LSTM returns."""
    import random

    import torch
    from torch import nn

    rng = random.Random(2024)
    for _ in range(20):
        seq, batch, size, hidden, layers = (rng.randint(1, 6) for _ in range(5))
        bidirectional, batch_first = rng.random() < 0.5, rng.random() < 0.5
        lstm = nn.LSTM(size, hidden, layers, bidirectional=bidirectional, batch_first=batch_first)
        x = torch.zeros((batch, seq, size) if batch_first else (seq, batch, size))
        out, (h_n, c_n) = lstm(x)
        got = lstm_shapes(seq, batch, size, hidden, layers, bidirectional, batch_first)
        for name, tensor in (("output", out), ("h_n", h_n), ("c_n", c_n)):
            assert tuple(got[name]) == tuple(tensor.shape), (
                f"{name}: expected {tuple(tensor.shape)}, got {got[name]}")


def hidden_run_bidirectional(run_bidirectional):
    """Three layers, other sizes, a single step and a batch of one: equal to nn.LSTM."""
    import torch
    from torch import nn

    gen = torch.Generator().manual_seed(7)
    for seq, batch in ((1, 1), (5, 3)):
        lstm = nn.LSTM(2, 3, num_layers=3, bidirectional=True).double()
        with torch.no_grad():
            for p in lstm.parameters():
                p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64))
        x = torch.randn(seq, batch, 2, generator=gen, dtype=torch.float64)
        expected_out, (expected_h, expected_c) = lstm(x)
        with torch.no_grad():
            out, (h_n, c_n) = run_bidirectional(lstm, x)
        for got, expected in ((out, expected_out), (h_n, expected_h), (c_n, expected_c)):
            assert got.shape == expected.shape, f"expected {tuple(expected.shape)}, got {tuple(got.shape)}"
            assert torch.allclose(got, expected, atol=1e-10), "differs from nn.LSTM"


EXERCISES = [
    Exercise("lstm_shapes", "shapes of output, h_n, c_n for any configuration", 1, 1, 10,
             hidden_lstm_shapes),
    Exercise("run_bidirectional", "a stacked bidirectional LSTM from LSTMCell loops", 2, 2, 30,
             hidden_run_bidirectional),
]
