import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lstm_utils.metrics import mean_absolute_error
from lstm_utils.forecasting.model import (
    AutoregressiveLSTM,
    LSTMForecaster,
    PinballLoss,
    interval_coverage,
    median_mae,
    predict,
)
from lstm_utils.training import fit


def lstm(features=2, hidden=8, **kwargs):
    torch.manual_seed(0)
    return nn.LSTM(features, hidden, batch_first=True, **kwargs)


def test_single_shot_shapes_with_and_without_quantiles():
    x = torch.randn(5, 7, 2)  # (batch, input_width, features)
    assert LSTMForecaster(lstm(), label_width=1)(x).shape == (5, 1)
    assert LSTMForecaster(lstm(), label_width=4, target_index=1)(x).shape == (5, 4)
    assert LSTMForecaster(lstm(), label_width=4, quantiles=(0.1, 0.5, 0.9))(x).shape == (5, 4, 3)
    assert AutoregressiveLSTM(lstm(), label_width=6)(x).shape == (5, 6)


@pytest.mark.parametrize("make", [
    lambda: LSTMForecaster(lstm(), label_width=3, target_index=1),
    lambda: AutoregressiveLSTM(lstm(), label_width=3, target_index=1),
])
def test_relative_forecasters_follow_a_shift_of_the_level(make):
    model, x = make(), torch.randn(4, 6, 2)
    shift = torch.tensor([0.0, 7.0])  # move the target's level by 7
    torch.testing.assert_close(model(x + shift), model(x) + 7.0, atol=1e-5, rtol=0)


def test_absolute_forecaster_does_not_follow_the_level():
    model, x = LSTMForecaster(lstm(), label_width=2, relative=False), torch.randn(4, 6, 2)
    assert not torch.allclose(model(x + 7.0), model(x) + 7.0, atol=1e-3)


def test_autoregressive_feeds_its_own_predictions_back():
    model, x = AutoregressiveLSTM(lstm(), label_width=4, relative=False), torch.randn(3, 5, 2)
    output, state = model.rnn(x)
    step = model.head(output[:, -1:])
    expected = [step]
    for _ in range(3):
        output, state = model.rnn(step, state)
        step = model.head(output)
        expected.append(step)
    torch.testing.assert_close(model(x), torch.cat(expected, 1)[..., 0])
    # the forecast depends only on the window: the same window gives the same forecast in any batch
    torch.testing.assert_close(model(x[1:2]), model(x)[1:2], atol=1e-6, rtol=0)


def test_bad_recurrent_layers_are_refused():
    with pytest.raises(ValueError, match="batch_first=True"):
        LSTMForecaster(nn.LSTM(2, 4), label_width=1)
    with pytest.raises(ValueError, match="bidirectional=False"):
        AutoregressiveLSTM(lstm(bidirectional=True), label_width=1)


def test_pinball_loss_by_hand_and_its_minimiser_is_the_quantile():
    loss = PinballLoss((0.1, 0.9))
    predictions = torch.tensor([[[0.0, 0.0]]])  # (batch, label_width, quantiles)
    # y - q = 2: levels 0.1 and 0.9 give 0.2 and 1.8, mean 1.0
    assert float(loss(predictions, torch.tensor([[2.0]]))) == pytest.approx(1.0)
    y = torch.randn(4001)
    candidates = torch.linspace(-3, 3, 601)
    losses = [float(PinballLoss((0.9,))(c.expand(4001, 1, 1), y[:, None])) for c in candidates]
    best = float(candidates[torch.tensor(losses).argmin()])
    assert best == pytest.approx(float(torch.quantile(y, 0.9)), abs=0.02)
    with pytest.raises(ValueError, match=r"expected predictions of shape \(1, 1, 2\)"):
        loss(torch.zeros(1, 1, 3), torch.zeros(1, 1))
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        PinballLoss((0.0, 0.5))


def test_median_mae_and_coverage():
    outputs = torch.tensor([[[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]]])  # (1, 2, 3)
    targets = torch.tensor([[1.5, 3.0]])
    assert median_mae((0.05, 0.5, 0.95))(outputs, targets) == mean_absolute_error(outputs[..., 1], targets)
    assert interval_coverage(outputs[..., 0], outputs[..., 2], targets) == 0.5
    with pytest.raises(ValueError, match="0.5 among"):
        median_mae((0.1, 0.9))
    with pytest.raises(ValueError, match="one shape"):
        interval_coverage(outputs[..., 0], outputs[..., 2], targets[:, :1])


def test_forecaster_learns_a_sine_with_the_shared_fit():
    torch.manual_seed(0)
    t = torch.arange(400, dtype=torch.float32)
    series = torch.sin(2 * torch.pi * t / 20)
    idx = torch.arange(160)[:, None] + torch.arange(21)
    windows = series[idx]
    x, y = windows[:, :20, None], windows[:, 20:]
    model = LSTMForecaster(nn.LSTM(1, 8, batch_first=True), label_width=1)
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0))
    before = float((predict(model, x) - y).abs().mean())
    fit(model, loader, optimizer=torch.optim.Adam(model.parameters(), 1e-2), loss_fn=nn.L1Loss(), epochs=12, progress=False)
    after = float((predict(model, x) - y).abs().mean())
    persistence = float((x[:, -1] - y).abs().mean())
    assert after < 0.5 * persistence < before


def test_hand_written_lstm_fits_in_the_forecasters():
    layers = pytest.importorskip("lstm_utils.layers")
    torch.manual_seed(0)
    ours = layers.LSTM(2, 8, batch_first=True)
    theirs = nn.LSTM(2, 8, batch_first=True)
    theirs.load_state_dict(ours.state_dict())
    x = torch.randn(3, 5, 2)
    for make in (lambda rnn: LSTMForecaster(rnn, 3), lambda rnn: AutoregressiveLSTM(rnn, 3)):
        a, b = make(ours), make(theirs)
        b.head.load_state_dict(a.head.state_dict())
        torch.testing.assert_close(a(x), b(x), atol=1e-5, rtol=1e-5)


def test_fit_forecaster_keeps_the_epoch_with_the_lowest_validation_error():
    torch.manual_seed(0)
    x, y = torch.randn(64, 6, 1), torch.randn(64, 2)
    model = LSTMForecaster(nn.LSTM(1, 4, batch_first=True), label_width=2)
    from lstm_utils.forecasting.model import fit_forecaster

    history = fit_forecaster(model, (x, y), (x[:16], y[:16]), epochs=4, lr=0.05)
    maes = history["dev_mae"]
    assert history.best_epoch == 1 + maes.index(min(maes))
    assert float((predict(model, x[:16]) - y[:16]).abs().mean()) == pytest.approx(min(maes), rel=1e-5)


@pytest.mark.parametrize("model_class", [LSTMForecaster, AutoregressiveLSTM])
def test_forecasters_check_label_width_target_and_window_shape(model_class):
    rnn = nn.LSTM(2, 8, batch_first=True)
    with pytest.raises(ValueError, match=r"expected label_width >= 1, got 0"):
        model_class(rnn, 0)
    with pytest.raises(TypeError, match=r"expected an int label_width, got float 2.5"):
        model_class(rnn, 2.5)
    with pytest.raises(ValueError, match=r"expected target_index in \[0, 2\) \(the layer's input features\), got 5"):
        model_class(rnn, 2, target_index=5)
    model = model_class(rnn, 2)
    with pytest.raises(ValueError, match=r"expected inputs of shape \(batch, input_width, 2\), got \(4, 6, 3\)"):
        model(torch.randn(4, 6, 3))
    with pytest.raises(ValueError, match=r"expected windows of at least one step, got shape \(4, 0, 2\)"):
        model(torch.randn(4, 0, 2))


def test_predict_and_fit_forecaster_check_their_windows():
    from lstm_utils.forecasting.model import fit_forecaster

    model = LSTMForecaster(nn.LSTM(2, 8, batch_first=True), 2)
    windows = torch.randn(4, 6, 2)
    with pytest.raises(ValueError, match=r"expected batch_size >= 1, got 0"):
        predict(model, windows, batch_size=0)
    with pytest.raises(ValueError, match=r"expected a tensor of at least one window, got torch.Size\(\[0, 6, 2\]\)"):
        predict(model, windows[:0])
    with pytest.raises(ValueError, match=r"expected train = \(inputs, labels\) with as many labels as windows .* "
                                         r"got \[\(4, 6, 2\), \(3, 2\)\]"):
        fit_forecaster(model, (windows, torch.zeros(3, 2)), (windows, torch.zeros(4, 2)), epochs=1)
