"""The device API, CPU only: glassgrad computes with NumPy on the CPU.

PyTorch scripts name devices everywhere (`device = torch.device("cuda" if
torch.cuda.is_available() else "cpu")`, `x.to(device)`, `nn.Linear(2, 3,
device=device)`), so the names exist here: `device('cpu')` works wherever
PyTorch takes a device, `cuda.is_available()` is False, and asking to compute
on another device raises an error that says why.
"""

from __future__ import annotations

from autograd.dtypes import check_dtype

# Device types PyTorch knows: naming one is fine, computing on one is an error here.
_KNOWN_TYPES = ("cpu", "cuda", "mps", "xpu", "xla", "meta", "hip", "ipu", "mtia", "privateuseone")
_default_device = "cpu"


class device:  # noqa: N801 - PyTorch's name
    """A device: `device('cpu')`, `device('cpu', 0)`, `device('cuda:0')`.

    Only the CPU computes; other known types can be named (as in PyTorch, where
    `device('cuda')` is valid on a machine without a GPU) but not used.
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):  # noqa: A002 - PyTorch's argument name
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string like 'cpu', got {type.__class__.__name__}")
        name, _, number = type.partition(":")
        if name not in _KNOWN_TYPES:
            raise RuntimeError(
                f"device(): expected one of {', '.join(_KNOWN_TYPES)} (optionally with ':index'), got {type!r}"
            )
        if number:
            if index is not None or not number.isdigit():
                raise RuntimeError(f"device(): invalid device string {type!r}")
            index = int(number)
        if index is not None and (not isinstance(index, int) or isinstance(index, bool) or index < 0):
            raise RuntimeError(f"device(): the index must be a non-negative int, got {index!r}")
        self.type, self.index = name, index

    def __repr__(self) -> str:
        suffix = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{suffix})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except RuntimeError:
                return False
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(value, op: str) -> None:
    """Accept None, 'cpu', 'cpu:0' and `device('cpu')`; raise for anything else."""
    if value is None:
        return
    if not isinstance(value, (str, device)):
        raise TypeError(f"{op}: device must be a string or autograd.device, got {type(value).__name__}")
    if device(value).type != "cpu":
        raise RuntimeError(
            f"{op}: device {str(value)!r} is not available; glassgrad computes on the CPU with NumPy. "
            "Use device='cpu' (or leave device out)"
        )


def set_default_device(value) -> None:
    """Only the CPU can be the default: `set_default_device('cpu')` (or None)."""
    check_device(value, "set_default_device()")


def get_default_device() -> device:
    return CPU


def is_device_like(value) -> bool:
    """Whether `to()`'s positional argument names a device (rather than a dtype)."""
    return isinstance(value, device) or (isinstance(value, str) and value.partition(":")[0] in _KNOWN_TYPES)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_to(args, kwargs, op: str):
    """The dtype that `to(...)` asks for (None: keep), after checking its device.

    PyTorch's forms: `to(dtype)`, `to(device)`, `to(device, dtype)`, `to(tensor)`,
    and the keywords `device=`, `dtype=`, `non_blocking=`, `copy=`.
    Returns `(dtype, copy)`.
    """
    unknown = set(kwargs) - {"device", "dtype", "non_blocking", "copy", "memory_format"}
    if unknown:
        raise TypeError(f"{op}: unexpected keyword argument {sorted(unknown)[0]!r}")
    dtype, target = kwargs.get("dtype"), kwargs.get("device")
    positional = list(args)
    if positional and hasattr(positional[0], "_data"):  # to(other_tensor): its dtype
        dtype = positional.pop(0).dtype
    elif positional and (positional[0] is None or is_device_like(positional[0]) or _is_int(positional[0])):
        target = positional.pop(0)
    if positional and not isinstance(positional[0], bool):
        dtype = positional.pop(0)
    if len(positional) > 2 or any(not isinstance(flag, bool) for flag in positional):
        raise TypeError(f"{op}: expected to(device, dtype, non_blocking, copy), got {args!r}")
    if _is_int(target):
        raise RuntimeError(
            f"{op}: device {target} (a GPU index) is not available; glassgrad computes on the CPU with NumPy"
        )
    check_device(target, op)
    copy = bool(kwargs.get("copy", positional[1] if len(positional) > 1 else False))
    return (None if dtype is None else check_dtype(dtype, op)), copy
