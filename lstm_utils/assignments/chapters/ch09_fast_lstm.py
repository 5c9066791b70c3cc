"""Grading of "A fast LSTM": the fused element-wise step and one weight gradient for all steps."""

from lstm_utils.assignments.exercises import Exercise


def hidden_fused_step(fused_step):
    """Other sizes, float32: c_t = f c + i g, h_t = o tanh(c_t), gates stacked i, f, g, o."""
    import torch

    gen = torch.Generator().manual_seed(43)
    gates, c = torch.randn(4, 20, generator=gen), torch.randn(4, 5, generator=gen)
    h, c_new = fused_step(gates, c)
    i, f, g, o = gates.chunk(4, dim=1)
    c_ref = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h_ref = torch.sigmoid(o) * torch.tanh(c_ref)
    assert torch.allclose(c_new, c_ref, atol=1e-6) and torch.allclose(h, h_ref, atol=1e-6)


def hidden_weight_gradient(weight_gradient):
    """One step, and more steps than units: the sum over steps of dgates_t^T h_{t-1}."""
    import torch

    gen = torch.Generator().manual_seed(47)
    for seq, batch, hidden in ((1, 3, 4), (9, 1, 2)):
        dgates = torch.randn(seq, batch, 4 * hidden, generator=gen, dtype=torch.float64)
        h_prev = torch.randn(seq, batch, hidden, generator=gen, dtype=torch.float64)
        expected = sum(dgates[t].t() @ h_prev[t] for t in range(seq))
        got = weight_gradient(dgates, h_prev)
        assert got.shape == expected.shape and torch.allclose(got, expected), f"seq={seq}"


EXERCISES = [
    Exercise("fused_step", "the element-wise part of a step, from stacked gates", 1, 1, 15,
             hidden_fused_step),
    Exercise("weight_gradient", "one matrix product for a shared weight's gradient", 2, 1, 15,
             hidden_weight_gradient),
]
