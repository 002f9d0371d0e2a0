"""How a Tensor prints: PyTorch's `tensor([...], dtype=..., grad_fn=<...>)`."""

from __future__ import annotations

import numpy as np

from autograd.dtypes import DTYPE_NAMES as _DTYPE_NAMES, bool_, float32, int64


def format_tensor(t) -> str:
    """`tensor([...], dtype=..., grad_fn=<...>)`, as PyTorch prints a tensor."""
    data = t._data
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
