"""PyTorch as a recorded oracle: the comparisons with torch run whether or not torch is installed.

A test hands the oracle what glassgrad computed (a dict of named results) and a function that
computes the same with torch. The oracle compares glassgrad's results with torch's recorded ones
(`tests/fixtures/torch/<test module>.npz`) always, and with live torch too when it is installed.
`tests/fixtures/regenerate.py` rewrites the recordings from live torch.

A recording is keyed by the test's id and a case name (never by grad_fn names). The inputs that
the torch side reads are recorded with its results: when they no longer equal the test's inputs,
the recording is stale and the test fails saying how to regenerate it. Inputs must therefore be
deterministic: seeded NumPy arrays, not draws of the library's own random generator.

Results are tensors of either library, NumPy values, or plain values (strings, numbers, lists,
dicts, None), which are kept as their JSON text and compared exactly.
"""

from __future__ import annotations

import functools
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import numpy as np
import pytest

import autograd
import nn

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures" / "torch"
REGENERATE = "PYTHONPATH=$PWD python tests/fixtures/regenerate.py (with torch installed)"


class Library(NamedTuple):
    """One of the two libraries a test runs on, by the names a PyTorch script uses."""

    name: str
    torch: ModuleType  # autograd, or torch
    nn: ModuleType
    F: ModuleType  # nn.functional
    optim: ModuleType


GLASSGRAD = Library("glassgrad", autograd, nn, nn.functional, nn.optim)


def torch_library(torch: ModuleType) -> Library:
    return Library("torch", torch, torch.nn, torch.nn.functional, torch.optim)


def import_torch() -> ModuleType | None:
    """The torch module, or None where it is not installed (as in CI)."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def as_result(value) -> np.ndarray:
    """A result as an array: tensors of either library and NumPy values as arrays (copied),
    anything else as its JSON text in a 0-d string array."""
    if hasattr(value, "detach"):
        value = value.detach().numpy()
    if isinstance(value, (np.ndarray, np.generic)):
        return np.array(value)
    try:
        return np.array(json.dumps(value))
    except TypeError as error:
        raise TypeError(
            f"a result must be a tensor, a NumPy value or JSON-able, not {type(value)}"
        ) from error


def json_value(result: np.ndarray):
    """The plain value (a string, number, list, dict or None) that as_result kept as JSON text."""
    return json.loads(str(result[()]))


def _as_results(named: dict) -> dict[str, np.ndarray]:
    for name in named:
        if not isinstance(name, str) or "|" in name:
            raise ValueError(f"result names are strings without '|', not {name!r}")
    return {name: as_result(value) for name, value in named.items()}


def assert_same_results(ours: dict, expected: dict, source: str, rtol: float, atol: float) -> None:
    """Equal names, shapes and dtypes; floats within rtol/atol (NaN equals NaN), the rest exact."""
    assert sorted(ours) == sorted(expected), (
        f"{source}: results {sorted(expected)}, glassgrad's {sorted(ours)}"
    )
    for name, want in expected.items():
        got, what = ours[name], f"{name!r} against {source}"
        assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
        same_kind_of_text = got.dtype.kind == want.dtype.kind == "U"
        assert got.dtype == want.dtype or same_kind_of_text, (
            f"{what}: dtype {got.dtype}, expected {want.dtype}"
        )
        if want.dtype.kind in "fc":
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
        else:
            np.testing.assert_array_equal(got, want, err_msg=what)


class TorchOracle:
    """The oracle of one test (the `torch_oracle` fixture): each call names a distinct case."""

    def __init__(self, test_file: Path, test_id: str):
        self.fixture = FIXTURES / Path(test_file).resolve().relative_to(TESTS).with_suffix(".npz")
        self.test_id = test_id
        self._cases: set[str] = set()

    def results(self, theirs: Callable[[ModuleType], dict], case: str = "", inputs: dict | None = None):
        """[(source, torch's results)]: the recorded ones, and the live ones (theirs(torch)) where
        torch is installed. `inputs` are the arrays and values the torch side reads."""
        key = f"{self.test_id}|{case}"
        if case in self._cases:
            raise ValueError(f"{self.test_id}: case {case!r} used twice; give each comparison its own case")
        self._cases.add(case)
        inputs = _as_results(inputs or {})
        torch = import_torch()
        live = None if torch is None else _as_results(theirs(torch))
        if _recording is not None:
            if live is None:
                raise RuntimeError("recording torch's results needs torch")
            _recording.setdefault(self.fixture, {})[key] = {"in": inputs, "out": live}
            return [("live torch", live)]
        recorded = self._recorded(key, inputs)
        return [("recorded torch", recorded)] + ([] if live is None else [("live torch", live)])

    def check(
        self,
        ours: dict,
        theirs: Callable[[ModuleType], dict],
        case: str = "",
        inputs: dict | None = None,
        rtol: float = 1e-5,
        atol: float = 1e-6,
    ) -> None:
        """glassgrad's results `ours` equal torch's (recorded, and live where installed)."""
        ours = _as_results(ours)
        for source, expected in self.results(theirs, case, inputs):
            assert_same_results(ours, expected, f"{source}, {self.test_id} {case}".rstrip(), rtol, atol)

    def check_same(
        self,
        run: Callable[[Library], dict],
        case: str = "",
        inputs: dict | None = None,
        rtol: float = 1e-5,
        atol: float = 1e-6,
    ) -> None:
        """run(library) gives the same results on glassgrad and on torch."""
        self.check(run(GLASSGRAD), lambda torch: run(torch_library(torch)), case, inputs, rtol, atol)

    def _recorded(self, key: str, inputs: dict) -> dict:
        where = (
            self.fixture.relative_to(TESTS.parent)
            if self.fixture.is_relative_to(TESTS.parent)
            else self.fixture
        )
        stored = load_fixture(self.fixture).get(key)
        if stored is None:
            pytest.fail(f"no recorded torch results for {key!r} in {where}: run {REGENERATE}", pytrace=False)
        if sorted(stored["in"]) != sorted(inputs) or not all(
            _identical(inputs[name], value) for name, value in stored["in"].items()
        ):
            pytest.fail(
                f"the inputs of {key!r} are not those recorded in {where}: the recording is stale; "
                f"run {REGENERATE}",
                pytrace=False,
            )
        return stored["out"]


def _identical(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")


# --- the .npz files: "cases" lists the case keys, "<n>|in|<name>" and "<n>|out|<name>" hold case n's arrays ---

_recording: dict[Path, dict[str, dict]] | None = None  # fixture file -> case key -> {"in", "out"}


def start_recording() -> None:
    global _recording
    _recording = {}


def recordings() -> dict[Path, dict[str, dict]]:
    return _recording or {}


@functools.cache
def load_fixture(path: Path) -> dict[str, dict[str, dict]]:
    """case key -> {"in": {name: array}, "out": {name: array}}; empty where there is no file."""
    if not path.exists():
        return {}
    with np.load(path, allow_pickle=False) as npz:
        keys = [str(key) for key in npz["cases"]]
        cases: dict[str, dict[str, dict]] = {key: {"in": {}, "out": {}} for key in keys}
        for member in npz.files:
            if member != "cases":
                number, kind, name = member.split("|", 2)
                cases[keys[int(number)]][kind][name] = npz[member]
    return cases


def write_fixture(path: Path, cases: dict[str, dict]) -> None:
    """An .npz NumPy reads, with fixed timestamps and sorted entries: unchanged results give the same bytes."""
    keys = sorted(cases)
    arrays = {"cases": np.array(keys)}
    for number, key in enumerate(keys):
        arrays |= {
            f"{number}|{kind}|{name}": array
            for kind in ("in", "out")
            for name, array in cases[key][kind].items()
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            entry = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(entry, "w") as file:
                np.lib.format.write_array(file, arrays[name], allow_pickle=False)
