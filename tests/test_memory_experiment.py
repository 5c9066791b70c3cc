import numpy as np
import pytest
import torch
from torch import nn

from lstm_utils.memory import make_splits
from lstm_utils.memory import baseline_rows, build_classifier, results_frame, train_digit_sum


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models train fastest on one thread; two threads on a busy 2-core machine are many times slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_build_classifier_maps_digit_sequences_to_19_logits():
    model = build_classifier(nn.LSTM, hidden_size=16, embedding_dim=8)
    assert model(torch.zeros(4, 12, dtype=torch.long)).shape == (4, 19)
    assert model.embedding.num_embeddings == 10 and model.rnn.hidden_size == 16


def test_training_is_repeatable_and_reports_dev_and_test_accuracy():
    splits = make_splits(5, seed=0)
    a = train_digit_sum("LSTM", nn.LSTM, splits, epochs=2, hidden_size=8, embedding_dim=4, progress=False)
    b = train_digit_sum("LSTM", nn.LSTM, splits, epochs=2, hidden_size=8, embedding_dim=4, progress=False)
    assert a.history["train_loss"] == b.history["train_loss"]
    assert a.test_accuracy == b.test_accuracy and 0 <= a.test_accuracy <= 1
    assert a.history.best_epoch in (1, 2)
    assert a.dev_accuracy == a.history.best["dev_accuracy"]  # the best-on-dev weights were restored


def test_the_lstm_learns_the_task_at_a_short_length():
    # on L=3 the pair is one step away: a few epochs take the LSTM far above the 10 % baseline
    splits = make_splits(3, seed=0)
    result = train_digit_sum("LSTM", nn.LSTM, splits, epochs=20, progress=False)
    assert result.test_accuracy > 0.25


def test_baseline_is_the_majority_class_accuracy():
    frame = baseline_rows({10: make_splits(10), 20: make_splits(20)})
    assert frame["L"].tolist() == [10, 20]
    np.testing.assert_allclose(frame["test accuracy"], [0.1, 0.1])


def test_results_frame_has_one_row_per_run():
    splits = make_splits(4)
    runs = [train_digit_sum(kind, layer, splits, epochs=1, hidden_size=4, embedding_dim=4, progress=False)
            for kind, layer in (("SRN", nn.RNN), ("LSTM", nn.LSTM))]
    frame = results_frame(runs)
    assert frame["model"].tolist() == ["SRN", "LSTM"] and (frame["L"] == 4).all()
    assert {"dev accuracy", "test accuracy", "best epoch"} <= set(frame.columns)


def test_missing_split_is_named():
    splits = make_splits(4)
    del splits["dev"]
    with pytest.raises(ValueError, match=r"expected splits train, dev and test, got \['test', 'train'\]"):
        train_digit_sum("SRN", nn.RNN, splits, epochs=1, progress=False)
