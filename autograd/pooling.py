"""Pooling ops on NCHW images, with PyTorch's semantics.

A pooling reads the same windows as a convolution (the strided views and the
buffers of autograd/conv.py) but reduces each one on its own, channel by
channel. Each op's backward is its adjoint, and the adjoint's backward is the
op again, so gradients of gradients come for free:

    MaxPool(x)            y = the max of each window
    MaxPoolScatter(g)     its adjoint: each window's gradient goes to its argmax
    MaxPoolGather(v)      the adjoint of that: v read back at each argmax
    AvgPool(x)            y = scale * the sum of each window
    AvgPoolScatter(g)     its adjoint: each tap of a window gets scale * g

The entry points at the bottom (`max_pool2d`, `avg_pool2d`, ..., which
`nn.functional` hands on as they are) check their arguments and place the
windows in one call to autograd/conv_geometry.py, then apply the op. The loops
run over the kernel's taps (k*k vector ops), never over images, channels or
pixels. The adaptive average pooling is two small matmuls instead; the adaptive max
pooling gathers its windows (of unequal sizes) with one index array:

    AdaptiveMaxPool(x)    y = the max of each window, and its flat index in the (H, W) plane;
                          the gradient goes back to that index (ScatterAdd, whose adjoint is Gather)
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from autograd.conv import _canvas, _crop, _give, _pad, _take
from autograd.conv_geometry import (
    adaptive_output_size,
    as_2d,
    avg_pool_scale,
    from_2d,
    pool_geometry,
    spatial_input,
)
from autograd.function import Function, NumpyOp
from autograd.shape import ScatterAdd
from autograd.tensor import Tensor

__all__ = [
    "AdaptiveMaxPool",
    "AvgPool",
    "AvgPoolScatter",
    "MaxPool",
    "MaxPoolGather",
    "MaxPoolScatter",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "max_pool1d",
    "max_pool2d",
]


# --- max pooling ------------------------------------------------------------------------


def _taps_view(padded, geometry, out_size, writeable=False):
    """(kh, kw, N, C, OH, OW): each kernel tap's view of a padded image, window by window."""
    n, c = padded.shape[:2]
    (kh, kw), (sh, sw), (dh, dw) = geometry.kernel, geometry.stride, geometry.dilation
    s_n, s_c, s_h, s_w = padded.strides
    return as_strided(padded, (kh, kw, n, c) + tuple(out_size), (s_h * dh, s_w * dw, s_n, s_c, s_h * sh, s_w * sw),
                      writeable=writeable)


def _stack_taps(padded, geometry, out_size):
    """The taps of every window as one contiguous (kh*kw, N, C, OH, OW) array (from `_take`)."""
    view = _taps_view(padded, geometry, out_size)
    taps = _take((view.shape[0] * view.shape[1],) + view.shape[2:], padded.dtype)
    np.copyto(taps.reshape(view.shape), view)
    return taps


def _scatter_taps(contributions, geometry, size):
    """The adjoint of `_stack_taps`: contributions (kh*kw, N, C, OH, OW), or one (N, C, OH, OW)
    for every tap, summed back onto an (N, C, H, W) image; one strided copy when no two
    windows overlap, else one strided add per tap."""
    per_tap = contributions.ndim == 5
    out_size, lead = contributions.shape[-2:], contributions.shape[-4:-2]
    canvas = _canvas(lead, geometry, size, contributions.dtype)
    reach = [d * (k - 1) + 1 for k, d in zip(geometry.kernel, geometry.dilation)]
    if all(s >= r for s, r in zip(geometry.stride, reach)):  # each position in one window at most
        view = _taps_view(canvas, geometry, out_size, writeable=True)
        np.copyto(view, contributions.reshape(view.shape) if per_tap else contributions)
    else:
        for t, (rows, columns) in enumerate(geometry.taps(out_size)):
            canvas[:, :, rows, columns] += contributions[t] if per_tap else contributions
    return _crop(canvas, geometry.padding, size)


def _window_argmax(x, geometry, out_size):
    """(max, argmax) over each window of x (N, C, H, W) padded with -inf: the argmax is the
    window's first tap holding the maximum (a NaN counts as the maximum, as in PyTorch)."""
    taps = _stack_taps(_pad(x, geometry.padding, -np.inf), geometry, out_size)
    best = taps.max(0)
    arg = np.zeros(best.shape, np.uint8 if len(taps) <= 256 else np.int32)
    for tap in taps[-2::-1]:  # arg = the first tap equal to the max: 0 there, else 1 + the rest
        arg += 1
        arg *= tap != best
    if np.isnan(best).any():  # the max is NaN: PyTorch points at the last NaN
        for t, tap in enumerate(taps):
            np.copyto(arg, t, where=np.isnan(tap))
    if any(p for pair in geometry.padding for p in pair):
        empty = best == -np.inf
        if empty.any():  # no value above -inf: PyTorch points at the window's first tap inside the input
            np.copyto(arg, _first_inside_tap(geometry, out_size).astype(arg.dtype), where=empty)
    _give(taps)
    return best, arg


def _one_hot_taps(arg, count):
    """(count, *arg.shape) booleans: which tap each window's argmax is."""
    return arg == np.arange(count, dtype=arg.dtype).reshape((count,) + (1,) * arg.ndim)


def _first_inside_tap(geometry, out_size):
    """(OH, OW): the first tap of each window that is not in the top / left padding."""
    firsts = []
    for n_out, k, s, (lo, _), d in zip(out_size, geometry.kernel, geometry.stride, geometry.padding, geometry.dilation):
        start = np.arange(n_out) * s - lo
        firsts.append(np.minimum(np.where(start < 0, -(start // d), 0), k - 1))
    return firsts[0][:, None] * geometry.kernel[1] + firsts[1][None, :]


def max_pool_indices(arg, geometry, size):
    """PyTorch's indices of the maxima: flat positions in each (H, W) input plane."""
    (_, kw), (sh, sw), (dh, dw) = geometry.kernel, geometry.stride, geometry.dilation
    (top, _), (left, _) = geometry.padding
    oh, ow = arg.shape[-2:]
    tap = arg.astype(np.int64)
    rows = np.arange(oh)[:, None] * sh - top + (tap // kw) * dh
    columns = np.arange(ow) * sw - left + (tap % kw) * dw
    return rows * size[1] + columns


class MaxPool(Function):
    backward_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, geometry, return_indices=False):  # y = the max of each window
        y, arg = _window_argmax(x._data, geometry, geometry.output_size(x.shape[2:]))
        ctx.arg, ctx.geometry, ctx.size = arg, geometry, x.shape[2:]
        if return_indices:
            return y, max_pool_indices(arg, geometry, x.shape[2:])
        return y

    @staticmethod
    def backward(ctx, grad, *_):  # each window's gradient goes to its argmax
        return MaxPoolScatter.apply(grad, ctx.arg, ctx.geometry, ctx.size), None, None


class MaxPoolScatter(Function):
    @staticmethod
    def forward(ctx, grad, arg, geometry, size):  # dx: zeros, plus grad at each window's argmax
        ctx.arg, ctx.geometry = arg, geometry
        g = grad._data
        count = geometry.kernel[0] * geometry.kernel[1]
        contributions = _take((count,) + g.shape, g.dtype)
        np.multiply(g, _one_hot_taps(arg, count), out=contributions)
        dx = _scatter_taps(contributions, geometry, size)
        _give(contributions)
        return dx

    @staticmethod
    def backward(ctx, v):  # the adjoint: read v back at each window's argmax
        return MaxPoolGather.apply(v, ctx.arg, ctx.geometry), None, None, None


class MaxPoolGather(Function):
    @staticmethod
    def forward(ctx, x, arg, geometry):  # y = x at each window's argmax
        ctx.arg, ctx.geometry, ctx.size = arg, geometry, x.shape[2:]
        taps = _stack_taps(_pad(x._data, geometry.padding), geometry, arg.shape[2:])
        y = np.take_along_axis(taps, arg[None].astype(np.intp), 0)[0]
        _give(taps)
        return y

    @staticmethod
    def backward(ctx, grad):
        return MaxPoolScatter.apply(grad, ctx.arg, ctx.geometry, ctx.size), None, None


# --- average pooling ----------------------------------------------------------------------


class AvgPool(Function):
    backward_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, geometry, scale):  # y = scale * the sum of each window (zero padding)
        ctx.geometry, ctx.scale, ctx.size = geometry, scale, x.shape[2:]
        taps = _stack_taps(_pad(x._data, geometry.padding), geometry, geometry.output_size(x.shape[2:]))
        y = taps.sum(0)
        y *= scale
        _give(taps)
        return y

    @staticmethod
    def backward(ctx, grad):
        return AvgPoolScatter.apply(grad, ctx.geometry, ctx.scale, ctx.size), None, None


class AvgPoolScatter(Function):
    @staticmethod
    def forward(ctx, grad, geometry, scale, size):  # the adjoint of AvgPool: each tap gets scale * grad
        ctx.geometry, ctx.scale = geometry, scale
        return _scatter_taps(grad._data * scale, geometry, size)

    @staticmethod
    def backward(ctx, v):
        return AvgPool.apply(v, ctx.geometry, ctx.scale), None, None, None


# --- entry points (torch.max_pool2d, ...): check the arguments, place the windows, apply -----------


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, dims, op):
    x, batched = spatial_input(input, dims, op)
    geometry = pool_geometry(x, input, kernel_size, stride, padding, dilation, ceil_mode, dims, op)
    out = MaxPool.apply(as_2d(x, dims), geometry, bool(return_indices))
    if not return_indices:
        return from_2d(out, dims, batched)
    y, indices = out
    return from_2d(y, dims, batched), from_2d(indices, dims, batched)


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """The max of each window along the length of input (N, C, L) or (C, L) (padding counts as -inf);
    with return_indices, also the position of each max in its input row."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1, "max_pool1d")


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """The max of each kernel_size window of input (N, C, H, W) or (C, H, W), windows stride
    apart (kernel_size by default); padding counts as -inf. With return_indices, also the flat
    position (row * W + column) of each max in its input plane. The gradient goes to the max
    (the first one, on ties)."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2, "max_pool2d")


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, dims, op):
    x, batched = spatial_input(input, dims, op)
    geometry = pool_geometry(x, input, kernel_size, stride, padding, 1, ceil_mode, dims, op, dilated=False)
    x = as_2d(x, dims)
    scale = avg_pool_scale(x.shape[2:], geometry, count_include_pad, divisor_override, x.dtype)
    return from_2d(AvgPool.apply(x, geometry, scale), dims, batched)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """The mean of each window along the length of input (N, C, L) or (C, L)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1, "avg_pool1d")


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each kernel_size window of input (N, C, H, W) or (C, H, W), windows stride
    apart (kernel_size by default); zero padding counts in the mean unless count_include_pad=False."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2,
                     "avg_pool2d")


def _adaptive_matrix(n: int, out: int, dtype) -> np.ndarray:
    """(out, n): row i averages input positions floor(i n / out) .. ceil((i + 1) n / out) - 1."""
    i = np.arange(out)
    start, end = (i * n) // out, -((-(i + 1) * n) // out)
    positions = np.arange(n)
    inside = (positions >= start[:, None]) & (positions < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _adaptive_avg_pool(input, output_size, dims, op) -> Tensor:
    x, batched = spatial_input(input, dims, op)
    size = x.shape[2:]
    output_size = adaptive_output_size(size, output_size, dims, op)
    if all(o == 1 for o in output_size):
        y = x.mean(tuple(range(2, 2 + dims)), keepdim=True)
    else:  # a linear map per spatial dim: y = A_h x A_w^T
        y = x
        if output_size[-1] != size[-1]:
            y = y @ Tensor._make(np.ascontiguousarray(_adaptive_matrix(size[-1], output_size[-1], x.dtype).T), False)
        if dims == 2 and output_size[0] != size[0]:
            y = Tensor._make(_adaptive_matrix(size[0], output_size[0], x.dtype), False) @ y
    return y if batched else y.squeeze(0)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Averages over windows that split the length of input (N, C, L) into output_size parts."""
    return _adaptive_avg_pool(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Averages over windows that split input (N, C, H, W) into an output_size grid (an int, or
    a pair whose None keeps that input size); window i covers floor(i H / OH) .. ceil((i + 1) H / OH)."""
    return _adaptive_avg_pool(input, output_size, 2, "adaptive_avg_pool2d")


# --- adaptive max pooling -------------------------------------------------------------------


def _adaptive_windows(n: int, out: int) -> np.ndarray:
    """(out, k): the input positions of window i, floor(i n / out) .. ceil((i + 1) n / out) - 1,
    its last position repeated up to k, the longest window's size (the max is unchanged)."""
    i = np.arange(out)
    start, end = (i * n) // out, -((-(i + 1) * n) // out)
    return np.minimum(start[:, None] + np.arange((end - start).max()), end[:, None] - 1)


class AdaptiveMaxPool(NumpyOp):
    backward_name = "AdaptiveMaxPool2DBackward0"

    @staticmethod
    def forward(ctx, x, output_size):  # y = the max of each window of x (*, H, W); the index: its flat position
        (h, w), (oh, ow), lead = x.shape[-2:], output_size, x.shape[:-2]
        rows, columns = _adaptive_windows(h, oh), _adaptive_windows(w, ow)
        positions = (rows[:, None, :, None] * w + columns[None, :, None, :]).reshape(oh, ow, -1)  # row-major taps
        windows = x._data.reshape(lead + (h * w,))[..., positions]  # (*, OH, OW, taps)
        arg = windows.argmax(-1)  # the first maximum, as PyTorch scans
        nan = np.isnan(windows)
        if nan.any():  # PyTorch takes the last NaN
            last_nan = nan.shape[-1] - 1 - nan[..., ::-1].argmax(-1)
            arg = np.where(nan.any(-1), last_nan, arg)
        indices = positions[np.arange(oh)[:, None], np.arange(ow), arg]
        ctx.indices, ctx.shape = indices.reshape(lead + (oh * ow,)), x.shape
        return np.take_along_axis(windows, arg[..., None], -1)[..., 0], indices

    @staticmethod
    def backward(ctx, grad, _):  # each window's gradient goes to its max
        shape, indices = ctx.shape, ctx.indices
        flat_shape = shape[:-2] + (shape[-2] * shape[-1],)
        flat = ScatterAdd.apply(grad.reshape(indices.shape), flat_shape, len(shape) - 2, indices)
        return flat.reshape(shape), None


def _adaptive_max_pool(input, output_size, return_indices, dims, op):
    x, batched = spatial_input(input, dims, op)
    if 0 in x.shape[1:]:
        raise RuntimeError(
            f"{op}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes "
            f"{list(input.shape)}"
        )
    output_size = adaptive_output_size(x.shape[2:], output_size, dims, op)
    if dims == 2:  # (C, H, W) or (N, C, H, W), as it is
        y, indices = AdaptiveMaxPool.apply(input, output_size)
    else:  # (C, L) or (N, C, L), as (N, C, 1, L)
        y, indices = AdaptiveMaxPool.apply(as_2d(x, dims), (1,) + output_size)
        y, indices = from_2d(y, dims, batched), from_2d(indices, dims, batched)
    return (y, indices) if return_indices else y


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """The max over windows that split the length of input (N, C, L) or (C, L) into output_size
    parts; with return_indices, also the position of each max in its row."""
    return _adaptive_max_pool(input, output_size, return_indices, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """The max over the windows of an output_size grid laid on input (N, C, H, W) or (C, H, W) (an
    int, or a pair whose None keeps that input size); window i covers rows floor(i H / OH) ..
    ceil((i + 1) H / OH) - 1, and columns alike. With return_indices, also the flat position
    (row * W + column) of each max in its plane. The gradient goes to the max (the first, on ties)."""
    return _adaptive_max_pool(input, output_size, return_indices, 2, "adaptive_max_pool2d")
