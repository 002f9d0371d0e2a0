"""The dtypes, under PyTorch's names: `autograd.float32` prints as such, and it is
NumPy's float32 wherever NumPy takes a dtype (`np.zeros(3, autograd.float32)`,
`a.astype(t.dtype)`), since NumPy reads a dtype from an object's `.dtype`."""

import numpy as np


class dtype:  # noqa: N801 - PyTorch's name
    """A NumPy dtype with PyTorch's name. Equal to (and hashed as) the NumPy dtype,
    so `t.dtype == np.float32` holds; NumPy's attributes (`kind`, `itemsize`) pass through."""

    __slots__ = ("dtype", "_name")

    def __init__(self, numpy_dtype, name: str):
        self.dtype, self._name = np.dtype(numpy_dtype), name

    def __repr__(self) -> str:
        return f"autograd.{self._name}"

    __str__ = __repr__

    def __eq__(self, other) -> bool:
        if other is None:
            return False
        try:
            return self.dtype == np.dtype(other)
        except TypeError:
            return False

    def __hash__(self) -> int:
        return hash(self.dtype)

    def __getattr__(self, name):
        return getattr(self.dtype, name)

    def __reduce__(self):
        return (dtype, (self.dtype, self._name))

    @property
    def is_floating_point(self) -> bool:
        return self.dtype.kind == "f"

    @property
    def is_complex(self) -> bool:
        return self.dtype.kind == "c"

    @property
    def is_signed(self) -> bool:
        return self.dtype.kind in "fic"


float16 = half = dtype(np.float16, "float16")
float32 = dtype(np.float32, "float32")
float64 = double = dtype(np.float64, "float64")
int8 = dtype(np.int8, "int8")
int16 = short = dtype(np.int16, "int16")
int32 = dtype(np.int32, "int32")
int64 = long = dtype(np.int64, "int64")
uint8 = dtype(np.uint8, "uint8")
bool_ = dtype(np.bool_, "bool")

_BY_NUMPY = {d.dtype: d for d in (float16, float32, float64, int8, int16, int32, int64, uint8, bool_)}


def named(numpy_dtype):
    """The named dtype for a NumPy dtype (NumPy's own for a dtype PyTorch lacks)."""
    return _BY_NUMPY.get(numpy_dtype, numpy_dtype)


DTYPE_NAMES = {d.dtype: repr(d) for d in _BY_NUMPY.values()}

# What a tensor holds: numbers that are real. NumPy's other kinds are refused.
_REFUSED_KINDS = {
    "U": "strings",
    "S": "bytes",
    "O": "Python objects",
    "M": "datetimes",
    "m": "timedeltas",
    "V": "records (structured or void data)",
}


def check_dtype(dtype, op: str) -> np.dtype:
    """`dtype` as an np.dtype if a tensor can hold it (bool, signed and unsigned
    ints, floats); a TypeError naming `op` otherwise. Complex dtypes are refused
    too: glassgrad is real-valued (no conjugate/Wirtinger gradient rules)."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{op}: {dtype!r} is not a dtype; use e.g. autograd.float32 or autograd.int64") from None
    if dtype.kind in "biuf":
        return dtype
    if dtype.kind == "c":
        raise TypeError(
            f"{op}: complex tensors are not supported (got {dtype}): glassgrad is real-valued. "
            "Keep the real and imaginary parts as two real tensors (x.real and x.imag of a NumPy array)"
        )
    raise TypeError(
        f"{op}: a tensor holds numbers (bool, int or float), "
        f"not {_REFUSED_KINDS.get(dtype.kind, dtype.kind)} (dtype {dtype})"
    )
