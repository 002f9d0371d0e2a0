"""`Tensor`, the core: a NumPy array (`_data`; `.data` is a detached Tensor
over it, as in PyTorch) with what autograd needs, its `grad`, the node that
made it (`grad_fn`, with `_output_nr`: which of that node's outputs it is),
`requires_grad`, and a version counter bumped by in-place ops.

The ops and most methods (`+`, `exp`, `sum`, `reshape`, `backward`, ...) are
attached by `tensor_methods.py` from the op families, which import this class.
Dtypes follow PyTorch: Python floats become float32, ints int64, NumPy arrays
keep theirs.
"""

from __future__ import annotations

import numpy as np

from autograd.device import CPU, device
from autograd.dtypes import DTYPE_NAMES as _DTYPE_NAMES, check_dtype, dtype, float32, float64, named
from autograd.tensor_format import format_tensor

_new = object.__new__
_ndarray = np.ndarray


def _as_dtype(dtype):
    return None if dtype is None else np.dtype(dtype)


def _array_from(data, dtype=None):
    """A fresh ndarray from `data` with PyTorch's dtype rules; strings, objects and
    complex numbers are refused (dtypes.check_dtype) before any cast to `dtype`."""
    if dtype is not None:
        dtype = check_dtype(dtype, "tensor()")
    if isinstance(data, Tensor):
        return np.array(data._data, dtype=dtype)
    try:
        array = np.array(data)
    except ValueError as error:
        if "inhomogeneous" in str(error) or "sequence" in str(error):
            raise ValueError(
                f"tensor(): the nested sequence is ragged ({error}); every list at one "
                "depth must have the same length"
            ) from None
        raise
    check_dtype(array.dtype, "tensor()")
    if dtype is not None:
        return array.astype(dtype, copy=False)
    if array.dtype == float64 and not isinstance(data, (np.ndarray, np.generic)):
        array = array.astype(float32)  # Python floats default to float32
    return array


def _check_requires_grad(array, requires_grad, op="tensor"):
    if requires_grad and array.dtype.kind != "f":
        raise RuntimeError(
            f"{op}(): only Tensors of floating point dtype can require gradients "
            f"(got dtype {_DTYPE_NAMES.get(array.dtype, array.dtype)}); create it with "
            "dtype=autograd.float32 or call .float() first"
        )


def _raw(x):
    """The ndarray inside a Tensor; anything else as it is."""
    return x._data if isinstance(x, Tensor) else x


class Tensor:
    """An n-dimensional array with autograd. `Tensor(data)` is `autograd.tensor(data)`."""

    __slots__ = (
        "_data", "grad", "grad_fn", "requires_grad", "_output_nr", "_hooks", "_version", "name", "__weakref__",
    )
    __hash__ = object.__hash__

    def __init__(self, data, dtype=None, requires_grad=False):
        array = _array_from(data, _as_dtype(dtype))
        _check_requires_grad(array, requires_grad)
        self._data = array
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self.grad_fn = None
        self._output_nr = 0
        self._hooks = None
        self._version = [0]  # bumped by in-place ops; shared with views
        self.name = None

    @classmethod
    def _make(cls, array, requires_grad):
        """Wrap an ndarray without copying or checking (what ops return)."""
        t = _new(cls)
        if type(array) is not _ndarray:
            array = np.asarray(array)
        t._data = array
        t.requires_grad = requires_grad
        t.grad = None
        t.grad_fn = None
        t._output_nr = 0
        t._hooks = None
        t._version = [0]
        t.name = None
        return t

    @staticmethod
    def _ones(shape, dtype):
        # np.ones is a Python function; a 0-d array (the gradient that starts backward) is quicker made
        return np.array(1, dtype) if shape == () else np.ones(shape, dtype)

    # --- properties ---
    @property
    def data(self) -> Tensor:
        """The same memory as a Tensor cut from the graph (`requires_grad=False`),
        as in PyTorch: changes made through it are not tracked by autograd.
        `.numpy()` is the way to the ndarray."""
        return Tensor._make(self._data, False)

    @data.setter
    def data(self, value: Tensor) -> None:
        """Replace the storage (shape and dtype may change); the graph is untouched."""
        if not isinstance(value, Tensor):
            raise TypeError(
                f".data = ...: expected a Tensor, got {type(value).__name__}; "
                "wrap an array with autograd.from_numpy() or autograd.tensor()"
            )
        self._data = value._data

    @property
    def shape(self) -> tuple:
        return self._data.shape

    @property
    def dtype(self) -> dtype:
        """PyTorch's name for the NumPy dtype (`autograd.float32`)."""
        return named(self._data.dtype)

    @property
    def ndim(self) -> int:
        return self._data.ndim

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
    def device(self) -> device:
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def size(self, dim=None):
        return self._data.shape if dim is None else self._data.shape[dim]

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    def element_size(self) -> int:
        return self._data.itemsize

    # --- conversion ---
    def numpy(self) -> np.ndarray:
        return self._data

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"item(): a Tensor with {self._data.size} elements (shape {self.shape}) cannot "
                "be converted to a Python scalar; index it or reduce it first"
            )
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and dtype != self._data.dtype:
            return self._data.astype(dtype)
        return self._data

    def cpu(self) -> Tensor:
        return self

    def cuda(self, device=None, non_blocking=False) -> Tensor:
        raise RuntimeError(
            "cuda(): no GPU here; glassgrad computes on the CPU with NumPy. "
            "Pick the device with `'cuda' if autograd.cuda.is_available() else 'cpu'`"
        )

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self._data.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data)

    def __repr__(self) -> str:
        return format_tensor(self)

    def __format__(self, spec: str) -> str:
        """`f"{t:.4f}"` formats a 0-d tensor's number, as in PyTorch."""
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        if spec:
            raise TypeError(
                f"unsupported format string {spec!r} for a Tensor of shape {self.shape}; "
                "format its elements (t[i].item()) or a 0-d tensor"
            )
        return format_tensor(self)

    def detach(self) -> Tensor:
        """The same data, cut from the graph (in-place changes show in both)."""
        out = Tensor._make(self._data, False)
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
        _check_requires_grad(self._data, requires_grad, "requires_grad_")
        self.requires_grad = bool(requires_grad)
        return self

    def contiguous(self) -> Tensor:
        return self

    @property
    def _version_number(self) -> int:
        return self._version[0]
