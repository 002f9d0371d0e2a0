"""Anomaly detection, as `torch.autograd.detect_anomaly`: while it is on, every
recorded node remembers where its forward ran, and a backward that returns NaN
(or infinity) raises an error that names the op and shows that place. Like grad
mode, it is set per thread (`grad_mode._state`).
"""

from __future__ import annotations

import traceback

import numpy as np

from autograd.grad_mode import _state

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on in this thread."""
    return _state.anomaly


class set_detect_anomaly:
    """`set_detect_anomaly(True)` turns detection on at once; as a context manager
    it restores the previous setting on exit."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self._previous = _settings()
        _set(bool(mode), bool(check_nan))

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _set(*self._previous)
        return False


class detect_anomaly:
    """`with detect_anomaly():` or `@detect_anomaly()`: detection on inside."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = bool(check_nan)

    def __enter__(self):
        self._previous = _settings()
        _set(True, self.check_nan)

    def __exit__(self, *exc):
        _set(*self._previous)
        return False

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper


def _settings():
    return _state.anomaly, _state.anomaly_check_nan


def _set(mode, nan):
    _state.anomaly, _state.anomaly_check_nan = mode, mode and nan


def creation_stack() -> list:
    """Where the op being recorded was called (for a node's metadata)."""
    return traceback.format_stack()[:-3]


def check_gradients(node, grads):
    """Raise if a gradient `node.backward` returned holds NaN or infinity."""
    for i, g in enumerate(grads):
        if g is None:
            continue
        data = np.asarray(g)  # an ndarray (first order) or a Tensor (create_graph)
        if not np.all(np.isfinite(data)):
            kind = "nan" if np.any(np.isnan(data)) else "infinite"
            where = "".join((node.metadata or {}).get("traceback_", [])) or (
                "  (no traceback: the forward ran before anomaly detection was enabled)\n"
            )
            raise RuntimeError(
                f"Function '{node.name()}' returned {kind} values in its {i}th output "
                f"(the gradient for argument {i} of {type(node).__name__}.forward).\n"
                f"The forward op was created at:\n{where}"
            )
