"""The shared training loop: learns, records history, keeps the best epoch, evaluates exactly."""

import math

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lstm_utils.metrics import accuracy
from lstm_utils.reproducibility import seed_everything
from lstm_utils.training import History, evaluate, evaluating, fit, ridge_regression


def _separable(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=g)
    y = (x[:, 0] + x[:, 1] > 0).long()
    return TensorDataset(x, y)


def _train(epochs=15, **kwargs):
    generator = seed_everything(0)
    model = nn.Linear(2, 2)
    train = DataLoader(_separable(), batch_size=16, shuffle=True, generator=generator)
    dev = DataLoader(_separable(seed=1), batch_size=32)
    history = fit(model, train, optimizer=torch.optim.SGD(model.parameters(), lr=0.5), loss_fn=nn.CrossEntropyLoss(),
                  epochs=epochs, dev_loader=dev, metrics={"accuracy": accuracy}, progress=False, **kwargs)
    return model, history, dev


def test_fit_learns_a_separable_problem():
    model, history, dev = _train()
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert evaluate(model, dev, metrics={"accuracy": accuracy})["accuracy"] >= 0.9


def test_fit_is_reproducible_with_the_same_seed():
    _, first, _ = _train(epochs=3)
    _, second, _ = _train(epochs=3)
    assert first.records == second.records


def test_fit_restores_the_best_epoch():
    model, history, dev = _train(monitor="dev_accuracy")
    best = history.best
    assert best["dev_accuracy"] == max(history["dev_accuracy"])
    assert evaluate(model, dev, metrics={"accuracy": accuracy})["accuracy"] == pytest.approx(best["dev_accuracy"])


def test_fit_stops_early_with_patience():
    seed_everything(0)
    model = nn.Linear(2, 2)
    x, y = _separable().tensors
    train = DataLoader(TensorDataset(x, y), batch_size=16)
    flipped = DataLoader(TensorDataset(x, 1 - y), batch_size=16)  # dev loss rises as training succeeds
    history = fit(model, train, optimizer=torch.optim.SGD(model.parameters(), lr=0.5), loss_fn=nn.CrossEntropyLoss(),
                  epochs=50, dev_loader=flipped, patience=2, progress=False)
    assert len(history.records) == history.best_epoch + 2 < 50


def test_fit_rejects_unknown_monitor_and_bad_epochs():
    with pytest.raises(KeyError, match="dev_f1"):
        _train(epochs=1, monitor="dev_f1")
    with pytest.raises(ValueError, match="epochs >= 1"):
        _train(epochs=0)


def test_fit_refuses_bad_arguments_before_training():
    model = nn.Linear(2, 2)
    before = [p.clone() for p in model.parameters()]
    train = DataLoader(_separable(), batch_size=16)
    sgd = torch.optim.SGD(model.parameters(), lr=0.5)
    cases = [
        (dict(epochs=1.5), TypeError, r"expected an int epochs, got float 1.5"),
        (dict(patience=0), ValueError, r"expected patience >= 1 or None, got 0"),
        (dict(grad_clip=-1.0), ValueError, r"expected grad_clip > 0 or None, got -1.0"),
        (dict(optimizer=None), TypeError, r"expected a torch.optim.Optimizer, got NoneType"),
        (dict(metrics=[accuracy]), TypeError, r"expected metrics as a dict \{name: metric\(outputs, targets\)\}"),
        (dict(dev_loader=train, monitor="dev_acc", metrics={"accuracy": accuracy}), KeyError,
         r"expected monitor to be one of the recorded values \['dev_loss', 'dev_accuracy'\], got 'dev_acc'"),
    ]
    for kwargs, error, message in cases:
        arguments = dict(optimizer=sgd, loss_fn=nn.CrossEntropyLoss(), epochs=2, progress=False) | kwargs
        with pytest.raises(error, match=message):
            fit(model, train, **arguments)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))  # no step was taken


def test_fit_refuses_a_train_loader_without_batches():
    model = nn.Linear(2, 2)
    empty = DataLoader(TensorDataset(torch.zeros(0, 2), torch.zeros(0, dtype=torch.long)), batch_size=4)
    with pytest.raises(ValueError, match="expected a train_loader that yields batches, got one that yielded none"):
        fit(model, empty, optimizer=torch.optim.SGD(model.parameters(), lr=0.1), loss_fn=nn.CrossEntropyLoss(),
            epochs=1, progress=False)


def test_ridge_regression_checks_shapes_and_penalty():
    with pytest.raises(ValueError, match=r"same n, got \(3, 2\) and \(4, 1\)"):
        ridge_regression(torch.zeros(3, 2), torch.zeros(4, 1), 0.1)
    with pytest.raises(ValueError, match=r"expected a penalty >= 0, got -1.0"):
        ridge_regression(torch.zeros(3, 2), torch.zeros(3, 1), -1.0)


def test_evaluate_does_not_depend_on_batch_size():
    model = nn.Linear(2, 2)
    data = _separable(n=50)
    results = [evaluate(model, DataLoader(data, batch_size=b), loss_fn=nn.CrossEntropyLoss(), metrics={"accuracy": accuracy})
               for b in (1, 7, 50)]
    for r in results[1:]:
        assert r["accuracy"] == results[0]["accuracy"]
        assert math.isclose(r["loss"], results[0]["loss"], rel_tol=1e-5)


def test_evaluate_restores_training_mode_and_rejects_empty_loader():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    model.train()
    evaluate(model, DataLoader(_separable(n=4), batch_size=2))
    assert model.training
    with pytest.raises(ValueError, match="no batches"):
        evaluate(model, [])


def test_history_frame_and_keys():
    history = History(records=[{"epoch": 1, "train_loss": 1.0}, {"epoch": 2, "train_loss": 0.5}])
    assert history.keys() == ["epoch", "train_loss"]
    assert history.best["epoch"] == 2
    assert list(history.to_frame()["train_loss"]) == [1.0, 0.5]
    with pytest.raises(ValueError, match="empty"):
        History().best


def test_default_forward_rejects_a_bare_tensor_batch():
    with pytest.raises(ValueError, match=r"\(\*inputs, targets\)"):
        evaluate(nn.Linear(2, 2), [torch.zeros(2, 2)])


def test_fit_minimises_error_metrics():
    from lstm_utils.metrics import mean_absolute_error

    def forward(model, batch, device):
        x, y = batch
        return model(x).squeeze(-1), y

    seed_everything(0)
    model = nn.Linear(1, 1)
    x = torch.linspace(-1, 1, 32).unsqueeze(-1)
    data = DataLoader(TensorDataset(x, 3 * x.squeeze(-1)), batch_size=8)
    history = fit(model, data, optimizer=torch.optim.SGD(model.parameters(), lr=0.1), loss_fn=nn.MSELoss(), epochs=5,
                  dev_loader=data, metrics={"mae": mean_absolute_error}, monitor="dev_mae",
                  forward=forward, progress=False)
    assert history.best["dev_mae"] == min(history["dev_mae"])


def test_evaluating_restores_the_mode_even_on_an_error():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    with evaluating(model):
        assert not model.training and not model[1].training
    assert model.training
    model.eval()
    with evaluating(model):
        pass
    assert not model.training  # a model in eval mode stays there
    model.train()
    with pytest.raises(RuntimeError, match="boom"):
        with evaluating(model):
            raise RuntimeError("boom")
    assert model.training and model[1].training


def test_ridge_regression_recovers_weights_and_leaves_the_bias_unpenalised():
    torch.manual_seed(0)
    x = torch.cat([torch.randn(50, 3, dtype=torch.float64), torch.ones(50, 1, dtype=torch.float64)], dim=1)
    w = torch.tensor([[1.0], [-2.0], [0.5], [3.0]], dtype=torch.float64)
    y = x @ w
    torch.testing.assert_close(ridge_regression(x, y, 0.0), w)
    big = ridge_regression(x, y, 1e6, penalize_last=False)  # weights shrink to 0, the bias takes the mean
    assert big[:3].abs().max() < 1e-3
    assert abs(float(big[3, 0]) - float(y.mean())) < 1e-2
    batched = ridge_regression(torch.stack([x, 2 * x]), y, 0.0)  # (2, 4, 1): one problem per leading index
    torch.testing.assert_close(batched[1], w / 2)
