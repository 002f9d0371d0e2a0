"""Tensor creation and the global random generator (`manual_seed`)."""

from __future__ import annotations

import operator

import numpy as np

from autograd.device import check_device
from autograd.dtypes import check_dtype, float32, int64
from autograd.tensor import Tensor, _check_requires_grad, _raw
from autograd.arguments import _int, _size, _sizes_of_new

_rng = np.random.default_rng()


def manual_seed(seed: int):
    """Seed the generator behind rand, randn, randint (and nn's initialisation)."""
    global _rng
    _rng = np.random.default_rng(seed)
    return _rng


def default_generator() -> np.random.Generator:
    return _rng


def _dtype(dtype, default, op) -> np.dtype:
    """The dtype asked for (or `default`), checked before anything is allocated."""
    return check_dtype(default if dtype is None else dtype, f"{op}()")


def _real_numbers(op: str, **values) -> None:
    """Scalar arguments (arange's start, end, step; linspace's ends): real, finite numbers."""
    for name, value in values.items():
        value = value.item() if isinstance(value, (Tensor, np.generic)) and np.size(value) == 1 else value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            raise TypeError(f"{op}(): {name} must be a finite real number, got {value!r}")


def _new(array, dtype, requires_grad, op) -> Tensor:
    if dtype is not None:
        array = array.astype(check_dtype(dtype, f"{op}()"), copy=False)
    check_dtype(array.dtype, f"{op}()")
    _check_requires_grad(array, requires_grad, op)
    return Tensor._make(array, bool(requires_grad))


def tensor(data, dtype=None, requires_grad=False, device=None) -> Tensor:
    """A new tensor from a number, a (nested) list or an array (copied)."""
    check_device(device, "tensor()")
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    check_device(device, "as_tensor()")
    if isinstance(data, Tensor) and (dtype is None or data.dtype == np.dtype(dtype)):
        return data
    return Tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with `array`."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy(): expected np.ndarray (got {type(array).__name__})")
    check_dtype(array.dtype, "from_numpy()")
    return Tensor._make(array, False)


def zeros(*size, dtype=None, requires_grad=False, device=None) -> Tensor:
    check_device(device, "zeros()")
    shape, dtype = _sizes_of_new(_size(size), "zeros"), _dtype(dtype, float32, "zeros")
    return _new(np.zeros(shape, dtype), None, requires_grad, "zeros")


def ones(*size, dtype=None, requires_grad=False, device=None) -> Tensor:
    check_device(device, "ones()")
    shape, dtype = _sizes_of_new(_size(size), "ones"), _dtype(dtype, float32, "ones")
    return _new(np.ones(shape, dtype), None, requires_grad, "ones")


def empty(*size, dtype=None, requires_grad=False, device=None) -> Tensor:
    check_device(device, "empty()")
    shape, dtype = _sizes_of_new(_size(size), "empty"), _dtype(dtype, float32, "empty")
    return _new(np.empty(shape, dtype), None, requires_grad, "empty")


def full(size, fill_value, dtype=None, requires_grad=False, device=None) -> Tensor:
    check_device(device, "full()")
    if dtype is None:
        dtype = np.bool_ if isinstance(fill_value, bool) else int64 if isinstance(fill_value, int) else float32
    dtype = _dtype(dtype, None, "full")
    check_dtype(np.asarray(_raw(fill_value)).dtype, "full(): fill_value")  # None would fill NaN
    return _new(np.full(_sizes_of_new(_size((size,)), "full"), fill_value, dtype), None, requires_grad, "full")


def eye(n, m=None, dtype=None, requires_grad=False, device=None) -> Tensor:
    check_device(device, "eye()")
    n, m = _int(n, "eye(): n"), None if m is None else _int(m, "eye(): m")
    _sizes_of_new((n, n if m is None else m), "eye")
    return _new(np.eye(n, m, dtype=_dtype(dtype, float32, "eye")), None, requires_grad, "eye")


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None) -> Tensor:
    check_device(device, "arange()")
    if end is None:
        start, end = 0, start
    _real_numbers("arange", start=start, end=end, step=step)
    if step == 0:
        raise RuntimeError("arange(): step must be nonzero")
    integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    array = np.arange(start, end, step, dtype=_dtype(dtype, int64 if integral else float32, "arange"))
    return _new(array, None, requires_grad, "arange")


def linspace(start, end, steps, dtype=None, requires_grad=False, device=None) -> Tensor:
    check_device(device, "linspace()")
    _real_numbers("linspace", start=start, end=end)
    _sizes_of_new((_int(steps, "linspace(): steps"),), "linspace")
    array = np.linspace(start, end, steps, dtype=_dtype(dtype, float32, "linspace"))
    return _new(array, None, requires_grad, "linspace")


def rand(*size, dtype=None, requires_grad=False, device=None, generator=None) -> Tensor:
    """Uniform on [0, 1)."""
    check_device(device, "rand()")
    dtype = _dtype(dtype, float32, "rand")
    return _new((generator or _rng).random(_sizes_of_new(_size(size), "rand"), dtype=dtype), None, requires_grad, "rand")


def randn(*size, dtype=None, requires_grad=False, device=None, generator=None) -> Tensor:
    """Standard normal."""
    check_device(device, "randn()")
    dtype = _dtype(dtype, float32, "randn")
    return _new((generator or _rng).standard_normal(_sizes_of_new(_size(size), "randn"), dtype=dtype), None, requires_grad, "randn")


def randint(low, high=None, size=None, dtype=None, requires_grad=False, device=None, generator=None) -> Tensor:
    """`randint(high, size)` or `randint(low, high, size)`: integers in [low, high)."""
    check_device(device, "randint()")
    if size is None:
        low, high, size = 0, low, high
    array = (generator or _rng).integers(low, high, _size((size,)), dtype=int64)
    return _new(array, dtype, requires_grad, "randint")


def randperm(n, dtype=None, generator=None, device=None) -> Tensor:
    check_device(device, "randperm()")
    if operator.index(n) < 0:
        raise RuntimeError(f"randperm(): n must be non-negative, got {n}")
    return _new((generator or _rng).permutation(n).astype(int64), dtype, False, "randperm")


def _like(fn, name):
    def like(input, dtype=None, requires_grad=False, device=None) -> Tensor:
        check_device(device, f"{name}()")
        return fn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)

    like.__name__ = name
    like.__doc__ = f"`{fn.__name__}` with the shape (and dtype) of `input`."
    return like


zeros_like = _like(zeros, "zeros_like")
ones_like = _like(ones, "ones_like")
empty_like = _like(empty, "empty_like")
rand_like = _like(rand, "rand_like")
randn_like = _like(randn, "randn_like")


def full_like(input, fill_value, dtype=None, requires_grad=False, device=None) -> Tensor:
    check_device(device, "full_like()")
    return full(input.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)
