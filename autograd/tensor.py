"""`Tensor`: a NumPy array that records the ops applied to it.

The methods here are thin: each differentiable one calls `SomeOp.apply` from the
op catalogue (`elementwise`, `reductions`, `shape`, `linalg`). Dtypes follow
PyTorch: Python floats become float32, ints int64, NumPy arrays keep theirs.
"""

from __future__ import annotations

import numpy as np

from autograd import engine
from autograd.engine import add_pre_hook, is_grad_enabled, retain_output, root_gradients, run_backward

from autograd.dtypes import DTYPE_NAMES as _DTYPE_NAMES, bool_, float32, float64, int32, int64

_new = object.__new__
_ndarray = np.ndarray


def _as_dtype(dtype):
    return None if dtype is None else np.dtype(dtype)


def _array_from(data, dtype=None):
    """A fresh ndarray from `data` with PyTorch's dtype rules."""
    if isinstance(data, Tensor):
        array = np.array(data.data, dtype=dtype)
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.array(data, dtype=dtype)
    else:
        try:
            array = np.array(data, dtype=dtype)
        except ValueError as error:
            if "inhomogeneous" in str(error) or "sequence" in str(error):
                raise ValueError(
                    f"tensor(): the nested sequence is ragged ({error}); every list at one "
                    "depth must have the same length"
                ) from None
            raise
        if array.dtype == object:
            raise TypeError(f"tensor(): cannot make a tensor from {type(data).__name__} elements")
        if dtype is None and array.dtype == float64:
            array = array.astype(float32)  # Python floats default to float32
    return array


def _check_requires_grad(array, requires_grad, op="tensor"):
    if requires_grad and array.dtype.kind not in "fc":
        raise RuntimeError(
            f"{op}(): only Tensors of floating point dtype can require gradients "
            f"(got dtype {_DTYPE_NAMES.get(array.dtype, array.dtype)}); create it with "
            "dtype=autograd.float32 or call .float() first"
        )


class Tensor:
    """An n-dimensional array with autograd. `Tensor(data)` is `autograd.tensor(data)`."""

    __slots__ = (
        "data", "grad", "grad_fn", "requires_grad", "_output_nr", "_hooks", "_version", "name", "__weakref__",
    )
    __array_ufunc__ = None  # NumPy defers to our reflected operators: ndarray * Tensor -> Tensor
    __hash__ = object.__hash__
    _retain_by_default = False
    _n_outputs = 0  # a variable, not a node (the engine tells leaves by this)

    def __init__(self, data, dtype=None, requires_grad=False):
        array = _array_from(data, _as_dtype(dtype))
        _check_requires_grad(array, requires_grad)
        self.data = array
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self.grad_fn = None
        self._output_nr = 0
        self._hooks = None
        self._version = [0]  # bumped by in-place ops; shared with views
        self.name = None

    @classmethod
    def _make(cls, array, requires_grad):
        """Wrap an ndarray without copying or checking (the engine's fast path)."""
        t = _new(cls)
        if type(array) is not _ndarray:
            array = np.asarray(array)
        t.data = array
        t.requires_grad = requires_grad
        t.grad = None
        t.grad_fn = None
        t._output_nr = 0
        t._hooks = None
        t._version = [0]
        t.name = None
        return t

    _zeros = staticmethod(np.zeros)

    @staticmethod
    def _ones(shape, dtype):
        # np.ones is a Python function; a 0-d array (the gradient that starts backward) is quicker made
        return np.array(1, dtype) if shape == () else np.ones(shape, dtype)

    # --- properties ---
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        return self.transpose(-2, -1)

    @property
    def device(self) -> str:
        return "cpu"

    def size(self, dim=None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return self.data.size

    def element_size(self) -> int:
        return self.data.itemsize

    # --- conversion ---
    def numpy(self) -> np.ndarray:
        return self.data

    def item(self):
        if self.data.size != 1:
            raise RuntimeError(
                f"item(): a Tensor with {self.data.size} elements (shape {self.shape}) cannot "
                "be converted to a Python scalar; index it or reduce it first"
            )
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data

    def to(self, dtype=None, *args, **kwargs) -> Tensor:
        """`to(dtype)` casts (differentiably); a device ('cpu') is accepted and ignored."""
        dtype = kwargs.get("dtype", dtype)
        if isinstance(dtype, Tensor):
            dtype = dtype.dtype
        if dtype is None or isinstance(dtype, str):
            return self
        dtype = np.dtype(dtype)
        if dtype == self.data.dtype:
            return self
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

    def cpu(self) -> Tensor:
        return self

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self.data.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.data)

    def __repr__(self) -> str:
        return _format(self)

    # --- graph ---
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) * gradient into every leaf's `.grad`."""
        (gradient,) = root_gradients([self], [gradient])
        if retain_graph is None:
            retain_graph = create_graph
        if inputs is not None:
            inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
            grads = run_backward([self], [gradient], retain_graph, create_graph, inputs)
            for t, g in zip(inputs, grads):
                if g is not None:
                    t.grad = g if t.grad is None else t.grad + g
            return
        run_backward([self], [gradient], retain_graph, create_graph)

    def detach(self) -> Tensor:
        """The same data, cut from the graph (in-place changes show in both)."""
        out = Tensor._make(self.data, False)
        out._version = self._version
        return out

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad=True) -> Tensor:
        if not self.is_leaf:
            raise RuntimeError(
                "requires_grad_(): you can only change requires_grad of leaf tensors; "
                "use .detach().requires_grad_() for a new leaf"
            )
        _check_requires_grad(self.data, requires_grad, "requires_grad_")
        self.requires_grad = bool(requires_grad)
        return self

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
            add_pre_hook(self.grad_fn, self._output_nr, hook)
            hooks = self.grad_fn._pre_hooks[self._output_nr]
        if hook not in hooks:
            hooks.append(hook)
        return _HookHandle(hooks, hook)

    def clone(self) -> Tensor:
        return Clone.apply(self)

    def contiguous(self) -> Tensor:
        return self

    # --- in-place ops: the out-of-place op, written back into this tensor's memory ---
    def _inplace(self, op, *args, name):
        """Apply `op(self, *args)` and store the result in self: the graph then
        continues from the op's node, and the version counter tells saved copies."""
        if self.requires_grad and self.grad_fn is None and is_grad_enabled():
            raise RuntimeError(
                f"{name}(): a leaf tensor that requires grad (shape {self.shape}) is being used in "
                "an in-place operation; do it under `with autograd.no_grad():` (as optimizers "
                "do) or use the out-of-place op"
            )
        view_op = self.grad_fn
        if type(view_op) in (Reshape, Permute, Expand) or (type(view_op) is GetItem and _is_basic(view_op.index)):
            raise RuntimeError(
                f"{name}(): this tensor is a view ({view_op.name()}) of a tensor that requires grad; "
                "changing it in place would not reach its base's gradient. Change the base "
                "instead (base[index] = ...), or clone() the view first"
            )
        ufunc = _INPLACE_UFUNCS.get(op)
        if ufunc is not None and not (is_grad_enabled() and (self.requires_grad or _requires_grad(args[0]))):
            try:  # nothing to record: compute straight into self's memory (an optimizer's update)
                ufunc(self.data, _raw(args[0]), out=self.data, casting="same_kind")
            except (TypeError, ValueError):
                pass  # the general path below raises the error, worded for this op
            else:
                self._version[0] += 1
                return self
        before = Tensor._make(self.data, self.requires_grad)  # self's value before the change
        before.grad_fn, before._output_nr = self.grad_fn, self._output_nr
        result = op.apply(before, *args)
        node = result.grad_fn
        if node is not None and node._saved and any(s is before for s in node._saved):
            before.data = before.data.copy()  # the node keeps the old value, not our memory
        try:
            np.copyto(self.data, result.data, casting="same_kind")
        except TypeError:
            raise RuntimeError(
                f"{name}(): result type {_DTYPE_NAMES.get(result.dtype, result.dtype)} can't be cast "
                f"to the desired output type {_DTYPE_NAMES.get(self.dtype, self.dtype)}"
            ) from None
        except ValueError as error:
            raise RuntimeError(
                f"{name}(): cannot write into this tensor of shape {self.shape} ({error}); an "
                "expanded or broadcast tensor shares memory between elements: clone() it first"
            ) from None
        self._version[0] += 1
        if node is not None:
            self.grad_fn, self._output_nr, self.requires_grad = node, result._output_nr, True
        return self

    def add_(self, other, alpha=1):
        return self._inplace(Add, other if alpha == 1 else other * alpha, name="add_")

    def sub_(self, other, alpha=1):
        return self._inplace(Sub, other if alpha == 1 else other * alpha, name="sub_")

    def mul_(self, other):
        return self._inplace(Mul, other, name="mul_")

    def div_(self, other):
        return self._inplace(Div, other, name="div_")

    def pow_(self, exponent):
        return self._inplace(Pow, exponent, name="pow_")

    def neg_(self):
        return self._inplace(Neg, name="neg_")

    def exp_(self):
        return self._inplace(Exp, name="exp_")

    def log_(self):
        return self._inplace(Log, name="log_")

    def sqrt_(self):
        return self._inplace(Sqrt, name="sqrt_")

    def abs_(self):
        return self._inplace(Abs, name="abs_")

    def tanh_(self):
        return self._inplace(Tanh, name="tanh_")

    def sigmoid_(self):
        return self._inplace(Sigmoid, name="sigmoid_")

    def relu_(self):
        return self._inplace(Relu, name="relu_")

    def clamp_(self, min=None, max=None):  # noqa: A002
        if min is None and max is None:
            raise RuntimeError("clamp_(): at least one of 'min' or 'max' must not be None")
        return self._inplace(Clamp, min, max, name="clamp_")

    clip_ = clamp_

    def zero_(self):
        return self._inplace(Fill, 0, name="zero_")

    def fill_(self, value):
        return self._inplace(Fill, value, name="fill_")

    def copy_(self, src):
        return self._inplace(Copy, src, name="copy_")

    def __setitem__(self, index, value):
        self._inplace(SetItem, _index(index), value, name="__setitem__")

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    @property
    def _version_number(self) -> int:
        return self._version[0]

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

    add = __add__
    sub = __sub__
    mul = __mul__
    div = __truediv__
    pow = __pow__
    matmul = __matmul__
    neg = __neg__
    abs = __abs__

    # comparisons: tensors without gradient
    def __eq__(self, other):
        return Tensor._make(self.data == _raw(other), False)

    def __ne__(self, other):
        return Tensor._make(self.data != _raw(other), False)

    def __lt__(self, other):
        return Tensor._make(self.data < _raw(other), False)

    def __le__(self, other):
        return Tensor._make(self.data <= _raw(other), False)

    def __gt__(self, other):
        return Tensor._make(self.data > _raw(other), False)

    def __ge__(self, other):
        return Tensor._make(self.data >= _raw(other), False)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def __invert__(self):
        return Tensor._make(~self.data, False)

    def __and__(self, other):
        return Tensor._make(self.data & _raw(other), False)

    def __or__(self, other):
        return Tensor._make(self.data | _raw(other), False)

    def __xor__(self, other):
        return Tensor._make(self.data ^ _raw(other), False)

    def __floordiv__(self, other):
        return Tensor._make(self.data // _raw(other), False)

    def __mod__(self, other):
        return Tensor._make(self.data % _raw(other), False)

    def sign(self) -> Tensor:
        return Tensor._make(np.sign(self.data), False)

    def argmax(self, dim=None, keepdim=False) -> Tensor:
        return Tensor._make(_arg_reduce(np.argmax, self.data, dim, keepdim), False)

    def argmin(self, dim=None, keepdim=False) -> Tensor:
        return Tensor._make(_arg_reduce(np.argmin, self.data, dim, keepdim), False)

    def all(self, dim=None, keepdim=False) -> Tensor:
        return Tensor._make(np.all(self.data, axis=dim, keepdims=keepdim), False)

    def any(self, dim=None, keepdim=False) -> Tensor:
        return Tensor._make(np.any(self.data, axis=dim, keepdims=keepdim), False)

    def isnan(self) -> Tensor:
        return Tensor._make(np.isnan(self.data), False)

    def isfinite(self) -> Tensor:
        return Tensor._make(np.isfinite(self.data), False)

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

    def masked_fill(self, mask, value):
        """`value` where `mask` is true (the filled elements get no gradient)."""
        keep = ~np.broadcast_to(_raw(mask), self.shape).astype(np.bool_)
        return Where.apply(Tensor._make(keep, False), self, value)

    def gather(self, dim, index):
        """`out[i][j] = self[i][index[i][j]]` along `dim` (`torch.gather`)."""
        dim = _dims(dim, self.ndim)[0] if self.ndim else 0
        return Gather.apply(self, dim, np.asarray(_raw(index)))

    def index_select(self, dim, index):
        dim = _dims(dim, self.ndim)[0]
        return self[(slice(None),) * dim + (np.asarray(_raw(index)),)]

    def square(self):
        return Mul.apply(self, self)

    def rsqrt(self):
        return Pow.apply(self, -0.5)

    def reciprocal(self):
        return Div.apply(1.0, self)

    # --- reductions ---
    def sum(self, dim=None, keepdim=False, dtype=None):
        x = self if dtype is None else self.to(dtype)
        return Sum.apply(x, _dims(dim, self.ndim), keepdim)

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
        dims = _dims(dim, self.ndim)
        count = _count(self.shape, dims)
        return Sum.apply(x, dims, keepdim) * (1.0 / count if count else np.nan)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        dims = _dims(dim, self.ndim)
        centered = self - self.mean(dims, keepdim=True)  # differentiable: second derivatives need it
        count = _count(self.shape, dims) - correction
        return Sum.apply(centered * centered, dims, keepdim) * (1.0 / count if count > 0 else np.inf)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        var = self.var(dim, unbiased, keepdim, correction=correction)
        zero = Tensor._make(var.data == 0, False)  # there the gradient is 0, as in PyTorch (not nan)
        return Where.apply(zero, 0.0, Where.apply(zero, 1.0, var).sqrt())

    def amax(self, dim=None, keepdim=False):
        return AMax.apply(self, _dims(dim, self.ndim), keepdim)

    def amin(self, dim=None, keepdim=False):
        return -AMax.apply(-self, _dims(dim, self.ndim), keepdim)

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

    def logsumexp(self, dim, keepdim=False):
        dims = _dims(dim, self.ndim)
        peak = np.amax(self.data, axis=dims, keepdims=True)
        peak = np.where(np.isfinite(peak), peak, 0)
        shifted = self - Tensor._make(peak, False)
        out = Sum.apply(shifted.exp(), dims, True).log() + Tensor._make(peak, False)
        return out if keepdim else out.squeeze(dims)

    def softmax(self, dim):
        return Softmax.apply(self, dim)

    def log_softmax(self, dim):
        return LogSoftmax.apply(self, dim)

    # --- shape ---
    def reshape(self, *shape):
        shape = _size(shape)
        return self if shape == self.shape else Reshape.apply(self, shape)

    def view(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)):
            return self.to(shape[0])
        return self.reshape(*shape)

    def view_as(self, other):
        return self.reshape(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        if self.ndim == 0:
            return self.reshape(1)
        start, end = start_dim % self.ndim, end_dim % self.ndim
        shape = self.shape[:start] + (-1,) + self.shape[end + 1 :]
        return self.reshape(shape)

    def unflatten(self, dim, sizes):
        dim = dim % self.ndim
        return self.reshape(self.shape[:dim] + tuple(sizes) + self.shape[dim + 1 :])

    def permute(self, *dims):
        dims = tuple(d % self.ndim for d in _size(dims)) if self.ndim else ()
        if sorted(dims) != list(range(self.ndim)):
            raise RuntimeError(f"permute(): dims {dims} are not a permutation of the {self.ndim} dims of shape {self.shape}")
        return Permute.apply(self, dims)

    def transpose(self, dim0, dim1):
        dims = list(range(self.ndim))
        if self.ndim == 0:
            return self
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        return Permute.apply(self, tuple(dims))

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t(): expects a tensor with <= 2 dimensions, but got shape {self.shape}")
        return self.T

    def unsqueeze(self, dim):
        dim = dim % (self.ndim + 1)
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim=None):
        if dim is None:
            shape = tuple(s for s in self.shape if s != 1)
        else:
            dims = {d % self.ndim for d in ((dim,) if isinstance(dim, int) else dim)} if self.ndim else set()
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
        x = self.reshape((1,) * (len(sizes) - self.ndim) + self.shape)
        expanded = x.reshape(sum(((1, s) for s in x.shape), ())).expand(
            sum(((r, s) for r, s in zip(sizes, x.shape)), ())
        )
        return expanded.reshape(tuple(r * s for r, s in zip(sizes, x.shape)))

    def split(self, split_size, dim=0):
        length = self.shape[dim]
        sizes = [split_size] * (length // split_size) + ([length % split_size] if length % split_size else []) \
            if isinstance(split_size, int) else list(split_size)
        return tuple(_narrow(self, dim, sizes))

    def chunk(self, chunks, dim=0):
        size = -(-self.shape[dim] // chunks)
        return self.split(size, dim)

    def __getitem__(self, index):
        return GetItem.apply(self, _index(index))


class _HookHandle:
    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


engine.Tensor = Tensor
engine._ndarray = np.ndarray


# --- helpers for the methods above ---


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def _requires_grad(x):
    return isinstance(x, Tensor) and x.requires_grad


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def _size(args) -> tuple:
    """(2, 3), ((2, 3),) and ([2, 3],) all mean the shape (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(map(int, args))


def _dims(dim, ndim):
    """A dim argument as a tuple of non-negative axes (None: all)."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"dimension out of range (expected to be in range of [{-max(ndim, 1)}, {max(ndim, 1) - 1}], but got {d})")
    return tuple(d % ndim for d in dims) if ndim else ()


def _count(shape, dims) -> int:
    count = 1
    for d in dims:
        count *= shape[d]
    return count


def _arg_reduce(fn, data, dim, keepdim):
    if dim is None:
        out = fn(data)
        return np.asarray(out).reshape((1,) * data.ndim) if keepdim else np.asarray(out)
    return fn(data, axis=dim, keepdims=keepdim)


def _values_indices(x, arg_fn, dim, keepdim):
    """(values, indices) of max/min along `dim`; the gradient flows to the index."""
    dim = _dims(dim, x.ndim)
    dim = dim[0] if dim else 0
    data = x.data if x.ndim else x.data.reshape(1)
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
    """`(values, indices)`, also readable as `.values` and `.indices`, as in PyTorch."""

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


def _index(index):
    """Tensors inside an index become arrays."""
    if isinstance(index, tuple):
        return tuple(_raw(i) for i in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _format(t: Tensor) -> str:
    data = t.data
    if data.dtype.kind == "f" and data.size and np.all(np.isfinite(data)) and np.all(data == np.round(data)):
        body = np.array2string(data, separator=", ", prefix="tensor(", formatter={"float_kind": lambda v: f"{v:.0f}."})
    elif data.dtype.kind == "f":
        body = np.array2string(data, separator=", ", prefix="tensor(", precision=4, floatmode="fixed")
    elif data.dtype.kind == "b":
        body = np.array2string(data, separator=", ", prefix="tensor(", formatter={"bool": lambda v: str(v)})
    else:
        body = np.array2string(data, separator=", ", prefix="tensor(")
    extras = []
    if data.size == 0:
        extras.append(f"size={data.shape}")
    if data.dtype not in (float32, int64, bool_):
        extras.append(f"dtype={_DTYPE_NAMES.get(data.dtype, data.dtype)}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"


# The op catalogue, imported last: its modules import Tensor from here.
from autograd.elementwise import (  # noqa: E402
    Abs, Add, Cast, Clamp, Clone, Copy, Cos, Div, Exp, Fill, Log, Maximum, Minimum, Mul, Neg, Pow, Relu,
    Sigmoid, Sin, Sqrt, Sub, Tanh, Where, Log1p, Erf,
)
from autograd.reductions import AMax, LogSoftmax, Softmax, Sum, SumToSize  # noqa: E402
from autograd.shape import Expand, Gather, GetItem, Permute, Reshape, SetItem, _is_basic  # noqa: E402
from autograd.linalg import MatMul  # noqa: E402

_INPLACE_UFUNCS = {Add: np.add, Sub: np.subtract, Mul: np.multiply, Div: np.true_divide}
