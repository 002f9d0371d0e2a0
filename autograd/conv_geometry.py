"""Where the windows of a convolution or a pooling lie, and PyTorch's checks of the
arguments that place them.

Every convolution and pooling entry point (`conv2d` in autograd/conv.py, `max_pool2d`
in autograd/pooling.py, ...) turns its arguments into a `Geometry` here, in one call,
and hands it to its op. Everything is 2-d: a 1-d op runs as a 2-d one of height 1
(`as_2d` / `from_2d`, and a geometry whose first dim is 1), and an unbatched input
(C, *spatial) as a batch of one (`spatial_input`).

    conv_geometry(...)            kernel from the weight; stride, padding ('same', 'valid'), dilation, groups
    conv_transpose_geometry(...)  the convolution whose adjoint a transposed one is, and the output size
    pool_geometry(...)            kernel_size, stride (the kernel by default), padding, dilation, ceil_mode
    avg_pool_scale(...)           1 / the divisor of each average-pooling window
    adaptive_output_size(...)     an adaptive pooling's output_size (an int, or a tuple with None)

The errors are PyTorch's, word for word where the tests pin them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from autograd.tensor import Tensor

__all__ = [
    "Geometry",
    "adaptive_output_size",
    "as_2d",
    "avg_pool_scale",
    "conv_geometry",
    "conv_transpose_geometry",
    "from_2d",
    "int_tuple",
    "pool_geometry",
    "same_padding",
    "spatial_input",
    "transposed_output_size",
]


class Geometry(NamedTuple):
    """Where the windows of a convolution or a pooling lie on a 2-d image."""

    kernel: tuple  # (kh, kw)
    stride: tuple  # (sh, sw)
    padding: tuple  # ((top, bottom), (left, right)); a pooling's ceil_mode adds to bottom / right
    dilation: tuple  # (dh, dw)
    groups: int = 1

    def output_size(self, size) -> tuple:
        """(OH, OW) for an input of spatial size (H, W)."""
        return tuple(
            (n + lo + hi - d * (k - 1) - 1) // s + 1
            for n, k, s, (lo, hi), d in zip(size, self.kernel, self.stride, self.padding, self.dilation)
        )

    def taps(self, out_size):
        """For each kernel position, the slices of the padded image it reads, in output order."""
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        oh, ow = out_size
        for i in range(kh):
            for j in range(kw):
                yield (
                    slice(i * dh, i * dh + (oh - 1) * sh + 1, sh),
                    slice(j * dw, j * dw + (ow - 1) * sw + 1, sw),
                )


def _geometry(kernel, stride, pads, dilation, groups=1) -> Geometry:
    """The Geometry of a 1-d or 2-d window; a 1-d one as 2-d of height 1."""
    if len(kernel) == 1:
        kernel, stride, pads, dilation = (1,) + kernel, (1,) + stride, ((0, 0),) + pads, (1,) + dilation
    return Geometry(kernel, stride, pads, dilation, int(groups))


# --- arguments ----------------------------------------------------------------------------------


def int_tuple(value, n: int, name: str, op: str) -> tuple:
    """An int, or a sequence of n ints, as a tuple of n ints."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * n
    values = tuple(value)
    if len(values) == 1 and n > 1:
        values = values * n
    if len(values) != n or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        raise RuntimeError(
            f"{op}(): expected {name} to be a single integer value or a list of {n} values to match the "
            f"{n}-d spatial dims, but got {name}={value!r}"
        )
    return tuple(int(v) for v in values)


def _positive(values: tuple, name: str, op: str) -> None:
    if any(v < 1 for v in values):
        raise RuntimeError(f"{op}(): non-positive {name} is not supported (got {name}={values})")


def _stride_dilation(stride, dilation, dims: int, op: str) -> tuple:
    """(stride, dilation) as positive tuples of dims ints."""
    stride, dilation = int_tuple(stride, dims, "stride", op), int_tuple(dilation, dims, "dilation", op)
    _positive(stride, "stride", op)
    _positive(dilation, "dilation", op)
    return stride, dilation


def spatial_input(input: Tensor, dims: int, op: str) -> tuple:
    """(input as a batch (N, C, *spatial), whether it was batched), for a
    (C, *spatial) or (N, C, *spatial) input."""
    if not isinstance(input, Tensor) or input.ndim not in (dims + 1, dims + 2):
        shape = list(input.shape) if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(
            f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {op}, but got input of size: {shape}"
        )
    if input.dtype.kind != "f":
        raise RuntimeError(f"{op}(): expected a floating point input, got dtype {input.dtype}; call .float() first")
    batched = input.ndim == dims + 2
    return (input if batched else input.unsqueeze(0)), batched


def as_2d(x: Tensor, dims: int) -> Tensor:
    """A 1-d op's (N, C, L) input as (N, C, 1, L)."""
    return x.unsqueeze(2) if dims == 1 else x


def from_2d(y: Tensor, dims: int, batched: bool) -> Tensor:
    """The inverse of `as_2d` and `spatial_input`: the output in the input's layout."""
    if dims == 1:
        y = y.squeeze(2)
    return y if batched else y.squeeze(0)


def _sizes(sizes) -> str:
    return " x ".join(str(s) for s in sizes)


# --- convolution --------------------------------------------------------------------------------


def _check_conv_weight(input: Tensor, x: Tensor, weight: Tensor, bias, groups: int, dims: int, op: str,
                       transposed: bool = False) -> None:
    """PyTorch's checks of the channels, groups, dtypes and bias of a convolution."""
    if not isinstance(weight, Tensor) or weight.ndim != dims + 2:
        raise RuntimeError(
            f"{op}(): expected a {dims + 2}-d weight (out_channels, in_channels / groups, "
            f"{', '.join('k' + str(i) for i in range(dims))}), got weight of size "
            f"{list(weight.shape) if isinstance(weight, Tensor) else type(weight).__name__}"
        )
    if x.dtype != weight.dtype or (bias is not None and bias.dtype != weight.dtype):
        raise RuntimeError(
            f"{op}(): input ({x.dtype}), weight ({weight.dtype})"
            + (f" and bias ({bias.dtype})" if bias is not None else "")
            + " must have the same dtype"
        )
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise RuntimeError(f"{op}(): non-positive groups is not supported (got groups={groups})")
    channels = x.shape[1]
    if transposed:
        if weight.shape[0] != channels:
            raise RuntimeError(
                f"Given transposed=1, weight of size {list(weight.shape)}, expected input{list(input.shape)} to have "
                f"{weight.shape[0]} channels, but got {channels} channels instead"
            )
        if channels % groups:
            raise RuntimeError(
                f"Given groups={groups}, expected the input channels (dim 1 of input{list(input.shape)}, and dim 0 "
                f"of weight of size {list(weight.shape)}) to be divisible by {groups}, but got {channels}"
            )
        out_channels = weight.shape[1] * groups
    else:
        if weight.shape[0] % groups:
            raise RuntimeError(
                f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight "
                f"of size {list(weight.shape)} instead (input of size {list(input.shape)})"
            )
        if weight.shape[1] * groups != channels:
            raise RuntimeError(
                f"Given groups={groups}, weight of size {list(weight.shape)}, expected input{list(input.shape)} to "
                f"have {weight.shape[1] * groups} channels, but got {channels} channels instead"
            )
        out_channels = weight.shape[0]
    if bias is not None and bias.shape != (out_channels,):
        raise RuntimeError(
            f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with {out_channels} "
            f"elements, but got bias of size {list(bias.shape)} instead"
        )


def same_padding(kernel, dilation) -> tuple:
    """((lo, hi), ...) that keep the size at stride 1: the odd extra pad goes at the end, as in PyTorch."""
    return tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation))


def _conv_padding(padding, kernel, stride, dilation, dims, op) -> tuple:
    """((lo, hi), ...) per spatial dim from an int, a tuple, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * dims
        if padding != "same":
            raise RuntimeError(f"{op}(): invalid padding string {padding!r}, should be one of 'valid', 'same'")
        if any(s != 1 for s in stride):
            raise RuntimeError(f"{op}(): padding='same' is not supported for strided convolutions (stride={stride})")
        return same_padding(kernel, dilation)
    pads = int_tuple(padding, dims, "padding", op)
    if any(p < 0 for p in pads):
        raise RuntimeError(f"{op}(): negative padding is not supported (got padding={padding})")
    return tuple((p, p) for p in pads)


def conv_geometry(input: Tensor, x: Tensor, weight: Tensor, bias, stride, padding, dilation, groups,
                  dims: int, op: str) -> Geometry:
    """The windows of `op` (conv1d, conv2d) on x, the batched input, after PyTorch's checks."""
    _check_conv_weight(input, x, weight, bias, groups, dims, op)
    kernel = tuple(weight.shape[2:])
    stride, dilation = _stride_dilation(stride, dilation, dims, op)
    pads = _conv_padding(padding, kernel, stride, dilation, dims, op)
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads))
    reach = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(p < r for p, r in zip(padded, reach)):
        raise RuntimeError(
            f"{op}(): calculated padded input size per channel: ({_sizes(padded)}) (input of size "
            f"{list(input.shape)}, padding {[lo for lo, _ in pads]}). Kernel size: ({_sizes(reach)}) (weight of size "
            f"{list(weight.shape)}, dilation {list(dilation)}). Kernel size can't be greater than actual input size"
        )
    return _geometry(kernel, stride, pads, dilation, groups)


def transposed_output_size(size, kernel, stride, padding, dilation, output_padding) -> tuple:
    """The spatial size of a transposed convolution's output:
    (n - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1 per dim."""
    return tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + e + 1
        for n, s, p, d, k, e in zip(size, stride, padding, dilation, kernel, output_padding)
    )


def conv_transpose_geometry(input: Tensor, x: Tensor, weight: Tensor, bias, stride, padding, output_padding,
                            groups, dilation, dims: int, op: str) -> tuple:
    """(the geometry of the convolution whose adjoint `op` is, the output's spatial size), for x,
    the batched input, after PyTorch's checks."""
    _check_conv_weight(input, x, weight, bias, groups, dims, op, transposed=True)
    kernel = tuple(weight.shape[2:])
    stride, dilation = _stride_dilation(stride, dilation, dims, op)
    if isinstance(padding, str):
        raise TypeError(f"{op}(): padding must be an int or a tuple of ints, got {padding!r}")
    pads = int_tuple(padding, dims, "padding", op)
    extra = int_tuple(output_padding, dims, "output_padding", op)
    if any(p < 0 for p in pads + extra):
        raise RuntimeError(f"{op}(): negative padding is not supported (padding={pads}, output_padding={extra})")
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation)):
        raise RuntimeError(
            f"{op}(): output padding must be smaller than either stride or dilation, but got output_padding={extra}, "
            f"stride={stride}, dilation={dilation}"
        )
    size = transposed_output_size(x.shape[2:], kernel, stride, pads, dilation, extra)
    if any(n < 1 for n in size):
        raise RuntimeError(
            f"{op}(): the output size ({_sizes(size)}) of input of size {list(input.shape)} with weight of size "
            f"{list(weight.shape)}, stride {stride}, padding {pads}, dilation {dilation} and output_padding "
            f"{extra} is too small"
        )
    # The convolution whose adjoint this is: output_padding rows past what a stride covers
    # are cropped from its input (a negative bottom / right padding).
    pads = tuple((p, p - max(0, e - s + 1)) for p, e, s in zip(pads, extra, stride))
    if dims == 1:
        size = (1,) + size
    return _geometry(kernel, stride, pads, dilation, groups), size


# --- pooling ------------------------------------------------------------------------------------


def _pool_output_size(size, kernel, stride, pads, dilation, ceil_mode) -> list:
    """PyTorch's output size of a pooling: ceil_mode lets a last window hang over the
    bottom / right edge, if it starts inside the input or the left padding."""
    out = []
    for n, k, s, p, d in zip(size, kernel, stride, pads, dilation):
        span = n + 2 * p - d * (k - 1) - 1
        o = (span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= n + p:
            o -= 1
        out.append(o)
    return out


def pool_geometry(x: Tensor, input: Tensor, kernel_size, stride, padding, dilation, ceil_mode, dims, op,
                  dilated=True) -> Geometry:
    """The windows of a pooling on x, the batched input, after PyTorch's checks; the bottom /
    right padding grows to hold the last window of ceil_mode."""
    kernel = int_tuple(kernel_size, dims, "kernel_size", op)
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) else int_tuple(
        stride, dims, "stride", op
    )
    pads = int_tuple(padding, dims, "padding", op)
    dilation = int_tuple(dilation, dims, "dilation", op)
    _positive(kernel, "kernel_size", op)
    _positive(stride, "stride", op)
    _positive(dilation, "dilation", op)
    for p, k, d in zip(pads, kernel, dilation):
        if p < 0 or p > ((k - 1) * d + 1) // 2:
            raise RuntimeError(
                f"{op}(): pad should be at most half of {'effective ' if dilated else ''}kernel size, but got "
                f"pad={p}, kernel_size={k}" + (f" and dilation={d}" if dilated else "")
            )
    size = x.shape[2:]
    out = _pool_output_size(size, kernel, stride, pads, dilation, ceil_mode)
    if any(o < 1 for o in out):
        c = x.shape[1]
        raise RuntimeError(
            f"{op}(): given input size: ({c}x{'x'.join(map(str, size))}). Calculated output size: "
            f"({c}x{'x'.join(map(str, out))}). Output size is too small (input of size {list(input.shape)}, "
            f"kernel_size={kernel}, stride={stride}, padding={pads}, dilation={dilation})"
        )
    pads = tuple(
        (p, p + max(0, (o - 1) * s + d * (k - 1) + 1 - (n + 2 * p)))
        for n, k, s, p, d, o in zip(size, kernel, stride, pads, dilation, out)
    )
    return _geometry(kernel, stride, pads, dilation)


def avg_pool_scale(size, geometry: Geometry, count_include_pad: bool, divisor_override, dtype):
    """1 / the divisor of each window of a (H, W) = size input, as PyTorch counts it: the
    window clipped to the padded input (count_include_pad) or to the input itself; a float
    when it is the same everywhere."""
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("avg_pool2d(): divisor must be not zero")
        return 1.0 / divisor_override
    counts = []
    for n, k, s, (p, _), o in zip(size, geometry.kernel, geometry.stride, geometry.padding,
                                  geometry.output_size(size)):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        counts.append(end - start)
    count = counts[0][:, None] * counts[1][None, :]
    if np.all(count == count.flat[0]):
        return 1.0 / float(count.flat[0])
    with np.errstate(divide="ignore"):
        scale = np.where(count > 0, 1.0 / count, 0.0)
    return scale.astype(dtype)


def adaptive_output_size(size, output_size, dims: int, op: str) -> tuple:
    """An adaptive pooling's output_size as dims positive ints (None keeps that input size)."""
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * dims
    output_size = tuple(size[i] if o is None else int(o) for i, o in enumerate(output_size))
    if len(output_size) != dims or any(o < 1 for o in output_size):
        raise RuntimeError(f"{op}(): output_size must be {dims} positive integers, got {output_size}")
    return output_size
