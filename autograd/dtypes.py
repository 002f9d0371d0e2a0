"""The dtypes, under PyTorch's names (`autograd.float32` is `np.dtype('float32')`)."""

import numpy as np

float16 = half = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)

DTYPE_NAMES = {
    float16: "torch.float16",
    float32: "torch.float32",
    float64: "torch.float64",
    int8: "torch.int8",
    int16: "torch.int16",
    int32: "torch.int32",
    int64: "torch.int64",
    uint8: "torch.uint8",
    bool_: "torch.bool",
}

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
