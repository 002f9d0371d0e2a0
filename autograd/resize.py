"""Linear resizing, `F.interpolate`'s modes 'linear', 'bilinear' and 'trilinear', on
(N, C, *spatial) inputs. Along each spatial dim, output position i blends the two
input positions around its source coordinate:

    y_i = (1 - w_i) x[lo_i] + w_i x[hi_i]

a gather with index arrays, one dim after the other. Its adjoint scatters each
gradient back to lo_i and hi_i, and the adjoint's adjoint is the resize again, so
gradients of gradients come for free:

    LinearResize(x)          y: the blend along each dim (the last dim first, as PyTorch sums)
    LinearResizeAdjoint(g)   its adjoint: g_i added to lo_i with weight 1 - w_i, to hi_i with w_i

`linear_taps` places (lo, hi, w) as PyTorch does.
"""

from __future__ import annotations

import numpy as np

from autograd.function import NumpyOp
from autograd.shape import scatter_add_along
from autograd.tensor import _raw

__all__ = ["LinearResize", "LinearResizeAdjoint", "linear_taps"]


def linear_taps(n: int, out: int, align_corners: bool, scale, dtype) -> tuple:
    """(lo, hi, w) for resizing n positions to `out`: the source coordinate of output i is
    i (n - 1) / (out - 1) with align_corners, else (i + 0.5) / scale - 0.5 clamped at 0
    (scale: the scale_factor given, else out / n); computed in the input's dtype, as PyTorch."""
    dtype = np.dtype(dtype)
    i = np.arange(out, dtype=dtype)
    if align_corners:
        source = i * dtype.type((n - 1) / (out - 1)) if out > 1 else np.zeros(out, dtype)
    else:
        step = dtype.type(1.0 / scale) if scale is not None and scale > 0 else dtype.type(n) / dtype.type(out)
        source = np.maximum((i + dtype.type(0.5)) * step - dtype.type(0.5), 0)
    lo = np.minimum(source.astype(np.int64), n - 1)  # source >= 0: the cast floors
    return lo, np.minimum(lo + 1, n - 1), (source - lo).astype(dtype)


def _along(weight, axis, ndim):
    """The weights shaped to broadcast along `axis`."""
    shape = [1] * ndim
    shape[axis] = -1
    return weight.reshape(shape)


_NODE_NAMES = {1: "UpsampleLinear1DBackward0", 2: "UpsampleBilinear2DBackward0", 3: "UpsampleTrilinear3DBackward0"}


class LinearResize(NumpyOp):
    def name(self) -> str:
        return _NODE_NAMES[len(self.taps)]

    @staticmethod
    def forward(ctx, x, taps):  # taps: (axis, lo, hi, w) per spatial dim; y_i = (1 - w_i) x[lo_i] + w_i x[hi_i]
        ctx.taps, ctx.shape = taps, x.shape
        y = _raw(x)
        for axis, lo, hi, w in reversed(taps):
            w = _along(w, axis, y.ndim)
            y = np.take(y, lo, axis) * (1 - w) + np.take(y, hi, axis) * w
        return y

    @staticmethod
    def backward(ctx, grad):
        return LinearResizeAdjoint.apply(grad, ctx.taps, ctx.shape), None


class LinearResizeAdjoint(NumpyOp):
    @staticmethod
    def forward(ctx, grad, taps, shape):  # dx: each grad_i added to lo_i with weight 1 - w_i, to hi_i with w_i
        ctx.taps = taps
        g = _raw(grad)
        for axis, lo, hi, w in taps:  # the adjoint of a composition: the last step first
            w = _along(w, axis, g.ndim)
            g = scatter_add_along(g * (1 - w), axis, lo, shape[axis]) + scatter_add_along(g * w, axis, hi, shape[axis])
        return g

    @staticmethod
    def backward(ctx, grad):
        return LinearResize.apply(grad, ctx.taps), None, None
