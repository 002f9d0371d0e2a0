"""Convolution and pooling ops on NCHW images, with PyTorch's semantics.

The windows of an image are a strided view of it (`as_strided`); a convolution
copies them once into a contiguous im2col matrix and contracts that with the
weight in one matmul. The three convolution ops are bilinear, and the gradients
of each are the other two, so every backward is written in these ops and
gradients of gradients come for free:

    Convolution(x, w)           y = x (*) w, a cross-correlation (conv2d)
    ConvolutionTranspose(g, w)  its adjoint in x: the input gradient, and conv_transpose2d
    ConvolutionWeight(x, g)     its adjoint in w: the weight gradient

Pooling follows the same pattern: `MaxPool` with `MaxPoolScatter` (the gradient
goes to the argmax of each window) and `MaxPoolGather`, `AvgPool` with
`AvgPoolScatter`. The loops below run over the kernel's taps (k*k vector ops),
never over images, channels or pixels. Everything is 2-d; `nn.functional`
runs the 1-d ops as 2-d ones of height 1.
"""

from __future__ import annotations

import math
import threading
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from autograd.engine import Function


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


# A scratch buffer per thread for im2col matrices that never leave the op that
# makes them. Arrays above glibc's mmap threshold (32 MB) are otherwise fresh
# pages at every call, and page faults then cost as much as the copy itself.
_scratch = threading.local()
_SCRATCH_MIN, _SCRATCH_MAX = 1 << 22, 1 << 30


def _workspace(shape, dtype):
    nbytes = math.prod(shape) * dtype.itemsize
    if not _SCRATCH_MIN <= nbytes <= _SCRATCH_MAX:
        return np.empty(shape, dtype)
    buffer = getattr(_scratch, "buffer", None)
    if buffer is None or buffer.nbytes < nbytes:
        _scratch.buffer = None  # free the old one first
        buffer = _scratch.buffer = np.empty(nbytes, np.uint8)
    return buffer[:nbytes].view(dtype).reshape(shape)


def release_workspace() -> None:
    """Free this thread's scratch buffer (the largest im2col matrix seen so far)."""
    _scratch.buffer = None


# im2col matrices up to this size are kept for the weight gradient; larger ones
# are recomputed in backward, into the scratch buffer
_KEEP_COLS_BYTES = 16 << 20

# Two layouts of the im2col matrix. Per image, (N, C*kh*kw, OH*OW): one small matmul
# per image, whose result is already NCHW. Whole batch, (C*kh*kw, N*OH*OW): one large
# matmul, whose result is transposed to NCHW. OpenBLAS runs a matmul of m*n*k below
# 2**18 on one thread, so small per-image products cost no thread synchronisation;
# above that, one large matmul is faster (and far steadier on a busy machine).
_PER_IMAGE_MAX = 1 << 18


def _per_image(x_shape, w_shape, geometry, out_size) -> bool:
    o, cg, kh, kw = w_shape
    return o // geometry.groups * cg * kh * kw * out_size[0] * out_size[1] <= _PER_IMAGE_MAX


def _im2col(x, geometry, out_size, per_image, scratch=True):
    """The windows of x (N, C, H, W) as a contiguous matrix: (N, C*kh*kw, OH*OW) per image,
    else (C*kh*kw, N*OH*OW)."""
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
    cols = _workspace(shape, x.dtype) if scratch else np.empty(shape, x.dtype)
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


def conv2d_array(x, w, geometry, keep_cols=False):
    """y (N, O, OH, OW) = the cross-correlation of x (N, C, H, W) with w (O, C/groups, kh, kw);
    with `keep_cols`, also the im2col matrix (else None)."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    g = geometry.groups
    oh, ow = geometry.output_size((h, wd))
    per_image = _per_image(x.shape, w.shape, geometry, (oh, ow))
    keep = keep_cols and n * c * kh * kw * oh * ow * x.itemsize <= _KEEP_COLS_BYTES
    cols = _im2col(x, geometry, (oh, ow), per_image, scratch=not keep)
    ck = cg * kh * kw
    if per_image:
        y = np.matmul(w.reshape(o, ck), cols) if g == 1 else np.matmul(
            w.reshape(g, o // g, ck), cols.reshape(n, g, ck, oh * ow)
        )
        y = y.reshape(n, o, oh, ow)
    else:
        y = np.matmul(w.reshape(g, o // g, ck), cols.reshape(g, ck, n * oh * ow))
        y = np.ascontiguousarray(y.reshape(o, n, oh, ow).transpose(1, 0, 2, 3))
    return y, (cols if keep else None)


def conv_transpose2d_array(x, w, geometry, size):
    """The adjoint of `conv2d_array` in its input: x (N, O, OH, OW) and w (O, C/groups, kh, kw)
    give (N, C, H, W) with (H, W) = size."""
    n, o, oh, ow = x.shape
    _, cg, kh, kw = w.shape
    g = geometry.groups
    c = cg * g
    if geometry.stride == (1, 1) and o <= c:
        # a plain convolution of x, padded by the kernel's reach, with the flipped kernel:
        # its im2col matrix (O*kh*kw rows, H*W columns per image) is no larger than the
        # col2im one below
        flipped = w.reshape(g, o // g, cg, kh, kw).transpose(0, 2, 1, 3, 4).reshape(c, o // g, kh, kw)[..., ::-1, ::-1]
        padding = tuple(
            (d * (k - 1) - lo, n_in - n_out + lo)
            for d, k, (lo, _), n_in, n_out in zip(geometry.dilation, geometry.kernel, geometry.padding, size, (oh, ow))
        )
        full = Geometry(geometry.kernel, (1, 1), padding, geometry.dilation, g)
        return conv2d_array(x, np.ascontiguousarray(flipped), full)[0]
    ck = cg * kh * kw
    w_t = w.reshape(g, o // g, ck).transpose(0, 2, 1)
    if _per_image((n, c) + tuple(size), w.shape, geometry, (oh, ow)):
        cols = _workspace((n, g, ck, oh * ow), x.dtype)
        np.matmul(w_t, x.reshape(n, g, o // g, oh * ow), out=cols)
        cols = cols.reshape(n, c, kh, kw, oh, ow)
    else:
        cols = _workspace((g, ck, n * oh * ow), x.dtype)
        np.matmul(w_t, _channels_first(x, g), out=cols)
        cols = cols.reshape(c, kh, kw, n, oh, ow).transpose(3, 0, 1, 2, 4, 5)
    return _col2im(cols, geometry, size)


def conv2d_weight_array(x, grad, geometry, cols=None):
    """The adjoint of `conv2d_array` in its weight: d<grad, conv2d(x, w)>/dw, of shape
    (O, C/groups, kh, kw), for x (N, C, H, W) and grad (N, O, OH, OW)."""
    n, c = x.shape[:2]
    _, o, oh, ow = grad.shape
    g = geometry.groups
    kh, kw = geometry.kernel
    shape = (o, c // g, kh, kw)
    per_image = _per_image(x.shape, shape, geometry, (oh, ow))
    if cols is None:
        cols = _im2col(x, geometry, (oh, ow), per_image)
    ck = c // g * kh * kw
    if per_image:
        per = np.matmul(grad.reshape(n, g, o // g, oh * ow), cols.reshape(n, g, ck, oh * ow).transpose(0, 1, 3, 2))
        return per.sum(0).reshape(shape)
    # (cols @ grad^T)^T: OpenBLAS is faster with the long n*oh*ow axis as the shared one of
    # two row-major operands than with a transposed right-hand side
    dw_t = np.matmul(cols.reshape(g, ck, n * oh * ow), _channels_first(grad, g).transpose(0, 2, 1))
    return np.ascontiguousarray(dw_t.transpose(0, 2, 1)).reshape(shape)


def _bias_add(y, b):
    if b is not None:
        y += b.data.reshape(1, -1, 1, 1)
    return y


# --- convolution ------------------------------------------------------------------------


class Convolution(Function):
    @staticmethod
    def forward(ctx, x, w, b, geometry):  # y[n, o] = b[o] + sum_c x[n, c] (*) w[o, c]
        needs = getattr(ctx, "needs_input_grad", None)
        y, ctx.cols = conv2d_array(x.data, w.data, geometry, keep_cols=bool(needs and needs[1]))
        ctx.geometry = geometry
        ctx.save_for_backward(x, w)
        return _bias_add(y, b)

    @staticmethod
    def backward(ctx, grad):  # dx = conv_transpose(grad, w), dw = conv_weight(x, grad), db = sum(grad)
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        cols, ctx.cols = ctx.cols, None
        return (
            ConvolutionTranspose.apply(grad, w, None, ctx.geometry, x.shape[2:]) if need_x else None,
            ConvolutionWeight.apply(x, grad, ctx.geometry, cols) if need_w else None,
            grad.sum((0, 2, 3)) if need_b else None,
            None,
        )


class ConvolutionTranspose(Function):
    @staticmethod
    def forward(ctx, x, w, b, geometry, size):  # y = conv_transpose(x, w) + b: <y, v> = <x, conv(v, w)>
        ctx.geometry = geometry
        ctx.save_for_backward(x, w)
        return _bias_add(conv_transpose2d_array(x.data, w.data, geometry, tuple(size)), b)

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
        return conv2d_weight_array(x.data, grad.data, geometry, cols)

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


# --- max pooling ------------------------------------------------------------------------


def _window_argmax(x, geometry, out_size):
    """(max, argmax) over each window of x (N, C, H, W) padded with -inf: the argmax is the
    window's first tap holding the maximum (a NaN counts as the maximum, as in PyTorch)."""
    padded = _pad(x, geometry.padding, -np.inf)
    taps = [padded[:, :, rows, columns] for rows, columns in geometry.taps(out_size)]
    best = taps[0].copy()
    for view in taps[1:]:
        np.maximum(best, view, out=best)
    arg = np.full(best.shape, len(taps) - 1, np.uint8 if len(taps) <= 256 else np.int32)
    for t in range(len(taps) - 2, -1, -1):  # backwards: the first hit wins
        np.copyto(arg, t, where=taps[t] == best)
    if np.isnan(best).any():  # NaN: np.maximum keeps it, and PyTorch points at the last NaN
        for t, view in enumerate(taps):
            np.copyto(arg, t, where=np.isnan(view))
    return best, arg


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
    @staticmethod
    def forward(ctx, x, geometry, return_indices=False):  # y = the max of each window
        y, arg = _window_argmax(x.data, geometry, geometry.output_size(x.shape[2:]))
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
        g = grad.data
        canvas = _canvas(g.shape[:2], geometry, size, g.dtype)
        zero = np.zeros((), g.dtype)
        for t, (rows, columns) in enumerate(geometry.taps(g.shape[2:])):
            canvas[:, :, rows, columns] += np.where(arg == t, g, zero)
        return _crop(canvas, geometry.padding, size)

    @staticmethod
    def backward(ctx, v):  # the adjoint: read v back at each window's argmax
        return MaxPoolGather.apply(v, ctx.arg, ctx.geometry), None, None, None


class MaxPoolGather(Function):
    @staticmethod
    def forward(ctx, x, arg, geometry):  # y = x at each window's argmax
        ctx.arg, ctx.geometry, ctx.size = arg, geometry, x.shape[2:]
        padded = _pad(x.data, geometry.padding)
        y = np.zeros(x.shape[:2] + arg.shape[2:], x.dtype)
        for t, (rows, columns) in enumerate(geometry.taps(arg.shape[2:])):
            np.copyto(y, padded[:, :, rows, columns], where=arg == t)
        return y

    @staticmethod
    def backward(ctx, grad):
        return MaxPoolScatter.apply(grad, ctx.arg, ctx.geometry, ctx.size), None, None


# --- average pooling ----------------------------------------------------------------------


class AvgPool(Function):
    @staticmethod
    def forward(ctx, x, geometry, scale):  # y = scale * the sum of each window (zero padding)
        ctx.geometry, ctx.scale, ctx.size = geometry, scale, x.shape[2:]
        padded = _pad(x.data, geometry.padding)
        taps = geometry.taps(geometry.output_size(x.shape[2:]))
        rows, columns = next(taps)
        y = padded[:, :, rows, columns].copy()
        for rows, columns in taps:
            y += padded[:, :, rows, columns]
        y *= scale
        return y

    @staticmethod
    def backward(ctx, grad):
        return AvgPoolScatter.apply(grad, ctx.geometry, ctx.scale, ctx.size), None, None


class AvgPoolScatter(Function):
    @staticmethod
    def forward(ctx, grad, geometry, scale, size):  # the adjoint of AvgPool: each tap gets scale * grad
        ctx.geometry, ctx.scale = geometry, scale
        g = grad.data * scale
        canvas = _canvas(g.shape[:2], geometry, size, g.dtype)
        for rows, columns in geometry.taps(g.shape[2:]):
            canvas[:, :, rows, columns] += g
        return _crop(canvas, geometry.padding, size)

    @staticmethod
    def backward(ctx, v):
        return AvgPool.apply(v, ctx.geometry, ctx.scale), None, None, None


__all__ = [
    "AvgPool",
    "AvgPoolScatter",
    "Convolution",
    "ConvolutionTranspose",
    "ConvolutionWeight",
    "Geometry",
    "MaxPool",
    "MaxPoolGather",
    "MaxPoolScatter",
    "release_workspace",
]
