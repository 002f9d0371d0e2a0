"""nn.train: fit, evaluate, predict, the metrics and History."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
from nn.data import DataLoader, TensorDataset
from nn.data.datasets import make_moons
from nn.train import History, accuracy, confusion_matrix, evaluate, fit, format_confusion_matrix, predict


def setup(seed=0, lr=0.05, optimizer=nn.optim.Adam):
    autograd.manual_seed(seed)
    X, y = make_moons(200, noise=0.1, generator=seed)
    train, val = TensorDataset(X[:150], y[:150]), TensorDataset(X[150:], y[150:])
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    return (model, nn.CrossEntropyLoss(), optimizer(model.parameters(), lr=lr),
            DataLoader(train, 32, shuffle=True, generator=seed), DataLoader(val, 50))


def weights(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def test_fit_records_history_and_learns():
    model, loss_fn, optimizer, train, val = setup()
    history = fit(model, loss_fn, optimizer, train, val, epochs=15, progress=False)
    assert len(history) == 15 and history.stop_reason == "completed"
    assert history.keys() == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "time"]
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_accuracy"][-1] > 0.85
    assert len(history.batch_losses) == 15 * len(train)
    assert history.best_value == min(history["val_loss"])
    assert history.best_epoch == 1 + int(np.argmin(history["val_loss"]))
    assert model.training  # left in training mode
    result = evaluate(model, loss_fn, val)
    assert math.isclose(result["loss"], history["val_loss"][-1], rel_tol=1e-5)


def test_fit_without_validation_monitors_the_training_loss():
    model, loss_fn, optimizer, train, _ = setup()
    history = fit(model, loss_fn, optimizer, train, epochs=3, progress=False)
    assert history.monitor == "loss" and "val_loss" not in history


def test_early_stopping_restores_the_best_weights():
    model, loss_fn, optimizer, train, val = setup(lr=0.05)
    snapshots = {}
    history = fit(model, loss_fn, optimizer, train, val, epochs=300, patience=3, progress=False,
                  callbacks=[lambda epoch, logs: snapshots.__setitem__(epoch, weights(model))])
    assert history.stop_reason == "early_stopping"
    assert len(history) == history.best_epoch + 3
    best = snapshots[history.best_epoch]
    assert all(np.array_equal(v, best[k]) for k, v in weights(model).items())
    assert "restored the weights of epoch" in history.message


def overfitting_setup():
    """Noisy moons, few points, a wide network: the validation loss is best early."""
    autograd.manual_seed(0)
    X, y = make_moons(120, noise=0.5, generator=0)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    return (model, nn.CrossEntropyLoss(), nn.optim.Adam(model.parameters(), lr=0.02),
            DataLoader(TensorDataset(X[:80], y[:80]), 16, shuffle=True, generator=0),
            DataLoader(TensorDataset(X[80:], y[80:]), 40))


def test_restore_best_puts_back_the_best_epoch_after_a_completed_run():
    model, loss_fn, optimizer, train, val = overfitting_setup()
    snapshots = {}
    history = fit(model, loss_fn, optimizer, train, val, epochs=15, progress=False, restore_best=True,
                  callbacks=[lambda epoch, logs: snapshots.__setitem__(epoch, weights(model))])
    assert history.stop_reason == "completed" and history.best_epoch < 15  # else the test shows nothing
    assert history.weights_epoch == history.best_epoch
    best = snapshots[history.best_epoch]
    assert all(np.array_equal(v, best[k]) for k, v in weights(model).items())
    assert history.message == f"restored the weights of epoch {history.best_epoch}, the best val_loss"
    assert history.to_dict()["weights_epoch"] == history.best_epoch
    model, loss_fn, optimizer, train, val = overfitting_setup()
    plain = fit(model, loss_fn, optimizer, train, val, epochs=15, progress=False)
    assert plain.weights_epoch == 15 and plain.message == ""  # by default the last epoch's weights stay


def test_monitor_a_metric_to_maximise():
    model, loss_fn, optimizer, train, val = setup()
    history = fit(model, loss_fn, optimizer, train, val, epochs=5, monitor="val_accuracy", progress=False)
    assert history.mode == "max" and history.best_value == max(history["val_accuracy"])


def test_unknown_monitor():
    model, loss_fn, optimizer, train, _ = setup()
    with pytest.raises(KeyError, match="val_loss"):
        fit(model, loss_fn, optimizer, train, epochs=2, monitor="val_loss", progress=False)


def test_keyboard_interrupt_stops_cleanly_with_the_best_weights():
    model, loss_fn, optimizer, train, val = setup()
    snapshots = {}

    def callback(epoch, logs):
        snapshots[epoch] = weights(model)
        if epoch == 4:
            raise KeyboardInterrupt

    history = fit(model, loss_fn, optimizer, train, val, epochs=10, callbacks=[callback], progress=False)
    assert history.stop_reason == "interrupted" and len(history) == 4
    best = snapshots[history.best_epoch]
    assert all(np.array_equal(v, best[k]) for k, v in weights(model).items())


def test_nan_loss_stops_with_a_warning_and_the_best_weights():
    model, loss_fn, optimizer, train, _val = setup()
    calls = [0]

    def sometimes_nan(output, target):
        calls[0] += 1
        loss = loss_fn(output, target)
        return loss * float("nan") if calls[0] == 2 * len(train) + 3 else loss

    before_nan = {}
    with pytest.warns(RuntimeWarning, match=r"the loss became nan at epoch 3, batch 3 of 5"):
        history = fit(model, sometimes_nan, optimizer, train, epochs=10, progress=False,
                      callbacks=[lambda epoch, logs: before_nan.__setitem__(epoch, weights(model))])
    assert history.stop_reason == "nan" and len(history) == 2
    assert "smaller learning rate" in history.message
    assert all(np.isfinite(v).all() for v in weights(model).values())
    best = before_nan[history.best_epoch]
    assert all(np.array_equal(v, best[k]) for k, v in weights(model).items())


def test_schedulers_step_once_per_epoch():
    model, loss_fn, optimizer, train, val = setup(lr=0.1, optimizer=nn.optim.SGD)
    scheduler = nn.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    history = fit(model, loss_fn, optimizer, train, val, epochs=5, scheduler=scheduler, progress=False)
    assert history["lr"] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])


def test_reduce_on_plateau_gets_the_monitored_value():
    model, loss_fn, optimizer, train, val = setup(lr=0.1, optimizer=nn.optim.SGD)
    scheduler = nn.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0, factor=0.5, threshold=10.0)
    history = fit(model, loss_fn, optimizer, train, val, epochs=3, scheduler=scheduler, progress=False)
    assert history["lr"] == pytest.approx([0.1, 0.05, 0.025])  # never a 10x improvement: halved each epoch


def test_progress_bar(capsys):
    model, loss_fn, optimizer, train, val = setup()
    fit(model, loss_fn, optimizer, train, val, epochs=2)
    err = capsys.readouterr().err
    assert "epoch 2/2" in err and "val_acc=" in err


def test_bad_arguments():
    model, loss_fn, optimizer, train, _ = setup()
    with pytest.raises(ValueError, match="epochs"):
        fit(model, loss_fn, optimizer, train, epochs=0)
    with pytest.raises(ValueError, match="patience"):
        fit(model, loss_fn, optimizer, train, patience=0)


def test_accuracy_for_logits_and_single_logits():
    logits = autograd.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]])
    assert accuracy(logits, autograd.tensor([0, 1, 1])) == pytest.approx(2 / 3)
    single = autograd.tensor([[1.5], [-0.5], [0.2]])
    assert accuracy(single, autograd.tensor([[1.0], [0.0], [0.0]])) == pytest.approx(2 / 3)
    assert accuracy(single.reshape(3), np.array([1, 0, 1])) == 1.0


def test_predict_and_confusion_matrix():
    model, _loss_fn, _optimizer, _train, val = setup()
    outputs, targets = predict(model, val)
    assert outputs.shape == (50, 2) and targets.shape == (50,)
    counts = confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], num_classes=3)
    assert counts.tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    text = format_confusion_matrix(counts)
    assert text.splitlines()[0].split() == ["0", "1", "2"] and len(text.splitlines()) == 4


def test_history_access_and_plot(tmp_path):
    model, loss_fn, optimizer, train, val = setup()
    history = fit(model, loss_fn, optimizer, train, val, epochs=2, progress=False)
    with pytest.raises(KeyError, match="no 'f1'"):
        history["f1"]
    assert "2 epochs" in repr(history) and repr(History()).startswith("History(0 epochs")
    figure = history.plot(tmp_path / "h.png", title="moons")
    assert len(figure.axes) == 2 and (tmp_path / "h.png").stat().st_size > 0


# --- training on nothing (issue 17, item 9) --------------------------------------------------


@pytest.mark.parametrize("n, batch_size, drop_last", [(0, 1, False), (0, 32, True), (3, 4, True), (1, 2, True)])
def test_fit_on_a_loader_without_samples_raises_instead_of_reporting_success(n, batch_size, drop_last):
    model, loss_fn, optimizer, _, val = setup()
    X, y = autograd.randn(n, 2), autograd.zeros(n, dtype=autograd.int64)
    empty = DataLoader(TensorDataset(X, y), batch_size, drop_last=drop_last)
    before = weights(model)
    with pytest.raises(ValueError, match="no samples"):
        fit(model, loss_fn, optimizer, empty, val, epochs=2, progress=False)
    assert all(np.array_equal(before[k], v) for k, v in weights(model).items())


def test_evaluate_and_predict_of_an_empty_loader_raise():
    model, loss_fn, *_ = setup()
    empty = DataLoader(TensorDataset(autograd.randn(0, 2), autograd.zeros(0, dtype=autograd.int64)))
    with pytest.raises(ValueError, match="no samples"):
        evaluate(model, loss_fn, empty)
    with pytest.raises(ValueError, match="no batches"):
        predict(model, empty)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("patience", [None, 2])
def test_validation_data_of_nan_says_nan(bad, patience):
    model, loss_fn, optimizer, train, _ = setup()
    X = autograd.full((10, 2), bad)
    val = DataLoader(TensorDataset(X, autograd.zeros(10, dtype=autograd.int64)), 5)
    with pytest.warns(RuntimeWarning, match="val_loss is nan at epoch 1: the validation data"):
        history = fit(model, loss_fn, optimizer, train, val, epochs=3, patience=patience, progress=False)
    assert history.best_epoch is None and all(math.isnan(v) for v in history["val_loss"])
    if patience:
        assert history.stop_reason == "early_stopping"
        assert "val_loss was never a finite number" in history.message and "no epoch was completed" not in history.message
