"""The `glassgrad` command refuses to train on nothing and fails before training, not
after it (issue 17, item 9 and "errors a user can act on")."""

from __future__ import annotations

import pytest

from nn.cli import main


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("dataset, limit", [("digits", 1), ("xor", 1), ("xor", 2), ("moons", 3), ("circles", 1)])
def test_a_limit_too_small_to_split_is_refused_before_training(tmp_path, capsys, dataset, limit):
    """`--dataset digits --limit 1` trained on 0 samples and printed test accuracy 100%."""
    status, out, err = run(capsys, "train", "--dataset", dataset, "--limit", str(limit), "--epochs", "1",
                           "--out", str(tmp_path), "--no-progress")
    assert status == 2 and "too few to split" in err and len(err.strip().splitlines()) == 1
    assert "test accuracy" not in out and not list(tmp_path.iterdir())


@pytest.mark.parametrize("dataset, limit", [("digits", 2), ("xor", 5)])
def test_the_smallest_limits_that_split_train(tmp_path, capsys, dataset, limit):
    status, out, err = run(capsys, "train", "--dataset", dataset, "--limit", str(limit), "--epochs", "1",
                           "--out", str(tmp_path), "--no-progress")
    assert status == 0, err
    assert "0 training" not in out and "test accuracy" in out


@pytest.mark.parametrize("command", ["train", "demo"])
def test_an_out_folder_that_cannot_be_written_is_found_before_training(tmp_path, capsys, command):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    status, out, err = run(capsys, command, "--epochs", "1", "--out", str(blocker / "out"), "--no-progress")
    assert status == 2 and "argument --out: cannot write into" in err
    assert "epoch" not in out + err.replace("--epochs", "")


@pytest.mark.parametrize("examples", ["0", "-3", "two", "1.5"])
def test_check_with_no_examples_is_a_usage_error_not_a_fail_per_op(capsys, examples):
    status, out, err = run(capsys, "check", "--examples", examples, "exp")
    assert status == 2 and "expected a positive integer" in err and "FAIL" not in out
