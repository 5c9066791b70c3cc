"""Grading of "Memory": the majority baseline and the forget gate read off a trace."""

from lstm_utils.assignments.exercises import Exercise


def hidden_majority_baseline(majority_baseline):
    """Plain lists, labels that do not start at 0, a three-way tie, and random labels."""
    import numpy as np

    assert abs(majority_baseline([4, 4, 9, 9, 6, 6], [6, 9, 4, 4]) - 0.5) < 1e-12, "three-way tie: guess 4"
    rng = np.random.default_rng(3)
    train, test = rng.integers(0, 19, 500), rng.integers(0, 19, 300)
    expected = float((test == np.bincount(train).argmax()).mean())
    assert abs(float(majority_baseline(train, test)) - expected) < 1e-12, "random labels"


def hidden_mean_forget(mean_forget, trace):
    """A detached 1-D tensor, one value per step, each between 0 and 1: the forget gate of sequence 0."""
    import torch

    f = trace["f"][:, 0, :].detach()  # (seq, hidden)
    assert isinstance(mean_forget, torch.Tensor) and mean_forget.shape == (f.shape[0],), "shape (seq,)"
    assert torch.allclose(mean_forget.detach().double(), f.double().mean(dim=-1), atol=1e-6), "values"
    assert bool(((mean_forget > 0) & (mean_forget < 1)).all()), "a gate lies between 0 and 1"


EXERCISES = [
    Exercise("majority_baseline", "the baseline every accuracy is compared with", 1, 1, 10,
             hidden_majority_baseline),
    Exercise("mean_forget", "reading the forget gate off a recorded trace", 1, 1, 10, hidden_mean_forget),
]
