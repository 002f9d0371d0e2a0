"""The `glassgrad` command, run in-process through `nn.cli.main([...])`."""

from __future__ import annotations

import json

import numpy as np
import pytest

import autograd
import nn
from nn.cli import build_model, main


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def record(folder):
    return json.loads((folder / "run.json").read_text())


# --- train ------------------------------------------------------------------------------


def test_train_xor_writes_everything(tmp_path, capsys):
    status, out, err = run(capsys, "train", "--dataset", "xor", "--epochs", "3", "--out", str(tmp_path),
                           "--no-progress")
    assert status == 0, err
    assert "test accuracy" in out and "confusion matrix" in out
    for name in ("loss_accuracy.png", "model.svg", "weights.npz", "decision_boundary.png", "run.json"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert len(record(tmp_path)["history"]["epochs"]) == 3


def test_train_xor_learns(tmp_path, capsys):
    status, _out, err = run(capsys, "train", "--dataset", "xor", "--epochs", "25", "--out", str(tmp_path),
                           "--no-progress")
    assert status == 0, err
    assert record(tmp_path)["test_accuracy"] > 0.95


@pytest.mark.parametrize("options", [
    ["--optimizer", "sgd", "--lr", "0.2", "--weight-decay", "1e-4"],
    ["--optimizer", "momentum", "--dropout", "0.2", "--schedule", "cosine"],
    ["--optimizer", "rmsprop", "--model", "tanh-16bn-16", "--schedule", "plateau"],
    ["--optimizer", "adagrad", "--batch-size", "64", "--schedule", "step", "--seed", "3"],
])
def test_train_options(tmp_path, capsys, options):
    status, _, err = run(capsys, "train", "--dataset", "moons", "--epochs", "2", "--out", str(tmp_path),
                         "--no-progress", *options)
    assert status == 0, err
    assert record(tmp_path)["arguments"]["optimizer"] == options[1]


@pytest.mark.parametrize("dataset", ["spirals", "circles"])
def test_train_toy_datasets(tmp_path, capsys, dataset):
    status, _, err = run(capsys, "train", "--dataset", dataset, "--epochs", "1", "--out", str(tmp_path),
                         "--no-progress")
    assert status == 0, err
    assert record(tmp_path)["dataset"] == dataset


def test_train_shows_progress_bars(tmp_path, capsys):
    status, _, err = run(capsys, "train", "--dataset", "xor", "--epochs", "2", "--out", str(tmp_path))
    assert status == 0
    assert "epoch 2/2" in err and "val_acc=" in err


def test_train_is_reproducible(tmp_path, capsys):
    for name in ("a", "b"):
        assert run(capsys, "train", "--dataset", "moons", "--epochs", "2", "--seed", "7", "--no-progress",
                   "--out", str(tmp_path / name))[0] == 0
    first, second = autograd.load(tmp_path / "a" / "weights.npz"), autograd.load(tmp_path / "b" / "weights.npz")
    assert all(np.array_equal(first[k].numpy(), second[k].numpy()) for k in first)


def test_early_stopping_patience(tmp_path, capsys):
    status, out, _ = run(capsys, "train", "--dataset", "xor", "--epochs", "200", "--patience", "2",
                         "--lr", "0.05", "--out", str(tmp_path), "--no-progress")
    assert status == 0
    history = record(tmp_path)["history"]
    assert history["stop_reason"] == "early_stopping" and len(history["epochs"]) < 200
    assert "early stopping after epoch" in out


def _write_idx(path, array):
    codes = {np.dtype(np.uint8): 0x08}
    header = bytes([0, 0, codes[array.dtype], array.ndim]) + b"".join(
        int(s).to_bytes(4, "big") for s in array.shape)
    path.write_bytes(header + array.tobytes())


def test_train_on_an_mnist_folder(tmp_path, capsys):
    rng = np.random.default_rng(0)
    folder = tmp_path / "mnist"
    folder.mkdir()
    for prefix, n in (("train", 60), ("t10k", 20)):
        _write_idx(folder / f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        _write_idx(folder / f"{prefix}-labels-idx1-ubyte", rng.integers(0, 10, n, dtype=np.uint8))
    status, out, err = run(capsys, "train", "--dataset", str(folder), "--model", "32", "--epochs", "1",
                           "--out", str(tmp_path / "out"), "--no-progress")
    assert status == 0, err
    assert "shape 1x28x28, 10 classes" in out


# --- bad arguments: one line, non-zero, no traceback ----------------------------------------


@pytest.mark.parametrize("argv", [
    [],
    ["frobnicate"],
    ["train", "--lr", "abc"],
    ["train", "--lr", "-1"],
    ["train", "--lr", "nan"],
    ["train", "--epochs", "0"],
    ["train", "--batch-size", "many"],
    ["train", "--dropout", "1.5"],
    ["train", "--weight-decay", "-0.1"],
    ["train", "--seed", "-3"],
    ["train", "--optimizer", "lbfgs"],
    ["train", "--dataset", "no-such-dataset"],
    ["train", "--dataset", "xor", "--model", "cnn"],
    ["train", "--dataset", "xor", "--model", "conv8-64"],
    ["train", "--dataset", "xor", "--model", "64-wat"],
    ["train", "--dataset", "digits", "--model", "pool-pool-pool-pool"],
    ["train", "--dataset", "xor", "--limit", "3"],
    ["train", "--unknown-flag"],
    ["graph", "--model", "conv8", "--dataset", "moons"],
    ["demo", "--epochs", "-2"],
    ["train", "--dataset", "xor", "--model", ""],
    ["train", "--dataset", "xor", "--model", " - "],
    ["graph", "--model", ""],
])
def test_bad_arguments_give_one_line(capsys, argv):
    status, _out, err = run(capsys, *argv)
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("glassgrad") and "error:" in lines[0], err
    assert "Traceback" not in err


def test_missing_mnist_folder_files(tmp_path, capsys):
    status, _, err = run(capsys, "train", "--dataset", str(tmp_path), "--out", str(tmp_path / "out"))
    assert status == 1
    assert len(err.strip().splitlines()) == 1 and "train-images-idx3-ubyte" in err


def test_help_and_version(capsys):
    assert main(["--help"]) == 0
    assert "demo" in capsys.readouterr().out
    assert main(["train", "--help"]) == 0
    assert "--weight-decay" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert autograd.__version__ in capsys.readouterr().out


def test_unexpected_errors_are_one_line(tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("something deep went wrong\nwith details on a second line")

    monkeypatch.setattr(nn.train, "fit", broken)
    status, _, err = run(capsys, "train", "--dataset", "xor", "--out", str(tmp_path))
    assert status == 1
    assert err.strip() == "glassgrad: error: something deep went wrong"


# --- divergence and Ctrl-C ----------------------------------------------------------------------


def test_nan_loss_stops_with_a_clear_message(tmp_path, capsys):
    status, _, err = run(capsys, "train", "--dataset", "xor", "--optimizer", "sgd", "--lr", "1e6",
                         "--epochs", "3", "--out", str(tmp_path), "--no-progress")
    assert status == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "the loss became nan" in lines[0] and "(e.g. --lr 0.1)" in lines[0]  # sgd's default, not 1e6 / 10


def test_a_diverged_small_learning_rate_gets_a_tenth_of_it():
    import argparse

    from nn.cli import make_optimizer, smaller_lr

    w = [autograd.zeros(2, requires_grad=True)]
    args = argparse.Namespace(optimizer="adam")
    assert smaller_lr(args, make_optimizer("adam", w, lr=1.0)) == 0.005  # above the default: the default
    assert smaller_lr(args, make_optimizer("adam", w, lr=0.002)) == pytest.approx(0.0002)


def test_the_saved_weights_are_those_of_the_best_epoch_and_the_output_says_so(tmp_path, capsys):
    status, out, err = run(capsys, "train", "--dataset", "xor", "--epochs", "30", "--lr", "0.3",
                           "--out", str(tmp_path), "--no-progress")
    assert status == 0, err
    history = record(tmp_path)["history"]
    losses = [epoch["val_loss"] for epoch in history["epochs"]]
    best = int(np.argmin(losses)) + 1
    assert history["best_epoch"] == history["weights_epoch"] == best
    assert best < len(losses)  # (else nothing was restored and the test shows nothing)
    assert f"weights of epoch {best} (the best validation loss)" in out
    assert f"restored the weights of epoch {best}, the best val_loss" in out
    model = build_model("mlp", (2,), 2)
    model.load_state_dict(autograd.load(tmp_path / "weights.npz"))
    data = nn.cli.load_data("xor", 0)
    loader = nn.data.DataLoader(data.val, batch_size=1000)
    val_loss = nn.train.evaluate(model, nn.CrossEntropyLoss(), loader)["loss"]
    assert val_loss == pytest.approx(losses[best - 1], rel=1e-5)  # weights.npz holds the best epoch


def test_ctrl_c_stops_cleanly_and_keeps_the_best_weights(tmp_path, capsys, monkeypatch):
    saved = {}
    original_step, calls = nn.optim.Adam.step, [0]

    def step(self, *args, **kwargs):
        calls[0] += 1
        if calls[0] == 12 + 5:  # 12 batches per epoch: Ctrl-C in the middle of epoch 2
            saved.update({k: v.numpy().copy() for k, v in model_of(self).items()})
            raise KeyboardInterrupt
        return original_step(self, *args, **kwargs)

    def model_of(optimizer):
        return {str(i): p for i, p in enumerate(p for g in optimizer.param_groups for p in g["params"])}

    monkeypatch.setattr(nn.optim.Adam, "step", step)
    status, out, err = run(capsys, "train", "--dataset", "xor", "--epochs", "10", "--out", str(tmp_path),
                           "--no-progress")
    assert status == 130, err  # the convention for Ctrl-C, once everything is saved
    assert "Traceback" not in err
    assert "interrupted during epoch 2" in out and "restored the weights of epoch 1" in out
    assert "test accuracy" in out and "weights of epoch 1 (the best validation loss)" in out
    history = record(tmp_path)["history"]
    assert history["stop_reason"] == "interrupted" and len(history["epochs"]) == 1
    assert history["weights_epoch"] == 1
    weights = autograd.load(tmp_path / "weights.npz")
    # the saved weights are epoch 1's, not those of the interrupted middle of epoch 2
    assert not all(np.array_equal(w.numpy(), saved[str(i)]) for i, w in enumerate(weights.values()))


def test_ctrl_c_outside_training(capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("nn.cli.load_data", interrupted)
    status, _, err = run(capsys, "train", "--dataset", "xor")
    assert status == 130
    assert err.strip() == "glassgrad: interrupted"


# --- demo, graph, check ---------------------------------------------------------------------------


def test_demo_writes_plot_graph_and_weights(tmp_path, capsys):
    status, out, err = run(capsys, "demo", "--epochs", "1", "--out", str(tmp_path), "--no-progress")
    assert status == 0, err
    assert "test accuracy" in out and "confusion matrix" in out
    assert (tmp_path / "loss_accuracy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (tmp_path / "model.svg").read_bytes()[:1000]
    state = autograd.load(tmp_path / "weights.npz")
    model = build_model("cnn", (1, 8, 8), 10)
    model.load_state_dict(state)  # the weights fit the demo's model
    assert record(tmp_path)["model"] == "conv8-pool-conv16-pool-64"


def test_demo_progress_bar_shows_live_metrics(tmp_path, capsys):
    status, _, err = run(capsys, "demo", "--epochs", "1", "--limit", "300", "--out", str(tmp_path))
    assert status == 0
    assert "epoch 1/1" in err and "loss=" in err and "acc=" in err


def test_demo_without_graphviz_writes_the_graph_source(tmp_path, capsys, monkeypatch):
    from autograd import draw

    def no_dot(self, *args, **kwargs):
        raise draw.GraphvizNotInstalled(draw.INSTALL_HINT)

    monkeypatch.setattr(draw.Digraph, "pipe", no_dot)
    status, _, err = run(capsys, "demo", "--epochs", "1", "--limit", "300", "--out", str(tmp_path), "--no-progress")
    assert status == 0
    assert (tmp_path / "model.gv").read_text().startswith("digraph") and not (tmp_path / "model.svg").exists()
    assert "apt-get install graphviz" in err and (tmp_path / "weights.npz").exists()


@pytest.mark.parametrize("suffix", ["svg", "gv"])
def test_graph(tmp_path, capsys, suffix):
    path = tmp_path / f"graph.{suffix}"
    status, _out, err = run(capsys, "graph", "--model", "mlp", "--dataset", "xor", "--loss", "--out", str(path))
    assert status == 0, err
    text = path.read_text()
    assert ("<svg" in text) if suffix == "svg" else text.startswith("digraph")
    assert "linear" in text


def test_graph_of_the_cnn_collapsed(tmp_path, capsys):
    path = tmp_path / "cnn.svg"
    assert run(capsys, "graph", "--collapse", "--out", str(path))[0] == 0
    assert "Conv2d" in path.read_text()


def test_check_calls_autograd_check(capsys, monkeypatch):
    import sys
    import types

    seen = []
    module = types.ModuleType("autograd.check")
    module.main = lambda argv, prog: seen.append((argv, prog)) or 0
    monkeypatch.setitem(sys.modules, "autograd.check", module)
    assert main(["check", "--quick", "-k", "exp"]) == 0
    assert seen == [(["--quick", "-k", "exp"], "glassgrad check")]


def test_check_help_names_the_glassgrad_command(capsys):
    assert main(["check", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: glassgrad check") and "python -m" not in out


def test_check_without_hypothesis_says_what_to_install(capsys, monkeypatch):
    import sys

    hidden = [m for m in sys.modules if m.split(".")[0] == "hypothesis" or m.startswith("autograd.optable")]
    for name in hidden:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # an import of it fails
    assert main(["check", "exp"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "glassgrad check: error: the gradient checks need hypothesis: pip install hypothesis"


# --- the layer spec ---------------------------------------------------------------------------------


def test_layer_spec_builds_the_layers():
    model = build_model("conv4k5bn-pool-tanh-16bn-drop0.25", (1, 8, 8), 3)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "BatchNorm1d", "Tanh",
                     "Dropout", "Linear"]
    assert model[0].kernel_size == (5, 5) and model[5].in_features == 4 * 4 * 4
    assert model(autograd.randn(2, 1, 8, 8)).shape == (2, 3)
