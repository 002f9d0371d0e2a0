"""Linear, normalisation, dropout and embedding functions (`F.linear`, `F.batch_norm`,
`F.dropout`, `F.embedding`, ...)."""

from __future__ import annotations

import warnings

import numpy as np

from autograd import no_grad
from autograd.creation import default_generator
from autograd.functional_forms import where
from autograd.linalg import Linear
from autograd.tensor import Tensor
from nn.functional._tensors import _array, _const


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b, for x of shape (*, in_features) and W of shape (out_features, in_features)."""
    for name, value in (("input", input), ("weight", weight)):
        if not isinstance(value, Tensor) or value.ndim not in ((1, 2) if name == "weight" else range(1, 99)):
            what = f"a {value.ndim}-d Tensor" if isinstance(value, Tensor) else type(value).__name__
            raise TypeError(f"linear(): {name} must be a Tensor of {'1 or 2' if name == 'weight' else 'at least 1'} "
                            f"dims, got {what}")
    if input.shape[-1] != weight.shape[-1]:
        raise RuntimeError(
            f"linear(): input of shape {input.shape} does not fit weight of shape {weight.shape}: the "
            f"input's last dimension must be in_features={weight.shape[-1]}"
        )
    if bias is None:
        return Linear.apply(input, weight)
    return Linear.apply(input, weight, bias)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """In training, zero each element with probability p and scale the rest by 1/(1-p)."""
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    keep = default_generator().random(input.shape) >= p
    scale = _const(keep / (1.0 - p) if p < 1.0 else keep * 0.0, dtype=input.dtype, name="dropout mask")
    return input.mul_(scale) if inplace else input * scale


def _channel_shape(input: Tensor) -> tuple:
    """(1, C, 1, ...): how a per-channel vector broadcasts against (N, C, *)."""
    return (1, input.shape[1]) + (1,) * (input.ndim - 2)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """y = (x - mean) / sqrt(var + eps) * weight + bias per channel (dim 1) of x (N, C, *);
    batch statistics in training (updating the running ones), running ones otherwise."""
    if input.ndim < 2:
        raise ValueError(f"batch_norm(): expected input of shape (N, C, *), got shape {input.shape}")
    channels = input.shape[1]
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and t.shape != (channels,):
            raise RuntimeError(
                f"batch_norm(): {name} should contain {channels} elements (the channels, dim 1 of input of "
                f"shape {input.shape}), not shape {t.shape}"
            )
    shape = _channel_shape(input)
    dims = (0,) + tuple(range(2, input.ndim))
    if training:
        count = input._data.size // max(channels, 1)
        if count <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {input.shape}"
            )
        mean = input.mean(dims, keepdim=True)
        var = input.var(dims, keepdim=True, correction=0)
        with no_grad():  # the running variance is unbiased, as in PyTorch
            if running_mean is not None:
                running_mean.copy_(running_mean * (1.0 - momentum) + mean.reshape(channels) * momentum)
            if running_var is not None:
                unbiased = var.reshape(channels) * (count / (count - 1))
                running_var.copy_(running_var * (1.0 - momentum) + unbiased * momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm(): running_mean and running_var are needed when training=False")
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    std = (var + eps).sqrt()
    if not training:  # data entering the graph: what a drawn graph calls them
        mean.name, std.name = "running_mean", "sqrt(running_var + eps)"
    out = (input - mean) / std
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def layer_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """y = (x - mean) / sqrt(var + eps) * weight + bias over the last len(normalized_shape) dims."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    n = len(normalized_shape)
    if input.shape[input.ndim - n :] != normalized_shape or input.ndim < n:
        raise RuntimeError(
            f"layer_norm(): Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(map(str, normalized_shape))}], but got input of size {input.shape}"
        )
    dims = tuple(range(input.ndim - n, input.ndim))
    mean = input.mean(dims, keepdim=True)
    var = input.var(dims, keepdim=True, correction=0)
    out = (input - mean) / (var + eps).sqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def embedding(
    input,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """out[...] = weight[input[...]]: rows of weight (num_embeddings, dim) for integer indices;
    the row at padding_idx gets no gradient."""
    index = _array(input)
    if index.dtype.kind not in "iu":
        raise RuntimeError(
            f"embedding(): expected integer indices (dtype int64), got dtype {index.dtype}; convert with .long()"
        )
    num = weight.shape[0]
    if index.size and (index.min() < 0 or index.max() >= num):
        raise IndexError(
            f"embedding(): index out of range: indices must be in [0, {num}) for a weight of shape "
            f"{weight.shape}, got values in [{index.min()}, {index.max()}]"
        )
    if sparse:
        raise NotImplementedError("embedding(): sparse gradients are not supported; use sparse=False")
    if max_norm is not None:
        _renorm_rows(weight, index, max_norm, norm_type)
    rows = weight[index]
    if scale_grad_by_freq:  # the same forward; the gradient of each row divided by its count
        counts = np.bincount(index.reshape(-1), minlength=num)[index][..., None].astype(weight.dtype)
        rows = rows.detach() + (rows - rows.detach()) / _const(counts)
    if padding_idx is not None:
        padding_idx = padding_idx % num
        rows = where(_const((index != padding_idx)[..., None]), rows, rows.detach())
    return rows


def _renorm_rows(weight: Tensor, index: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rescale in place the rows of weight used by index whose norm exceeds max_norm."""
    used = np.unique(index)
    norms = np.linalg.norm(weight._data[used].astype(np.float64), ord=norm_type, axis=1)
    scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)[:, None]
    with no_grad():
        weight[used] = _const(weight._data[used] * scale, dtype=weight.dtype)


def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape (*, num_classes) with a 1 at each index of `tensor`."""
    index = _array(tensor)
    if index.dtype.kind not in "iu":
        raise RuntimeError(
            f"one_hot is only applicable to index tensor of type LongTensor (got dtype {index.dtype})"
        )
    if num_classes == -1:
        num_classes = int(index.max()) + 1 if index.size else 0
    if index.size and index.min() < 0:
        raise RuntimeError("one_hot(): Class values must be non-negative.")
    if index.size and index.max() >= num_classes:
        raise RuntimeError(f"one_hot(): Class values must be smaller than num_classes ({num_classes}).")
    return Tensor((index[..., None] == np.arange(num_classes)).astype(np.int64))


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """In training, zero each whole channel (input[n, c]) with probability p and scale the
    rest by 1/(1-p). A 3-D input is taken as (N, C, L), as PyTorch does (with its warning)."""
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and will result in an "
            "error in a future release. To retain the behavior and silence this warning, please use dropout "
            "instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial "
            "dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    if not training or p == 0.0:
        return input
    if input.ndim < 2:
        return dropout(input, p, training, inplace)
    keep = default_generator().random(input.shape[:2] + (1,) * (input.ndim - 2)) >= p
    scale = _const(keep / (1.0 - p) if p < 1.0 else keep * 0.0, dtype=input.dtype, name="dropout mask")
    return input.mul_(scale) if inplace else input * scale
