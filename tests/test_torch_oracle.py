"""The recorded torch oracle (tests/torch_oracle.py) fails where it should: a missing or stale
recording, a result that differs from the recorded or the live one, a case used twice."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from tests import torch_oracle
from tests.torch_oracle import TorchOracle

FAKE_TORCH = object()  # stands in for the torch module: theirs() below ignores it


def _theirs(value):
    return lambda torch: {"out": np.array(value), "name": "relu"}


@pytest.fixture
def record(tmp_path, monkeypatch):
    """record(case, value, inputs) writes a one-case fixture file; returns an oracle reading it."""

    def record(case, value, inputs=None):
        monkeypatch.setattr(torch_oracle, "_recording", {})
        monkeypatch.setattr(torch_oracle, "import_torch", lambda: FAKE_TORCH)
        writer = _oracle(tmp_path)
        writer.results(_theirs(value), case, inputs)
        torch_oracle.write_fixture(writer.fixture, torch_oracle.recordings()[writer.fixture])
        monkeypatch.setattr(torch_oracle, "_recording", None)
        monkeypatch.setattr(torch_oracle, "import_torch", lambda: None)  # as in CI
        return _oracle(tmp_path)

    return record


def _oracle(tmp_path):
    return _with(tmp_path / "recorded.npz")


def test_recorded_results_are_compared(record):
    oracle = record("case", [1.0, 2.0], {"x": np.arange(3.0)})
    oracle.check(
        {"out": np.array([1.0, 2.0 + 1e-9]), "name": "relu"}, _theirs(None), "case", {"x": np.arange(3.0)}
    )


@pytest.mark.parametrize(
    "ours, message",
    [
        ({"out": np.array([1.0, 2.5]), "name": "relu"}, "Not equal to tolerance"),
        ({"out": np.array([1.0, 2.0], np.float32), "name": "relu"}, "dtype float32, expected float64"),
        ({"out": np.array([[1.0, 2.0]]), "name": "relu"}, r"shape \(1, 2\), expected \(2,\)"),
        ({"out": np.array([1.0, 2.0]), "name": "ReLU"}, "Arrays are not equal"),
        ({"out": np.array([1.0, 2.0])}, r"results \['name', 'out'\], glassgrad's \['out'\]"),
    ],
)
def test_a_result_unlike_the_recorded_one_fails(record, ours, message):
    oracle = record("case", [1.0, 2.0])
    with pytest.raises(AssertionError, match=message) as failure:
        oracle.check(ours, _theirs(None), "case")
    assert "recorded torch" in str(failure.value)


def test_live_torch_is_compared_too_where_installed(record, monkeypatch):
    oracle = record("case", [1.0, 2.0])
    monkeypatch.setattr(torch_oracle, "import_torch", lambda: FAKE_TORCH)
    sources = [source for source, _ in oracle.results(_theirs([1.0, 2.0]), "case")]
    assert sources == ["recorded torch", "live torch"]
    with pytest.raises(AssertionError, match="live torch"):  # ours equals the recording, not live torch
        _with(oracle.fixture).check(
            {"out": np.array([1.0, 2.0]), "name": "relu"}, _theirs([1.0, 3.0]), "case"
        )


def _with(fixture):
    """A fresh oracle (no case used yet) of test_x[param], reading `fixture`."""
    oracle = TorchOracle(torch_oracle.TESTS / "test_torch_oracle.py", "test_x[param]")
    oracle.fixture = fixture
    return oracle


def test_a_missing_recording_fails_saying_how_to_regenerate(record):
    oracle = record("case", [1.0, 2.0])
    with pytest.raises(
        pytest.fail.Exception, match="no recorded torch results for 'test_x\\[param\\]\\|other'.*regenerate"
    ):
        oracle.check({"out": np.array([1.0, 2.0]), "name": "relu"}, _theirs(None), "other")


def test_changed_inputs_make_the_recording_stale(record):
    oracle = record("case", [1.0, 2.0], {"x": np.arange(3.0), "options": {"dim": 1}})
    for inputs in (
        {"x": np.arange(3.0) + 1, "options": {"dim": 1}},
        {"x": np.arange(3.0), "options": {"dim": 0}},
        {"x": np.arange(3, dtype=np.float32), "options": {"dim": 1}},
        {"x": np.arange(3.0)},
    ):
        with pytest.raises(pytest.fail.Exception, match="stale.*regenerate"):
            _with(oracle.fixture).check(
                {"out": np.array([1.0, 2.0]), "name": "relu"}, _theirs(None), "case", inputs
            )


def test_each_case_of_a_test_is_used_once(record):
    oracle = record("case", [1.0, 2.0])
    oracle.check({"out": np.array([1.0, 2.0]), "name": "relu"}, _theirs(None), "case")
    with pytest.raises(ValueError, match="used twice"):
        oracle.check({"out": np.array([1.0, 2.0]), "name": "relu"}, _theirs(None), "case")


def test_results_of_both_libraries_become_arrays_or_json():
    assert torch_oracle.as_result(autograd.tensor([1, 2])).dtype == np.int64
    assert torch_oracle.as_result(autograd.tensor([1.0], requires_grad=True)).dtype == np.float32
    assert torch_oracle.json_value(torch_oracle.as_result({"a": (1, None, 2.5)})) == {"a": [1, None, 2.5]}
    with pytest.raises(TypeError, match="JSON-able"):
        torch_oracle.as_result(object())


def test_fixture_files_round_trip_and_are_reproducible(tmp_path):
    cases = {
        "test_a|": {
            "in": {"x": np.arange(4.0).reshape(2, 2)},
            "out": {"out": np.array("relu"), "i": np.array(3)},
        },
        "test_b[1]|case": {"in": {}, "out": {"out": np.ones((2, 0), np.float32)}},
    }
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    torch_oracle.write_fixture(first, cases)
    torch_oracle.write_fixture(second, dict(reversed(cases.items())))
    assert first.read_bytes() == second.read_bytes()
    loaded = torch_oracle.load_fixture(first)
    assert sorted(loaded) == sorted(cases)
    for key, case in cases.items():
        for kind in ("in", "out"):
            assert sorted(loaded[key][kind]) == sorted(case[kind])
            for name, value in case[kind].items():
                assert (
                    loaded[key][kind][name].dtype == value.dtype
                    and loaded[key][kind][name].shape == value.shape
                )
                np.testing.assert_array_equal(loaded[key][kind][name], value)
