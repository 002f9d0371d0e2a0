"""`autograd.exp(t)`, `autograd.cat([...])`, ...: PyTorch's function forms of the
Tensor methods (`add`, `sub`, `mul`, `matmul` and `norm` with PyTorch's `out=`),
the ops that take several tensors, `pad`, and `is_tensor`."""

from __future__ import annotations

import numpy as np

from autograd import norms
from autograd.arguments import _dims, _int
from autograd.elementwise import Where
from autograd.grad_mode import is_grad_enabled
from autograd.linalg import MatMul, addmm, bmm, mm
from autograd.shape import Cat, Pad, PadByIndex, padding_taps
from autograd.tensor import Tensor
from autograd.tensor_inplace import copy_result_into
from autograd.tensor_methods import _tensor

_METHODS = (
    "div pow neg abs exp log sqrt sin cos tanh sigmoid relu clamp clip "
    "maximum minimum sum mean var std amax amin max min logsumexp softmax log_softmax "
    "reshape permute transpose unsqueeze squeeze flatten argmax argmin sign square rsqrt "
    "isnan isfinite all any split chunk t log1p erf masked_fill gather scatter index_select topk"
).split()


def _function_form(name):
    method = getattr(Tensor, name)

    def form(input, *args, **kwargs):
        return method(_tensor(input), *args, **kwargs)

    form.__name__ = name
    form.__doc__ = f"`autograd.{name}(input, ...)` is `input.{name}(...)`."
    return form


for _name in _METHODS:
    globals()[_name] = _function_form(_name)


def is_tensor(obj) -> bool:
    """Whether obj is a Tensor (a Parameter included)."""
    return isinstance(obj, Tensor)


def _write_out(op, out, operands, compute):
    """compute(); with `out`, its result written into out, as PyTorch's `out=`: never under
    a graph, of the result's shape (an empty out is resized), cast as in-place ops cast."""
    if out is None:
        return compute()
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be a Tensor, not {type(out).__name__}")
    if is_grad_enabled() and [t for t in (*operands, out) if isinstance(t, Tensor) and t.requires_grad]:
        raise RuntimeError(
            f"{op}(): functions with out=... arguments don't support automatic differentiation, but one of the "
            "arguments requires grad. Drop out= (assign the result), or call it under `with autograd.no_grad():`"
        )
    result = compute()
    if result.shape != out.shape:
        if out.numel():
            raise RuntimeError(
                f"{op}(): out has shape {tuple(out.shape)} but the result has shape {tuple(result.shape)}; "
                "pass a tensor of the result's shape (an empty one is resized)"
            )
        out._data = np.empty(result.shape, out.dtype)
    copy_result_into(out, result, op)
    return out


def add(input, other, *, alpha=1, out=None) -> Tensor:
    """input + alpha * other."""
    return _write_out("add", out, (input, other), lambda: _tensor(input).add(other, alpha=alpha))


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """input - alpha * other."""
    return _write_out("sub", out, (input, other), lambda: _tensor(input).sub(other, alpha=alpha))


def mul(input, other, *, out=None) -> Tensor:
    """input * other."""
    return _write_out("mul", out, (input, other), lambda: _tensor(input) * other)


def matmul(input, other, *, out=None) -> Tensor:
    """input @ other: 1-d, 2-d, batched and broadcast, as `Tensor.__matmul__`."""
    return _write_out("matmul", out, (input, other), lambda: MatMul.apply(_tensor(input), _tensor(other)))


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None) -> Tensor:
    """torch.norm: the p-norm of input over dim (all dims by default), as `Tensor.norm`."""
    return _write_out("norm", out, (input,), lambda: norms.norm(input, p, dim, keepdim, dtype=dtype))


subtract, multiply = sub, mul


def cat(tensors, dim=0) -> Tensor:
    """Join tensors along an existing dim."""
    tensors = [_tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError("cat(): expected a non-empty sequence of tensors")
    dim = _dims(dim, tensors[0].ndim)[0] if tensors[0].ndim else 0
    return Cat.apply(dim, *tensors)


concat = concatenate = cat


def stack(tensors, dim=0) -> Tensor:
    """Join tensors along a new dim."""
    tensors = [_tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError("stack(): expected a non-empty sequence of tensors")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise RuntimeError(f"stack(): expects each tensor to be equal size, got shapes {[t.shape for t in tensors]}")
    dim = _dims(dim, tensors[0].ndim + 1)[0]
    return Cat.apply(dim, *[t.unsqueeze(dim) for t in tensors])


def where(condition, input, other) -> Tensor:
    """`input` where `condition` holds, else `other` (both differentiable)."""
    return Where.apply(_tensor(condition).to(bool), input, other)


def pad(input, pad, mode="constant", value=None) -> Tensor:
    """torch.nn.functional.pad: `pad` lists (before, after) pairs from the last dim
    backwards; negative values crop. mode 'constant' fills with value (0 by default);
    'reflect' mirrors the input at its edges (the edge itself not repeated), 'replicate'
    repeats the edge, 'circular' wraps around: these pad the last 1, 2 or 3 dims of a
    batched (N, C, ...) or unbatched (C, ...) input."""
    pad = tuple(_int(p, "pad") for p in pad)
    if mode == "constant":
        if len(pad) % 2 or len(pad) // 2 > input.ndim:
            raise RuntimeError(
                f"pad(): padding length {len(pad)} must be even and at most twice the dims of shape {input.shape}"
            )
        return Pad.apply(input, pad, 0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(
            f"pad(): Unrecognised padding mode {mode!r}; use 'constant', 'reflect', 'replicate' or 'circular'"
        )
    if value is not None and value != 0:
        raise RuntimeError(f'pad(): Padding mode "{mode}" doesn\'t take in value argument (got value={value})')
    if len(pad) % 2:
        raise RuntimeError(f"pad(): Padding length must be divisible by 2, got {len(pad)}")
    return PadByIndex.apply(input, padding_taps(input.shape, pad, mode), mode)


__all__ = _METHODS + [
    "add", "sub", "subtract", "mul", "multiply", "matmul", "norm", "mm", "bmm", "addmm", "is_tensor",
    "cat", "concat", "concatenate", "stack", "where", "pad",
]
