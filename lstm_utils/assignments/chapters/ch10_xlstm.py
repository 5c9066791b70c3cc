"""Grading of "What came after: xLSTM by hand": the stabilised sLSTM step and the parallel mLSTM."""

from lstm_utils.assignments.exercises import Exercise


def hidden_my_slstm_step(my_slstm_step):
    """Other head sizes, one head and four, float64: equal to the book's stabilised sLSTM step."""
    import torch

    from lstm_utils.xlstm import cells

    gen = torch.Generator().manual_seed(53)
    for B, N, d in ((1, 1, 3), (2, 4, 2)):
        H = N * d
        args = (torch.randn(B, 4 * H, generator=gen, dtype=torch.float64),
                torch.randn(B, H, generator=gen, dtype=torch.float64),
                torch.randn(B, H, generator=gen, dtype=torch.float64),
                torch.rand(B, H, generator=gen, dtype=torch.float64) + 0.5,
                torch.randn(B, H, generator=gen, dtype=torch.float64),
                0.5 * torch.randn(4, N, d, d, generator=gen, dtype=torch.float64),
                torch.randn(4, H, generator=gen, dtype=torch.float64))
        for got, expected in zip(my_slstm_step(*args), cells.slstm_step(*args)):
            assert torch.allclose(got, expected, atol=1e-10), f"differs for {N} heads of size {d}"


def hidden_my_mlstm_parallel(my_mlstm_parallel):
    """One step, and 13 steps of three heads: equal to the recurrent mLSTM."""
    import torch

    from lstm_utils.xlstm import cells

    gen = torch.Generator().manual_seed(59)
    for heads, T, d in ((1, 1, 2), (3, 13, 5)):
        q, k, v = torch.randn(3, 2, heads, T, d, generator=gen, dtype=torch.float64)
        i_pre, f_pre = torch.randn(2, 2, heads, T, generator=gen, dtype=torch.float64)
        expected, _ = cells.mlstm_recurrent(q, k, v, i_pre, f_pre)
        got = my_mlstm_parallel(q, k, v, i_pre, f_pre)
        assert torch.allclose(got, expected, atol=1e-10), f"differs for T={T}"


EXERCISES = [
    Exercise("my_slstm_step", "the sLSTM step with its exponential gate stabilised", 2, 1, 25,
             hidden_my_slstm_step),
    Exercise("my_mlstm_parallel", "the mLSTM computed for all steps at once", 3, 1, 35,
             hidden_my_mlstm_parallel),
]
