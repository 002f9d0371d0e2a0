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
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from autograd.function import Function


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
        y += b.data.reshape(-1, 1, 1)
    return y


# --- convolution ------------------------------------------------------------------------


class Convolution(Function):
    @staticmethod
    def forward(ctx, x, w, b, geometry):  # y[n, o] = b[o] + sum_c x[n, c] (*) w[o, c]
        needs = getattr(ctx, "needs_input_grad", None)
        bias = None if b is None else b.data
        y, ctx.cols = conv2d_array(x.data, w.data, geometry, bias, keep_cols=bool(needs and needs[1]))
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
        taps = _stack_taps(_pad(x.data, geometry.padding), geometry, arg.shape[2:])
        y = np.take_along_axis(taps, arg[None].astype(np.intp), 0)[0]
        _give(taps)
        return y

    @staticmethod
    def backward(ctx, grad):
        return MaxPoolScatter.apply(grad, ctx.arg, ctx.geometry, ctx.size), None, None


# --- average pooling ----------------------------------------------------------------------


class AvgPool(Function):
    @staticmethod
    def forward(ctx, x, geometry, scale):  # y = scale * the sum of each window (zero padding)
        ctx.geometry, ctx.scale, ctx.size = geometry, scale, x.shape[2:]
        taps = _stack_taps(_pad(x.data, geometry.padding), geometry, geometry.output_size(x.shape[2:]))
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
        return _scatter_taps(grad.data * scale, geometry, size)

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
    "release_buffers",
]
