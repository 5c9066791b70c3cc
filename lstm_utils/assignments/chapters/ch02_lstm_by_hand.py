"""Grading of "LSTM by hand": peepholes and the cell state's backward step."""

from lstm_utils.assignments.exercises import Exercise


def hidden_peephole_lstm_step(peephole_lstm_step):
    """Other sizes, fresh peepholes: the equations of Gers and Schmidhuber (2000)."""
    import torch

    gen = torch.Generator().manual_seed(13)
    B, I, H = 2, 3, 6
    args = [torch.randn(*shape, generator=gen, dtype=torch.float64) for shape in
            ((B, I), (B, H), (B, H), (4 * H, I), (4 * H, H), (4 * H,), (4 * H,), (H,), (H,), (H,))]
    h, c = peephole_lstm_step(*args)
    x, h0, c0, W, U, b_W, b_U, p_i, p_f, p_o = args
    a_i, a_f, a_g, a_o = (x @ W.T + b_W + h0 @ U.T + b_U).chunk(4, dim=1)
    c_ref = torch.sigmoid(a_f + p_f * c0) * c0 + torch.sigmoid(a_i + p_i * c0) * torch.tanh(a_g)
    h_ref = torch.sigmoid(a_o + p_o * c_ref) * torch.tanh(c_ref)
    assert torch.allclose(c, c_ref, atol=1e-10), "c_t differs from the reference"
    assert torch.allclose(h, h_ref, atol=1e-10), "h_t differs from the reference"


def hidden_cell_state_backward(cell_state_backward):
    """Other sizes: dL/dc_{t-1} equals autograd through h_t = o tanh(c_t), c_t = f c_{t-1} + i g."""
    import torch

    gen = torch.Generator().manual_seed(17)
    B, H = 4, 2
    f, o, i, g = (torch.rand(B, H, generator=gen, dtype=torch.float64) for _ in range(4))
    c_prev = torch.randn(B, H, generator=gen, dtype=torch.float64, requires_grad=True)
    c = f * c_prev + i * g
    h = o * torch.tanh(c)
    dh, dc = (torch.randn(B, H, generator=gen, dtype=torch.float64) for _ in range(2))
    (expected,) = torch.autograd.grad((h * dh).sum() + (c * dc).sum(), c_prev)
    got = cell_state_backward(dh, dc, f, o, c.detach())
    assert torch.allclose(got, expected, atol=1e-10), "dc_prev differs from autograd"


EXERCISES = [
    Exercise("peephole_lstm_step", "an LSTM step whose gates see the cell (peepholes)", 2, 1, 20,
             hidden_peephole_lstm_step),
    Exercise("cell_state_backward", "backpropagation through the cell state, one step", 2, 1, 20,
             hidden_cell_state_backward),
]
