"""Grad mode: whether ops record the graph, per thread, as `torch.no_grad` & co.

Also the one hook through which code above the engine (nn's module scopes)
labels the nodes recorded while it runs: `node_metadata`.
"""

from __future__ import annotations

import functools
import inspect
import threading

__all__ = [
    "enable_grad",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "node_metadata",
    "set_grad_enabled",
]


class _ThreadState(threading.local):
    enabled = True  # whether ops record the graph
    inference = False  # inside inference_mode() (which also switches recording off)
    metadata = None  # a dict every recorded node gets as its `metadata`, or None
    anomaly = False  # anomaly detection (anomaly.py): nodes remember where they were made
    anomaly_check_nan = False  # ... and backward's results are checked for NaN


_state = _ThreadState()


def is_grad_enabled() -> bool:
    """Whether ops record the graph in this thread."""
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    """Whether this thread is inside `inference_mode()`."""
    return _state.inference


class _GradModeContext:
    """Base of the switches: a context manager and a decorator."""

    mode = True

    def __enter__(self):
        self._previous = _state.enabled
        _state.enabled = self.mode

    def __exit__(self, *exc):
        _state.enabled = self._previous
        return False

    def __call__(self, fn):
        if inspect.isgeneratorfunction(fn):
            return self._wrap_generator(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args()):
                return fn(*args, **kwargs)

        return wrapper

    def _wrap_generator(self, fn):
        """A generator runs in pieces, between which the caller's mode holds: the mode
        is switched for each piece (each next, send, throw and close), as in PyTorch."""

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            generator = fn(*args, **kwargs)
            try:
                with self.__class__(*self._args()):
                    value = next(generator)
                while True:
                    try:
                        sent = yield value
                    except GeneratorExit:
                        with self.__class__(*self._args()):
                            generator.close()
                        raise
                    except BaseException as error:  # noqa: BLE001 - thrown in by the caller: pass it on
                        with self.__class__(*self._args()):
                            value = generator.throw(error)
                    else:
                        with self.__class__(*self._args()):
                            value = generator.send(sent)
            except StopIteration as stop:
                return stop.value

        return wrapper

    def _args(self):
        return ()


class no_grad(_GradModeContext):
    """Disable graph recording in this thread: `with no_grad():` or `@no_grad()`."""

    mode = False


class enable_grad(_GradModeContext):
    """Enable graph recording in this thread (inside a `no_grad` block)."""

    mode = True


class set_grad_enabled(_GradModeContext):
    """`set_grad_enabled(False)` switches recording off at once, as in PyTorch; as a
    context manager it restores the previous mode on exit."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._previous = _state.enabled
        _state.enabled = self.mode

    def __enter__(self):
        pass

    def _args(self):
        return (self.mode,)


class inference_mode(_GradModeContext):
    """`with inference_mode():` or `@inference_mode` / `@inference_mode()`: no graph is
    recorded (op results have requires_grad False), as under `no_grad`.
    `inference_mode(False)` switches recording back on, as in PyTorch. (PyTorch also
    marks the tensors made inside as unusable in autograd later; here they are
    ordinary tensors without a graph.)"""

    def __new__(cls, mode=True):
        if callable(mode):  # the bare decorator: @inference_mode
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True):
        self.inference = bool(mode)
        self.mode = not self.inference

    def __enter__(self):
        self._previous = _state.enabled, _state.inference
        _state.enabled, _state.inference = self.mode, self.inference

    def __exit__(self, *exc):
        _state.enabled, _state.inference = self._previous
        return False

    def _args(self):
        return (self.inference,)


class node_metadata:
    """`with node_metadata(key=value):` every node recorded in this thread meanwhile
    gets these items in its `metadata` dict (nested blocks: the inner wins).
    `node_metadata.current()` is the dict in force. nn uses it for module scopes."""

    def __init__(self, **items):
        self.items = items

    def __enter__(self):
        self._previous = _state.metadata
        _state.metadata = {**(self._previous or {}), **self.items}

    def __exit__(self, *exc):
        _state.metadata = self._previous
        return False

    @staticmethod
    def current() -> dict:
        return dict(_state.metadata or {})
