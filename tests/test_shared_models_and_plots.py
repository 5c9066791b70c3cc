"""The small shared pieces: the last-state classifier, the vocabulary, the plots, the exercise checks."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from lstm_utils.checks import CheckFailed, check_close, check_true  # noqa: E402
from lstm_utils.classifier import LastStateClassifier, last_hidden  # noqa: E402
from lstm_utils.metrics import confusion_matrix  # noqa: E402
from lstm_utils.plots import plot_confusion_matrix  # noqa: E402
from lstm_utils.plots import plot_history  # noqa: E402
from lstm_utils.text.vocab import Vocab  # noqa: E402
from lstm_utils.training import History  # noqa: E402


@pytest.mark.parametrize("layers,bidirectional", [(1, False), (2, True)])
def test_last_hidden_picks_last_layer_both_directions(layers, bidirectional):
    lstm = nn.LSTM(3, 4, num_layers=layers, bidirectional=bidirectional, batch_first=True)
    output, (h_n, _) = lstm(torch.randn(2, 5, 3))
    last = last_hidden(h_n, layers, bidirectional)
    torch.testing.assert_close(last[:, :4], output[:, -1, :4])
    if bidirectional:
        torch.testing.assert_close(last[:, 4:], output[:, 0, 4:])


def test_classifier_shapes_with_embedding_and_requires_batch_first():
    model = LastStateClassifier(nn.GRU(8, 6, batch_first=True), 19, embedding=nn.Embedding(10, 8))
    assert model(torch.randint(0, 10, (4, 7))).shape == (4, 19)
    with pytest.raises(ValueError, match="batch_first=True"):
        LastStateClassifier(nn.LSTM(3, 4), 2)


def test_vocab_min_freq_max_size_and_unknowns():
    vocab = Vocab.build([["b", "a", "a"], ["c", "b", "a"], ["d"]], min_freq=2, max_size=5)
    assert vocab.itos == ["<pad>", "<unk>", "a", "b"]
    assert vocab["zzz"] == vocab.unk_index == 1 and vocab.pad_index == 0
    assert vocab.decode(vocab.encode(["a", "b"])) == ["a", "b"]
    assert len(Vocab.build([["x", "y", "z"]], max_size=2)) == 4
    no_unk = Vocab(["a"], specials=("<pad>",))
    with pytest.raises(KeyError, match="no <unk>"):
        no_unk["b"]
    with pytest.raises(ValueError, match="min_freq"):
        Vocab.build([], min_freq=0)


def test_confusion_matrix_counts_and_plot():
    counts = confusion_matrix([0, 0, 1, 2], [0, 1, 1, 2], 3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    ax = plot_confusion_matrix(counts, ["a", "b", "c"])
    assert ax.get_xlabel() == "predicted" and ax.get_title() == "Confusion matrix"
    with pytest.raises(ValueError, match=r"expected counts of shape \(2, 2\)"):
        plot_confusion_matrix(counts, ["a", "b"])
    with pytest.raises(ValueError):
        confusion_matrix([0], [0, 1], 2)


def test_plot_history_marks_best_epoch():
    history = History(records=[{"epoch": 1, "train_loss": 1.0, "dev_loss": 0.9}, {"epoch": 2, "train_loss": 0.5, "dev_loss": 1.2}],
                      monitor="dev_loss", best_epoch=1)
    ax = plot_history(history)
    assert [line.get_label() for line in ax.get_lines()] == ["train_loss", "dev_loss", "best epoch (1)"]
    with pytest.raises(KeyError, match="dev_accuracy"):
        plot_history(history, ["dev_accuracy"])


def test_check_close_gives_specific_feedback():
    expected = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert check_close(expected.clone(), expected, name="h") == 0.0
    with pytest.raises(CheckFailed, match=r"expected h of shape \(2, 2\), got \(2,\)"):
        check_close(torch.zeros(2), expected, name="h")
    with pytest.raises(CheckFailed, match=r"largest difference 0.5 at index \(1, 0\)"):
        check_close(expected + torch.tensor([[0.0, 0.0], [0.5, 0.0]]), expected, name="c")
    with pytest.raises(CheckFailed, match="torch.Tensor, got list"):
        check_close([1.0], expected, name="h")
    with pytest.raises(CheckFailed, match="gate order"):
        check_true(False, "gate order")
    assert 0 < check_close(expected + 1e-6, expected, name="h") < 1e-5


def test_last_hidden_names_the_expected_shape():
    with pytest.raises(ValueError, match=r"expected h_n of shape \(4, batch, hidden\) for 2 layer\(s\) x 2 direction\(s\), "
                                         r"got \(3, 2, 4\)"):
        last_hidden(torch.zeros(3, 2, 4), 2, True)


def test_classifier_checks_its_arguments_and_inputs():
    with pytest.raises(ValueError, match=r"expected num_classes >= 1, got 0"):
        LastStateClassifier(nn.LSTM(4, 8, batch_first=True), 0)
    with pytest.raises(TypeError, match=r"expected an int num_classes, got float 2.5"):
        LastStateClassifier(nn.LSTM(4, 8, batch_first=True), 2.5)
    with pytest.raises(TypeError, match=r"expected a recurrent layer like nn.LSTM .* got Linear"):
        LastStateClassifier(nn.Linear(4, 8), 3)
    features = LastStateClassifier(nn.LSTM(4, 8, batch_first=True), 3)
    with pytest.raises(ValueError, match=r"expected inputs of shape \(batch, seq, 4\), got \(2, 5, 3\)"):
        features(torch.zeros(2, 5, 3))
    with pytest.raises(ValueError, match=r"expected sequences of at least one step, got inputs of shape \(2, 0, 4\)"):
        features(torch.zeros(2, 0, 4))
    ids = LastStateClassifier(nn.LSTM(4, 8, batch_first=True), 3, embedding=nn.Embedding(10, 4))
    with pytest.raises(ValueError, match=r"expected inputs \(token ids\) in 0..9, got 1..12"):
        ids(torch.tensor([[1, 12]]))
    with pytest.raises(TypeError, match=r"expected inputs \(token ids\) of an integer dtype, got torch.float32"):
        ids(torch.zeros(1, 3))


def test_plots_check_everything_before_drawing():
    import matplotlib.pyplot as plt

    history = History(records=[{"epoch": 1, "train_loss": 0.5}])
    figures = plt.get_fignums()
    with pytest.raises(ValueError, match=r"expected a History with at least one epoch"):
        plot_history(History(), ["train_loss"])
    with pytest.raises(TypeError, match=r"expected a non-empty list of keys .* got 'train_loss'"):
        plot_history(history, "train_loss")
    with pytest.raises(KeyError, match=r"'dev_loss' is not recorded for every epoch"):
        plot_history(history, ["train_loss", "dev_loss"])
    with pytest.raises(ValueError, match=r"expected counts >= 0, got -1"):
        plot_confusion_matrix(np.array([[1, -1], [0, 2]]), ["a", "b"])
    with pytest.raises(TypeError, match=r"expected a list of class labels, got a str 'ab'"):
        plot_confusion_matrix(np.eye(2), "ab")
    assert plt.get_fignums() == figures  # no figure was opened
