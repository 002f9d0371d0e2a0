"""The Tensor's method surface, attached to `Tensor` from the op families: each
differentiable method is a thin call of `SomeOp.apply` (`elementwise`,
`reductions`, `shape`, `linalg`); `backward`, hooks and `retain_grad` reach the
backward pass. `autograd/__init__.py` imports this module, which attaches them.
"""

from __future__ import annotations

import numpy as np

from autograd.arguments import _alpha, _dim, _dims, _int, _reduced_dims, _size
from autograd.backward import backward, pre_hooks_of, retain_output
from autograd.device import parse_to
from autograd.dtypes import DTYPE_NAMES as _DTYPE_NAMES, bool_, float32, float64, int32, int64
from autograd.elementwise import (
    Abs, Add, Cast, Clamp, Clone, Cos, Div, Exp, Log, Maximum, Minimum, Mul, Neg, Pow, Relu,
    Sigmoid, Sin, Sqrt, Sub, Tanh, Where, Log1p, Erf, compare, integer_division, view_as_dtype,
)
from autograd.linalg import MatMul
from autograd.reductions import AMax, LogSoftmax, Softmax, Sum, SumToSize, Topk, power_of_two_scale
from autograd.shape import Expand, GetItem, Permute, Reshape
from autograd.tensor import Tensor, _raw
from autograd.tensor_inplace import InplaceMethods, _index
from autograd.tensor_indexing import IndexingMethods
from autograd.tensor_linalg import LinalgMethods


class TensorMethods:
    """The methods, written as in a class body; `attach` copies them onto Tensor."""

    def to(self, *args, **kwargs) -> Tensor:
        """`to(dtype)`, `to(device)`, `to(device, dtype)`, `to(other)`: a cast
        (differentiable); the device can only be the CPU. `copy=True` always copies."""
        dtype, copy = parse_to(args, kwargs, "Tensor.to()")
        if dtype is None or dtype == self._data.dtype:
            return self.clone() if copy else self
        return Cast.apply(self, dtype)

    def type(self, dtype=None):
        """The dtype's name, or a cast to `dtype`."""
        return _DTYPE_NAMES.get(self.dtype, str(self.dtype)) if dtype is None else self.to(dtype)

    def float(self) -> Tensor:
        return self.to(float32)

    def double(self) -> Tensor:
        return self.to(float64)

    def long(self) -> Tensor:
        return self.to(int64)

    def int(self) -> Tensor:
        return self.to(int32)

    def bool(self) -> Tensor:
        return self.to(bool_)

    # --- graph ---
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) * gradient into every leaf's `.grad`."""
        backward([self], [gradient], retain_graph, create_graph, inputs)

    def retain_grad(self) -> None:
        """Keep `.grad` for this non-leaf tensor after backward (leaves always do)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad(): can't retain_grad on a tensor that doesn't require grad")
        if self.grad_fn is not None:
            retain_output(self.grad_fn, self._output_nr)

    @property
    def retains_grad(self) -> bool:
        node = self.grad_fn
        return bool(node is not None and node._retained and self._output_nr in node._retained)

    def register_hook(self, hook):
        """`hook(grad)` runs when this tensor's gradient is computed; it may return a
        replacement. Returns a handle whose `remove()` unregisters it."""
        if not self.requires_grad:
            raise RuntimeError("register_hook(): cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        else:
            hooks = pre_hooks_of(self.grad_fn, self._output_nr)
        if hook not in hooks:
            hooks.append(hook)
        return _HookHandle(hooks, hook)

    def clone(self) -> Tensor:
        return Clone.apply(self)

    # --- arithmetic (broadcasting; the engine reduces gradients to each input's shape) ---
    def __add__(self, other):
        return Add.apply(self, other)

    def __radd__(self, other):
        return Add.apply(other, self)

    def __sub__(self, other):
        return Sub.apply(self, other)

    def __rsub__(self, other):
        return Sub.apply(other, self)

    def __mul__(self, other):
        return Mul.apply(self, other)

    def __rmul__(self, other):
        return Mul.apply(other, self)

    def __truediv__(self, other):
        return Div.apply(self, other)

    def __rtruediv__(self, other):
        return Div.apply(other, self)

    def __pow__(self, other):
        return Pow.apply(self, other)

    def __rpow__(self, other):
        return Pow.apply(other, self)

    def __matmul__(self, other):
        return MatMul.apply(self, _tensor(other))

    def __rmatmul__(self, other):
        return MatMul.apply(_tensor(other), self)

    def __neg__(self):
        return Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return Abs.apply(self)

    def add(self, other, *, alpha=1):
        """self + alpha * other."""
        return Add.apply(self, other if _alpha(alpha, "add", self, other) == 1 else other * alpha)

    def sub(self, other, *, alpha=1):
        """self - alpha * other."""
        return Sub.apply(self, other if _alpha(alpha, "sub", self, other) == 1 else other * alpha)

    mul = __mul__
    div = __truediv__
    pow = __pow__
    matmul = __matmul__
    neg = __neg__
    abs = __abs__

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """NumPy's math functions on Tensors are the ops: `np.exp(t)` is `t.exp()`,
        `ndarray * t` is a Tensor. What backward formulas rely on under create_graph."""
        op = _UFUNC_OPS.get(ufunc)
        if method != "__call__" or op is None or kwargs:
            return NotImplemented
        return op(*inputs)

    # comparisons: tensors without gradient
    def __eq__(self, other):
        return Tensor._make(self._data == _raw(other), False)

    def __ne__(self, other):
        return Tensor._make(self._data != _raw(other), False)

    def __lt__(self, other):
        return compare(np.less, self, other)

    def __le__(self, other):
        return compare(np.less_equal, self, other)

    def __gt__(self, other):
        return compare(np.greater, self, other)

    def __ge__(self, other):
        return compare(np.greater_equal, self, other)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def __invert__(self):
        return Tensor._make(~self._data, False)

    def __and__(self, other):
        return Tensor._make(self._data & _raw(other), False)

    def __or__(self, other):
        return Tensor._make(self._data | _raw(other), False)

    def __xor__(self, other):
        return Tensor._make(self._data ^ _raw(other), False)

    def __floordiv__(self, other):
        return integer_division(np.floor_divide, self, other)

    def __mod__(self, other):
        return integer_division(np.remainder, self, other)

    def sign(self) -> Tensor:
        return Tensor._make(np.sign(self._data), False)

    def argmax(self, dim=None, keepdim=False) -> Tensor:
        return Tensor._make(_arg_reduce(np.argmax, self._data, _one_dim(dim, self.ndim), keepdim), False)

    def argmin(self, dim=None, keepdim=False) -> Tensor:
        return Tensor._make(_arg_reduce(np.argmin, self._data, _one_dim(dim, self.ndim), keepdim), False)

    def all(self, dim=None, keepdim=False) -> Tensor:
        return Tensor._make(np.all(self._data, axis=_dims(dim, self.ndim), keepdims=keepdim), False)

    def any(self, dim=None, keepdim=False) -> Tensor:
        return Tensor._make(np.any(self._data, axis=_dims(dim, self.ndim), keepdims=keepdim), False)

    def isnan(self) -> Tensor:
        return Tensor._make(np.isnan(self._data), False)

    def isfinite(self) -> Tensor:
        return Tensor._make(np.isfinite(self._data), False)

    # --- elementwise ---
    def exp(self):
        return Exp.apply(self)

    def log(self):
        return Log.apply(self)

    def sqrt(self):
        return Sqrt.apply(self)

    def sin(self):
        return Sin.apply(self)

    def cos(self):
        return Cos.apply(self)

    def tanh(self):
        return Tanh.apply(self)

    def sigmoid(self):
        return Sigmoid.apply(self)

    def relu(self):
        return Relu.apply(self)

    def clamp(self, min=None, max=None):  # noqa: A002 - PyTorch's names
        if min is None and max is None:
            raise RuntimeError("clamp(): at least one of 'min' or 'max' must not be None")
        return Clamp.apply(self, min, max)

    clip = clamp

    def maximum(self, other):
        return Maximum.apply(self, _tensor(other))

    def minimum(self, other):
        return Minimum.apply(self, _tensor(other))

    def log1p(self):
        return Log1p.apply(self)

    def erf(self):
        return Erf.apply(self)

    def square(self):
        return Mul.apply(self, self)

    def rsqrt(self):
        return Pow.apply(self, -0.5)

    def reciprocal(self):
        return Div.apply(1.0, self)

    # --- reductions ---
    def sum(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
        """PyTorch also takes NumPy's names `axis` and `keepdims`."""
        dim, keepdim = dim if axis is None else axis, keepdim if keepdims is None else keepdims
        x = self if dtype is None else self.to(dtype)
        return Sum.apply(x, _reduced_dims(dim, self.ndim), keepdim)

    def sum_to_size(self, *size):
        size = _size(size)
        if tuple(size) == self.shape:
            return self
        return SumToSize.apply(self, tuple(size))

    def mean(self, dim=None, keepdim=False, dtype=None):
        x = self if dtype is None else self.to(dtype)
        if x.dtype.kind not in "fc":
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be floating point "
                f"(got {_DTYPE_NAMES.get(x.dtype, x.dtype)}); call .float() first"
            )
        dims = _reduced_dims(dim, self.ndim)
        count = _count(self.shape, dims)
        return Sum.apply(x, dims, keepdim) * (1.0 / count if count else np.nan)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        if isinstance(dim, bool):  # PyTorch's var(unbiased) overload
            dim, unbiased = None, dim
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        dims = _reduced_dims(dim, self.ndim)
        centered = self - self.mean(dims, keepdim=True)  # differentiable: second derivatives need it
        count = _count(self.shape, dims) - correction
        return Sum.apply(centered * centered, dims, keepdim) * (1.0 / count if count > 0 else np.inf)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """s * std(x / s), s a power of 2 near max |x|: squares of 1e20 overflow float32."""
        if isinstance(dim, bool):  # PyTorch's std(unbiased) overload
            dim, unbiased = None, dim
        scale = power_of_two_scale(self._data, _reduced_dims(dim, self.ndim))
        var = (self / scale).var(dim, unbiased, keepdim, correction=correction)
        zero = Tensor._make(var._data == 0, False)  # there the gradient is 0, as in PyTorch (not nan)
        return Where.apply(zero, 0.0, Where.apply(zero, 1.0, var).sqrt()) * scale.reshape(var.shape)

    def amax(self, dim=None, keepdim=False):
        return AMax.apply(self, _reduced_dims(dim, self.ndim), keepdim)

    def amin(self, dim=None, keepdim=False):
        return -AMax.apply(-self, _reduced_dims(dim, self.ndim), keepdim)

    def max(self, dim=None, keepdim=False):
        """`max()` is the largest element; `max(dim)` is `(values, indices)`;
        `max(other)` is `maximum(self, other)`."""
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        if dim is None:
            return self.amax()
        return _values_indices(self, np.argmax, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        if dim is None:
            return self.amin()
        return _values_indices(self, np.argmin, dim, keepdim)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        """`(values, indices)` of the k largest (largest=False: smallest) elements along dim,
        sorted (also with sorted=False); the gradient flows to the values."""
        return _MinMax(*Topk.apply(self, _int(k, "k"), (_dims(dim, self.ndim) or (0,))[0], bool(largest)))

    def logsumexp(self, dim, keepdim=False):
        dims = _dims(_dim(dim, self.ndim) if dim is None else dim, self.ndim)
        peak = np.amax(self._data, axis=dims, keepdims=True)
        peak = np.where(np.isfinite(peak), peak, 0)
        shifted = self - Tensor._make(peak, False)
        out = Sum.apply(shifted.exp(), dims, True).log() + Tensor._make(peak, False)
        return out if keepdim else out.squeeze(dims)

    def softmax(self, dim):
        return Softmax.apply(self, _axis(dim, self.ndim))

    def log_softmax(self, dim):
        return LogSoftmax.apply(self, _axis(dim, self.ndim))

    # --- shape ---
    def reshape(self, *shape):
        shape = _size(shape)
        if any(s < -1 for s in shape) or shape.count(-1) > 1:
            raise RuntimeError(f"reshape(): shape {list(shape)} is invalid: sizes are >= 0, with at most one -1")
        return self if shape == self.shape else Reshape.apply(self, shape)

    def view(self, *shape):
        """`view(shape)`, or `view(dtype)`: the same bytes read as another dtype, as in PyTorch."""
        if len(shape) == 1 and isinstance(shape[0], (np.dtype, type)):
            return view_as_dtype(self, shape[0])
        return self.reshape(*shape)

    def view_as(self, other):
        return self.reshape(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        start, end = _dims((start_dim, end_dim), self.ndim) or (0, 0)
        if self.ndim == 0:
            return self.reshape(1)
        if start > end:
            raise RuntimeError(f"flatten(): start_dim {start_dim} comes after end_dim {end_dim} (shape {self.shape})")
        shape = self.shape[:start] + (-1,) + self.shape[end + 1 :]
        return self.reshape(shape)

    def unflatten(self, dim, sizes):
        dim, sizes = _dims(dim, self.ndim)[0], _size((sizes,))
        known = int(np.prod([s for s in sizes if s != -1]))
        if sizes.count(-1) > 1 or (-1 not in sizes and known != self.shape[dim]) or (known and self.shape[dim] % known):
            raise RuntimeError(f"unflatten(): sizes {list(sizes)} don't multiply to the size {self.shape[dim]} of dim {dim}")
        return self.reshape(self.shape[:dim] + sizes + self.shape[dim + 1 :])

    def permute(self, *dims):
        dims = _dims(_size(dims), self.ndim)
        if sorted(dims) != list(range(self.ndim)):
            raise RuntimeError(f"permute(): dims {dims} are not a permutation of the {self.ndim} dims of shape {self.shape}")
        return Permute.apply(self, dims)

    def transpose(self, dim0, dim1):
        dims = list(range(self.ndim))
        dim0, dim1 = _dims((dim0, dim1), self.ndim) or (0, 0)
        if self.ndim == 0:
            return self
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        return Permute.apply(self, tuple(dims))

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t(): expects a tensor with <= 2 dimensions, but got shape {self.shape}")
        return self.T

    def unsqueeze(self, dim):
        dim = _dim(dim, self.ndim + 1)
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim=None):
        if dim is None:
            shape = tuple(s for s in self.shape if s != 1)
        else:
            dims = set(_dims(dim, self.ndim))
            shape = tuple(s for i, s in enumerate(self.shape) if not (i in dims and s == 1))
        return self.reshape(shape)

    def expand(self, *sizes):
        sizes = _size(sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError(
                f"expand(): the number of sizes ({len(sizes)}) must be at least the number of dims of shape {self.shape}"
            )
        lead = len(sizes) - self.ndim
        shape = tuple(
            (self.shape[i - lead] if s == -1 else s) for i, s in enumerate(sizes)
        )
        for i, s in enumerate(self.shape):
            if s != 1 and s != shape[i + lead]:
                raise RuntimeError(
                    f"expand(): the expanded size {shape[i + lead]} must match the existing size {s} "
                    f"at non-singleton dimension {i}; shape {self.shape}, sizes {sizes}"
                )
        return self if shape == self.shape else Expand.apply(self, shape)

    def expand_as(self, other):
        return self.expand(other.shape)

    def repeat(self, *sizes):
        sizes = _size(sizes)
        if len(sizes) < self.ndim or any(s < 0 for s in sizes):
            raise RuntimeError(f"repeat(): sizes {list(sizes)} must be >= 0, at least one per dim of shape {self.shape}")
        x = self.reshape((1,) * (len(sizes) - self.ndim) + self.shape)
        expanded = x.reshape(sum(((1, s) for s in x.shape), ())).expand(
            sum(((r, s) for r, s in zip(sizes, x.shape)), ())
        )
        return expanded.reshape(tuple(r * s for r, s in zip(sizes, x.shape)))

    def split(self, split_size, dim=0):
        dim = _dims(dim, self.ndim)[0]
        length = self.shape[dim]
        if isinstance(split_size, (tuple, list)):
            sizes = list(_size((split_size,)))
            if sum(sizes) != length or any(s < 0 for s in sizes):
                raise RuntimeError(f"split(): sizes {sizes} must be >= 0 and sum to {length}, the size of dim {dim}")
        else:
            split_size = _int(split_size, "split_size")
            if split_size <= 0 and (split_size < 0 or length):
                raise RuntimeError(f"split(): split_size must be positive (0 only for an empty dim), got {split_size}")
            sizes = [split_size] * (length // split_size) + ([length % split_size] if length % split_size else [])
        return tuple(_narrow(self, dim, sizes))

    def chunk(self, chunks, dim=0):
        if _int(chunks, "chunks") <= 0:
            raise RuntimeError(f"chunk(): chunks must be greater than 0, got {chunks}")
        size = -(-self.shape[_dims(dim, self.ndim)[0]] // chunks)
        return self.split(size, dim)

    def __getitem__(self, index):
        return GetItem.apply(self, _index(index))


class _HookHandle:
    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


# --- helpers for the methods above ---


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def _count(shape, dims) -> int:
    count = 1
    for d in dims:
        count *= shape[d]
    return count


def _one_dim(dim, ndim):
    return None if dim is None else _dim(dim, ndim)


def _axis(dim, ndim):
    """One checked dim as NumPy's axis (a 0-d tensor: the empty tuple)."""
    axis = _dim(dim, ndim)
    return axis if ndim else ()


def _arg_reduce(fn, data, dim, keepdim):
    if dim is None:
        out = fn(data)
        return np.asarray(out).reshape((1,) * data.ndim) if keepdim else np.asarray(out)
    return fn(data, axis=dim, keepdims=keepdim)


def _values_indices(x, arg_fn, dim, keepdim):
    """(values, indices) of max/min along `dim`; the gradient flows to the index."""
    dim = _dims(dim, x.ndim)
    dim = dim[0] if dim else 0
    data = x._data if x.ndim else x._data.reshape(1)
    indices = arg_fn(data, axis=dim, keepdims=True)
    grids = list(np.ogrid[tuple(slice(s) for s in indices.shape)])
    grids[dim] = indices
    values = GetItem.apply(x, tuple(grids)) if x.ndim else x.reshape(1)
    if not x.ndim:  # a 0-d input gives 0-d results, keepdim or not, as in PyTorch
        values, indices = values.reshape(()), indices.reshape(())
    elif not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return _MinMax(values, Tensor._make(indices, False))


class _MinMax(tuple):
    """`(values, indices)`, also readable as `.values` and `.indices`, as in PyTorch (max, min, topk)."""

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]

    def __new__(cls, values, indices):
        return super().__new__(cls, (values, indices))


def _narrow(x, dim, sizes):
    start = 0
    for size in sizes:
        index = (slice(None),) * (dim % x.ndim) + (slice(start, start + size),)
        yield x[index]
        start += size


def _no_grad_ufunc(ufunc):
    return lambda *inputs: Tensor._make(ufunc(*[_raw(x) for x in inputs]), False)


_UFUNC_OPS = {  # ufunc -> what it is on Tensors
    np.add: Add.apply, np.subtract: Sub.apply, np.multiply: Mul.apply, np.true_divide: Div.apply,
    np.power: Pow.apply, np.negative: Neg.apply, np.positive: lambda x: x, np.absolute: Abs.apply,
    np.exp: Exp.apply, np.log: Log.apply, np.log1p: Log1p.apply, np.sqrt: Sqrt.apply,
    np.sin: Sin.apply, np.cos: Cos.apply, np.tanh: Tanh.apply,
    np.maximum: lambda a, b: Maximum.apply(_tensor(a), _tensor(b)),
    np.minimum: lambda a, b: Minimum.apply(_tensor(a), _tensor(b)),
    np.matmul: lambda a, b: MatMul.apply(_tensor(a), _tensor(b)),
    **{u: _no_grad_ufunc(u) for u in (np.sign, np.equal, np.not_equal, np.less, np.less_equal,
                                      np.greater, np.greater_equal, np.isnan, np.isfinite, np.logical_not)},
}


def attach(methods, cls=Tensor):
    """Copy the methods (and aliases) defined in the class `methods` onto `cls`
    (not `__hash__`, which a class body defining `__eq__` sets to None)."""
    for name, value in vars(methods).items():
        if name not in ("__module__", "__qualname__", "__doc__", "__dict__", "__weakref__", "__hash__"):
            setattr(cls, name, value)


attach(InplaceMethods)
attach(TensorMethods)
attach(LinalgMethods)
attach(IndexingMethods)
