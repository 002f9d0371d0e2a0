"""`autograd.exp(t)`, `autograd.cat([...])`, ...: PyTorch's function forms of the
Tensor methods, and the ops that take several tensors."""

from __future__ import annotations

from autograd.elementwise import Where
from autograd.shape import Cat, Pad
from autograd.tensor import Tensor
from autograd.arguments import _dims
from autograd.tensor_methods import _tensor

_METHODS = (
    "add sub mul div pow matmul neg abs exp log sqrt sin cos tanh sigmoid relu clamp clip "
    "maximum minimum sum mean var std amax amin max min logsumexp softmax log_softmax "
    "reshape permute transpose unsqueeze squeeze flatten argmax argmin sign square rsqrt "
    "isnan isfinite all any split chunk t log1p erf masked_fill gather scatter index_select"
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


def pad(input, pad, mode="constant", value=0.0) -> Tensor:
    """Constant padding as `torch.nn.functional.pad`: `pad` lists (before, after)
    pairs from the last dim backwards; negative values crop."""
    if mode != "constant":
        raise NotImplementedError(f"pad(): mode {mode!r} is not supported; use mode='constant'")
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise RuntimeError(
            f"pad(): padding length {len(pad)} must be even and at most twice the dims of shape {input.shape}"
        )
    return Pad.apply(input, tuple(int(p) for p in pad), value)


__all__ = _METHODS + ["cat", "concat", "concatenate", "stack", "where", "pad"]
