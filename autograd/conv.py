"""Convolution ops on NCHW images, with PyTorch's semantics.

The windows of an image are a strided view of it (`as_strided`); a convolution
copies them once into a contiguous im2col matrix and contracts that with the
weight in one matmul. The three convolution ops are bilinear, and the gradients
of each are the other two, so every backward is written in these ops and
gradients of gradients come for free:

    Convolution(x, w)           y = x (*) w, a cross-correlation (conv2d)
    ConvolutionTranspose(g, w)  its adjoint in x: the input gradient, and conv_transpose2d
    ConvolutionWeight(x, g)     its adjoint in w: the weight gradient

The entry points at the bottom (`conv2d`, `conv1d`, `conv_transpose2d`,
`conv_transpose1d`, which `nn.functional` hands on as they are) check their
arguments and place the windows in one call to autograd/conv_geometry.py, then
apply the op. Everything is 2-d: a 1-d op runs as a 2-d one of height 1. The
pooling ops (autograd/pooling.py) share the windows and buffers below. The
loops run over the kernel's taps (k*k vector ops), never over images, channels
or pixels.

Memory: a convolution keeps its im2col matrix for the weight gradient (within a
budget, `_KEEP_COLS_BYTES`, past which backward copies the windows again), and
the large temporaries come from a per-thread pool of idle buffers, because
fresh pages cost as much as filling them. At stride 1 the input gradient is a
convolution with the flipped kernel, or (when that would copy more) one matmul
followed by one shifted, contiguous add per tap.
"""

from __future__ import annotations

import math
import threading
import weakref

import numpy as np
from numpy.lib.stride_tricks import as_strided

from autograd.conv_geometry import (
    Geometry,
    as_2d,
    conv_geometry,
    conv_transpose_geometry,
    from_2d,
    spatial_input,
)
from autograd.function import Function
from autograd.tensor import Tensor


# --- array helpers ---------------------------------------------------------------------


def _pad(a, padding, value=0.0):
    """`a` (..., H, W) padded with `value`; a negative padding crops."""
    (top, bottom), (left, right) = padding
    if top < 0 or bottom < 0 or left < 0 or right < 0:
        h, w = a.shape[-2:]
        a = a[..., max(-top, 0) : h - max(-bottom, 0), max(-left, 0) : w - max(-right, 0)]
        top, bottom, left, right = max(top, 0), max(bottom, 0), max(left, 0), max(right, 0)
    if not (top or bottom or left or right):
        return a
    h, w = a.shape[-2:]
    out = np.empty(a.shape[:-2] + (top + h + bottom, left + w + right), a.dtype)
    if top or bottom:
        out[..., :top, :] = value
        out[..., top + h :, :] = value
    if left or right:
        out[..., top : top + h, :left] = value
        out[..., top : top + h, left + w :] = value
    out[..., top : top + h, left : left + w] = a
    return out


def _canvas(lead, geometry, size, dtype):
    """Zeros for an (H, W) = size image and its padding, to sum windows onto (a
    negative bottom / right padding, which crops, still leaves room for the image)."""
    (top, bottom), (left, right) = geometry.padding
    return np.zeros(tuple(lead) + (top + size[0] + max(bottom, 0), left + size[1] + max(right, 0)), dtype)


def _crop(a, padding, size):
    """The (H, W) = size image inside a padded canvas."""
    (top, _), (left, _) = padding
    h, w = size
    if a.shape[-2:] == (h, w):
        return a
    return np.ascontiguousarray(a[..., top : top + h, left : left + w])


# --- buffers --------------------------------------------------------------------------
# The im2col matrices are large and short-lived. Fresh arrays above glibc's mmap
# threshold are fresh pages at every call, and the page faults then cost about as
# much as filling them, so each thread keeps its idle buffers for reuse: `_take` one,
# `_give` it back when done (a buffer that is never given back is simply freed).


class _Pool(threading.local):
    def __init__(self):
        self.free = {}  # size in bytes -> idle uint8 buffers of that size
        self.idle = 0  # their total size


_pool = _Pool()
_POOL_MIN = 1 << 20  # smaller arrays come from malloc, which reuses them well
_POOL_MAX = 1 << 28  # idle bytes kept per thread


def _take(shape, dtype):
    """An uninitialised array, from this thread's idle buffers when one has exactly its size."""
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < _POOL_MIN:
        return np.empty(shape, dtype)
    idle = _pool.free.get(nbytes)
    if idle:
        _pool.idle -= nbytes
        return idle.pop().view(dtype).reshape(shape)
    return np.empty(nbytes, np.uint8).view(dtype).reshape(shape)


def _give(array) -> None:
    """Return an array from `_take` for reuse; the caller must not touch it afterwards."""
    buffer = array
    while buffer.base is not None:
        buffer = buffer.base
    nbytes = buffer.nbytes
    if buffer.dtype != np.uint8 or nbytes < _POOL_MIN or _pool.idle + nbytes > _POOL_MAX:
        return
    _pool.free.setdefault(nbytes, []).append(buffer)
    _pool.idle += nbytes


def release_buffers() -> None:
    """Free this thread's idle buffers (im2col matrices kept for reuse)."""
    _pool.free.clear()
    _pool.idle = 0


# A convolution keeps its im2col matrix for the weight gradient, rather than copying
# the windows again in backward, while all the matrices kept at a time (in graphs
# not yet backpropagated) stay within this budget; past it, backward recomputes them.
_KEEP_COLS_BYTES = 1 << 29
_kept = {"bytes": 0}
_kept_lock = threading.Lock()


def _reserve(nbytes) -> bool:
    with _kept_lock:
        if _kept["bytes"] + nbytes > _KEEP_COLS_BYTES:
            return False
        _kept["bytes"] += nbytes
        return True


def _unreserve(nbytes) -> None:
    with _kept_lock:
        _kept["bytes"] -= nbytes


# Two layouts of the im2col matrix. Per image, (N, C*kh*kw, OH*OW): one small matmul
# per image, whose result is already NCHW. Whole batch, (C*kh*kw, N*OH*OW): one large
# matmul, whose result is transposed to NCHW. OpenBLAS runs a matmul of m*n*k below
# 2**18 on one thread, so small per-image products cost no thread synchronisation;
# above that, one large matmul is faster (and far steadier on a busy machine).
_PER_IMAGE_MAX = 1 << 18


def _per_image(w_shape, geometry, out_size) -> bool:
    o, cg, kh, kw = w_shape
    return o // geometry.groups * cg * kh * kw * out_size[0] * out_size[1] <= _PER_IMAGE_MAX


def _im2col(x, geometry, out_size, per_image):
    """The windows of x (N, C, H, W) as a contiguous matrix (from `_take`): (N, C*kh*kw, OH*OW)
    per image, else (C*kh*kw, N*OH*OW)."""
    n, c = x.shape[:2]
    (kh, kw), (sh, sw), (dh, dw) = geometry.kernel, geometry.stride, geometry.dilation
    oh, ow = out_size
    padded = _pad(x, geometry.padding)
    s_n, s_c, s_h, s_w = padded.strides
    if per_image:
        shape, view = (n, c * kh * kw, oh * ow), ((n, c, kh, kw, oh, ow), (s_n, s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw))
    else:
        shape, view = (c * kh * kw, n * oh * ow), ((c, kh, kw, n, oh, ow), (s_c, s_h * dh, s_w * dw, s_n, s_h * sh, s_w * sw))
    windows = as_strided(padded, *view, writeable=False)
    cols = _take(shape, x.dtype)
    np.copyto(cols.reshape(windows.shape), windows)
    return cols


def _col2im(cols, geometry, size):
    """The adjoint of `_im2col`: cols (N, C, kh, kw, OH, OW) (any strides) summed back onto
    an (N, C, H, W) image, one strided add per kernel tap."""
    n, c, _, kw, oh, ow = cols.shape
    canvas = _canvas((n, c), geometry, size, cols.dtype)
    for t, (rows, columns) in enumerate(geometry.taps((oh, ow))):
        canvas[:, :, rows, columns] += cols[:, :, t // kw, t % kw]
    return _crop(canvas, geometry.padding, size)


def _channels_first(a, g):
    """(N, O, OH, OW) as (g, O/g, N*OH*OW): the whole-batch layout of a gradient."""
    n, o, oh, ow = a.shape
    return np.ascontiguousarray(a.transpose(1, 0, 2, 3)).reshape(g, o // g, n * oh * ow)


def conv2d_array(x, w, geometry, bias=None, keep_cols=False):
    """y (N, O, OH, OW) = the cross-correlation of x (N, C, H, W) with w (O, C/groups, kh, kw),
    plus bias (O,) if given; with `keep_cols`, also the im2col matrix if the budget allows
    (else None)."""
    n, _, h, wd = x.shape
    o, cg, kh, kw = w.shape
    g = geometry.groups
    oh, ow = geometry.output_size((h, wd))
    per_image = _per_image(w.shape, geometry, (oh, ow))
    cols = _im2col(x, geometry, (oh, ow), per_image)
    ck = cg * kh * kw
    if per_image:
        y = np.matmul(w.reshape(o, ck), cols) if g == 1 else np.matmul(
            w.reshape(g, o // g, ck), cols.reshape(n, g, ck, oh * ow)
        )
        y = y.reshape(n, o, oh, ow)
        if bias is not None:
            y += bias.reshape(o, 1, 1)
    else:
        y_t = np.matmul(w.reshape(g, o // g, ck), cols.reshape(g, ck, n * oh * ow)).reshape(o, n, oh, ow)
        y = np.empty((n, o, oh, ow), x.dtype)
        if bias is None:
            np.copyto(y, y_t.transpose(1, 0, 2, 3))
        else:  # the transpose to NCHW and the bias in one pass
            np.add(y_t.transpose(1, 0, 2, 3), bias.reshape(o, 1, 1), out=y)
    if keep_cols and _reserve(cols.nbytes):
        weakref.finalize(cols, _unreserve, cols.nbytes)
        return y, cols
    _give(cols)
    return y, None


def conv_transpose2d_array(x, w, geometry, size):
    """The adjoint of `conv2d_array` in its input: x (N, O, OH, OW) and w (O, C/groups, kh, kw)
    give (N, C, H, W) with (H, W) = size."""
    n, o, oh, ow = x.shape
    _, cg, kh, kw = w.shape
    g = geometry.groups
    c = cg * g
    stride_one = geometry.stride == (1, 1) and min(geometry.padding[0] + geometry.padding[1]) >= 0
    if stride_one and o <= c:
        # a plain convolution of x, padded by the kernel's reach, with the flipped kernel:
        # its im2col matrix (O*kh*kw rows, H*W columns per image) is then no larger than
        # the matmul output of the shifted sum below
        flipped = w.reshape(g, o // g, cg, kh, kw).transpose(0, 2, 1, 3, 4).reshape(c, o // g, kh, kw)[..., ::-1, ::-1]
        padding = tuple(
            (d * (k - 1) - lo, n_in - n_out + lo)
            for d, k, (lo, _), n_in, n_out in zip(geometry.dilation, geometry.kernel, geometry.padding, size, (oh, ow))
        )
        full = Geometry(geometry.kernel, (1, 1), padding, geometry.dilation, g)
        return conv2d_array(x, np.ascontiguousarray(flipped), full)[0]
    if stride_one and np.isfinite(w).all():  # (inf * 0 would spill NaN into the shifted sum)
        return _conv_transpose_shifted(x, w, geometry, size)
    ck = cg * kh * kw
    w_t = w.reshape(g, o // g, ck).transpose(0, 2, 1)
    if _per_image(w.shape, geometry, (oh, ow)):
        cols = _take((n, g, ck, oh * ow), x.dtype)
        np.matmul(w_t, x.reshape(n, g, o // g, oh * ow), out=cols)
        windows = cols.reshape(n, c, kh, kw, oh, ow)
    else:
        cols = _take((g, ck, n * oh * ow), x.dtype)
        np.matmul(w_t, _channels_first(x, g), out=cols)
        windows = cols.reshape(c, kh, kw, n, oh, ow).transpose(3, 0, 1, 2, 4, 5)
    out = _col2im(windows, geometry, size)
    _give(cols)
    return out


def _conv_transpose_shifted(x, w, geometry, size):
    """`conv_transpose2d_array` for stride 1 in one matmul and one contiguous add per tap:
    x is laid on the grid of the padded output (zeros elsewhere), the matmul gives every
    tap's contribution at once, tap-major, and each tap's is the whole output shifted by
    that tap's offset (what falls past a row's end is one of those zeros)."""
    n, o, oh, ow = x.shape
    _, cg, kh, kw = w.shape
    g, c = geometry.groups, cg * geometry.groups
    (top, bottom), (left, right) = geometry.padding
    (dh, dw) = geometry.dilation
    height, width = top + size[0] + bottom, left + size[1] + right  # oh + dh*(kh-1), ow + dw*(kw-1)
    plane = height * width
    spread = np.zeros((o, n, height, width), x.dtype)
    spread[:, :, :oh, :ow] = x.transpose(1, 0, 2, 3)
    w_t = w.reshape(g, o // g, cg, kh * kw).transpose(0, 3, 2, 1).reshape(g, kh * kw * cg, o // g)
    cols = _take((g, kh * kw * cg, n * plane), x.dtype)
    np.matmul(w_t, spread.reshape(g, o // g, n * plane), out=cols)
    taps = cols.reshape(g, kh * kw, cg * n * plane)
    size_all = c * n * plane
    canvas = np.zeros(size_all + (kh - 1) * dh * width + (kw - 1) * dw, x.dtype)  # (C, N, height, width)
    for i in range(kh):
        for j in range(kw):
            start = i * dh * width + j * dw
            target = canvas[start : start + size_all].reshape(g, cg * n * plane)
            target += taps[:, i * kw + j]
    _give(cols)
    image = canvas[:size_all].reshape(c, n, height, width)[:, :, top : top + size[0], left : left + size[1]]
    return np.ascontiguousarray(image.transpose(1, 0, 2, 3))


def conv2d_weight_array(x, grad, geometry, cols=None):
    """The adjoint of `conv2d_array` in its weight: d<grad, conv2d(x, w)>/dw, of shape
    (O, C/groups, kh, kw), for x (N, C, H, W) and grad (N, O, OH, OW); `cols` is x's
    im2col matrix if kept."""
    n, c = x.shape[:2]
    _, o, oh, ow = grad.shape
    g = geometry.groups
    kh, kw = geometry.kernel
    shape = (o, c // g, kh, kw)
    per_image = _per_image(shape, geometry, (oh, ow))
    mine = cols is None
    if mine:
        cols = _im2col(x, geometry, (oh, ow), per_image)
    ck = c // g * kh * kw
    if per_image:
        per = np.matmul(cols.reshape(n, g, ck, oh * ow), grad.reshape(n, g, o // g, oh * ow).transpose(0, 1, 3, 2))
        dw = np.ascontiguousarray(per.sum(0).transpose(0, 2, 1)).reshape(shape)
    else:
        # (cols @ grad^T)^T: OpenBLAS is faster with the long n*oh*ow axis as the shared one of
        # two row-major operands than with a transposed right-hand side
        dw_t = np.matmul(cols.reshape(g, ck, n * oh * ow), _channels_first(grad, g).transpose(0, 2, 1))
        dw = np.ascontiguousarray(dw_t.transpose(0, 2, 1)).reshape(shape)
    if mine:
        _give(cols)
    return dw


def _bias_add(y, b):
    if b is not None:
        y += b._data.reshape(-1, 1, 1)
    return y


# --- convolution ------------------------------------------------------------------------


class Convolution(Function):
    backward_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, geometry):  # y[n, o] = b[o] + sum_c x[n, c] (*) w[o, c]
        needs = getattr(ctx, "needs_input_grad", None)
        bias = None if b is None else b._data
        y, ctx.cols = conv2d_array(x._data, w._data, geometry, bias, keep_cols=bool(needs and needs[1]))
        ctx.geometry = geometry
        ctx.save_for_backward(x, w)
        return y

    @staticmethod
    def backward(ctx, grad):  # dx = conv_transpose(grad, w), dw = conv_weight(x, grad), db = sum(grad)
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        cols, ctx.cols = ctx.cols, None
        grad_w = ConvolutionWeight.apply(x, grad, ctx.geometry, cols) if need_w else None
        if cols is not None:
            _give(cols)
            del cols
        return (
            ConvolutionTranspose.apply(grad, w, None, ctx.geometry, x.shape[2:]) if need_x else None,
            grad_w,
            grad.sum((0, 2, 3)) if need_b else None,
            None,
        )


class ConvolutionTranspose(Function):
    backward_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, geometry, size):  # y = conv_transpose(x, w) + b: <y, v> = <x, conv(v, w)>
        ctx.geometry = geometry
        ctx.save_for_backward(x, w)
        return _bias_add(conv_transpose2d_array(x._data, w._data, geometry, tuple(size)), b)

    @staticmethod
    def backward(ctx, grad):  # dx = conv(grad, w), dw = conv_weight(grad, x), db = sum(grad)
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        return (
            Convolution.apply(grad, w, None, ctx.geometry) if need_x else None,
            ConvolutionWeight.apply(grad, x, ctx.geometry, None) if need_w else None,
            grad.sum((0, 2, 3)) if need_b else None,
            None,
            None,
        )


class ConvolutionWeight(Function):
    @staticmethod
    def forward(ctx, x, grad, geometry, cols):  # dw = d<grad, conv(x, w)>/dw (cols: x's im2col, or None)
        ctx.geometry = geometry
        ctx.save_for_backward(x, grad)
        return conv2d_weight_array(x._data, grad._data, geometry, cols)

    @staticmethod
    def backward(ctx, v):  # bilinear: d/dx = conv_transpose(grad, v), d/dgrad = conv(x, v)
        x, grad = ctx.saved_tensors
        need_x, need_grad = ctx.needs_input_grad[:2]
        return (
            ConvolutionTranspose.apply(grad, v, None, ctx.geometry, x.shape[2:]) if need_x else None,
            Convolution.apply(x, v, None, ctx.geometry) if need_grad else None,
            None,
            None,
        )


# --- entry points (torch.conv2d, ...): check the arguments, place the windows, apply ---------------


def _conv(input, weight, bias, stride, padding, dilation, groups, dims: int, op: str) -> Tensor:
    x, batched = spatial_input(input, dims, op)
    geometry = conv_geometry(input, x, weight, bias, stride, padding, dilation, groups, dims, op)
    y = Convolution.apply(as_2d(x, dims), as_2d(weight, dims), bias, geometry)
    return from_2d(y, dims, batched)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """y[n, o] = bias[o] + sum_c weight[o, c] (*) input[n, c], a cross-correlation over the
    length of input (N, C, L) or (C, L); weight (out_channels, C / groups, k); padding
    an int, 'valid' or 'same'."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """y[n, o] = bias[o] + sum_c weight[o, c] (*) input[n, c], a 2-d cross-correlation of
    input (N, C, H, W) or (C, H, W) with weight (out_channels, C / groups, kh, kw);
    padding an int, a pair, 'valid' or 'same'."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, dims, op) -> Tensor:
    x, batched = spatial_input(input, dims, op)
    geometry, size = conv_transpose_geometry(input, x, weight, bias, stride, padding, output_padding, groups,
                                             dilation, dims, op)
    y = ConvolutionTranspose.apply(as_2d(x, dims), as_2d(weight, dims), bias, geometry, size)
    return from_2d(y, dims, batched)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """The adjoint of conv1d in its input (the gradient of a convolution): input (N, C_in, L),
    weight (C_in, out_channels / groups, k), output length
    (L - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                           "conv_transpose1d")


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """The adjoint of conv2d in its input (the gradient of a convolution, a 'deconvolution'):
    input (N, C_in, H, W), weight (C_in, out_channels / groups, kh, kw), output height
    (H - 1) * stride - 2 * padding + dilation * (kh - 1) + output_padding + 1 (and width alike)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                           "conv_transpose2d")


__all__ = [
    "Convolution",
    "ConvolutionTranspose",
    "ConvolutionWeight",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "release_buffers",
]
