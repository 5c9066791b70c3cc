"""Grading of "From RNN to LSTM": one GRU step."""

from lstm_utils.assignments.exercises import Exercise


def hidden_gru_step(gru_step):
    """Fresh random weights of other sizes, float32 and float64, batch of one: equal to nn.GRUCell."""
    import torch
    from torch import nn

    gen = torch.Generator().manual_seed(11)
    for batch, size, hidden, dtype in ((1, 7, 2, torch.float64), (4, 3, 6, torch.float32)):
        cell = nn.GRUCell(size, hidden, dtype=dtype)
        with torch.no_grad():
            for p in cell.parameters():
                p.copy_(torch.randn(p.shape, generator=gen, dtype=dtype))
        x = torch.randn(batch, size, generator=gen, dtype=dtype)
        h = torch.randn(batch, hidden, generator=gen, dtype=dtype)
        params = [p.detach() for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)]
        got = gru_step(x, h, *params)
        expected = cell(x, h).detach()
        assert got.shape == expected.shape, f"expected {tuple(expected.shape)}, got {tuple(got.shape)}"
        assert torch.allclose(got, expected, atol=1e-5), f"differs from nn.GRUCell({size}, {hidden})"


EXERCISES = [
    Exercise("gru_step", "the GRU's reset and update gates, PyTorch's layout", 2, 2, 20, hidden_gru_step),
]
