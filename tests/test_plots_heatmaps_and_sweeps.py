import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from lstm_utils.memory import plot_gate_heatmaps, trace_panel  # noqa: E402
from lstm_utils.memory import plot_metric_vs  # noqa: E402


def fake_trace(seq=5, batch=2, hidden=3):
    torch.manual_seed(0)
    return {key: torch.rand(seq, batch, hidden) for key in "ifgoch"}


def test_trace_panel_puts_units_on_rows_and_time_on_columns():
    trace = fake_trace()
    panel = trace_panel(trace, "f", batch_index=1)
    assert panel.shape == (3, 5)
    np.testing.assert_array_equal(panel[:, 2], trace["f"][2, 1].numpy())


def test_heatmaps_label_time_with_the_input_digits():
    fig = plot_gate_heatmaps(fake_trace(), [6, 7, 0, 1, 0], keys=("i", "c"))
    axes = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in axes] == ["input gate $i_t$", "cell state $c_t$"]
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["6", "7", "0", "1", "0"]
    assert "input digit" in axes[0].get_xlabel() and axes[0].get_ylabel() == "hidden unit"
    plt.close(fig)


def test_heatmaps_reject_wrong_token_count_and_unknown_keys():
    with pytest.raises(ValueError, match="expected 5 tokens .*got 3"):
        plot_gate_heatmaps(fake_trace(), [1, 2, 3])
    with pytest.raises(KeyError, match="got 'z'"):
        trace_panel(fake_trace(), "z")


def test_metric_vs_draws_dev_and_test_per_model_and_the_baseline():
    frame = pd.DataFrame({"model": ["SRN", "SRN", "LSTM", "LSTM"], "L": [10, 20, 10, 20],
                          "dev accuracy": [0.5, 0.2, 0.9, 0.8], "test accuracy": [0.4, 0.1, 0.9, 0.7]})
    base = pd.DataFrame({"model": ["majority"] * 2, "L": [10, 20], "dev accuracy": [0.1, 0.1], "test accuracy": [0.1, 0.1]})
    ax = plot_metric_vs(frame, "L", baseline=base, title="t", xlabel="length")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["SRN, dev", "SRN, test", "LSTM, dev", "LSTM, test", "majority, test"]
    assert ax.get_lines()[1].get_ydata().tolist() == [0.4, 0.1]
    plt.close(ax.figure)


def test_metric_vs_names_missing_columns():
    with pytest.raises(KeyError, match="expected columns \\['dev accuracy'\\]"):
        plot_metric_vs(pd.DataFrame({"model": [], "L": [], "test accuracy": []}), "L")
