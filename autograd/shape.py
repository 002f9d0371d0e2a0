"""Shape and indexing ops, and padding (constant; reflect, replicate and circular as
a gather along each padded axis, whose adjoint `scatter_add_along` sums back). `view`,
`flatten`, `unsqueeze`, `squeeze`, `transpose`, `T`, `stack`, `split` are composed from
these in `tensor_methods.py`. Backward formulas run on ndarrays or Tensors (`NumpyOp`);
`broadcast_to` and `permute` below are the two array functions they need that
ndarrays and Tensors spell differently."""

from __future__ import annotations

import numpy as np

from autograd.function import NumpyOp
from autograd.tensor import Tensor, _raw


def broadcast_to(x, shape):
    """x broadcast to `shape`: a read-only view of an ndarray, the op on a Tensor."""
    return Expand.apply(x, shape) if isinstance(x, Tensor) else _broadcast_to(x, shape)


def permute(x, dims):
    """x with its dims reordered: NumPy's transpose of an ndarray, the op on a Tensor."""
    return Permute.apply(x, dims) if isinstance(x, Tensor) else x.transpose(dims)


def matrix_transpose(x):
    """x with its last two dims swapped."""
    return permute(x, (*range(x.ndim - 2), x.ndim - 1, x.ndim - 2))


def _view(x, array):
    """`array`, a view of x's memory, as a tensor sharing x's version counter, so
    that an in-place change through either is seen by both."""
    out = Tensor._make(array, False)
    out._version = x._version
    return out


class Reshape(NumpyOp):
    backward_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):  # the same elements in a new shape
        ctx.shape = x.shape
        try:
            return _view(x, x._data.reshape(shape))
        except ValueError:
            raise RuntimeError(
                f"reshape(): shape {list(shape)} is invalid for input of size {x._data.size} (shape {x.shape})"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


class Permute(NumpyOp):
    @staticmethod
    def forward(ctx, x, dims):  # axes reordered
        ctx.inverse = tuple(sorted(range(len(dims)), key=dims.__getitem__))  # np.argsort costs more on a tuple
        return _view(x, x._data.transpose(dims))

    @staticmethod
    def backward(ctx, grad):
        return permute(grad, ctx.inverse), None


def _broadcast_to(array, shape):
    """`np.broadcast_to(array, shape)`, a read-only view, built directly where NumPy
    hands out the buffer (a contiguous array): the stretched dims get stride 0.
    np.broadcast_to itself sets up an nditer, some 5 µs even for an 8x8 result."""
    lead = len(shape) - array.ndim
    if array.size == 1:  # (a one-element array: every stride 0)
        strides = (0,) * len(shape)
    else:
        strides = [0] * lead
        for size, new, stride in zip(array.shape, shape[lead:], array.strides):
            if size != new and size != 1:
                lead = -1
                break
            strides.append(stride if size == new else 0)
    if lead >= 0:
        try:
            view = np.ndarray(shape, array.dtype, array, 0, strides)
        except (TypeError, ValueError):  # a buffer NumPy does not hand out (not contiguous)
            pass
        else:
            view.flags.writeable = False
            return view
    return np.broadcast_to(array, shape)  # and its errors


class Expand(NumpyOp):
    @staticmethod
    def forward(ctx, x, shape):  # a broadcast view (no copy)
        return _view(x, _broadcast_to(x._data, shape))

    @staticmethod
    def backward(ctx, grad):  # the engine sums it back to x's shape
        return grad, None


def _is_basic(index) -> bool:
    """Basic indexing (ints, NumPy ints, slices, None, Ellipsis) selects each element at most once."""
    items = index if isinstance(index, tuple) else (index,)
    basic = (int, np.integer, slice, type(None), type(Ellipsis))
    return all(isinstance(i, basic) and not isinstance(i, bool) for i in items)


def _as_view_index(index):
    """A basic index that gives a view even where it selects one element: NumPy
    returns a scalar (a copy) for `a[0]` on a 1-d array, a 0-d view for `a[0, ...]`."""
    items = index if isinstance(index, tuple) else (index,)
    return items if Ellipsis in items else (*items, Ellipsis)


class GetItem(NumpyOp):
    backward_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, index):  # x[index]: slices, None, ..., integer arrays, masks
        ctx.shape, ctx.index = x.shape, index
        basic = _is_basic(index)
        try:
            out = x._data[_as_view_index(index) if basic else index]
        except IndexError as error:
            raise IndexError(f"__getitem__: {error} (tensor of shape {x.shape})") from None
        return _view(x, out) if basic else np.ascontiguousarray(out)

    @staticmethod
    def backward(ctx, grad):  # the gradient goes back where each element came from
        return IndexAdd.apply(grad, ctx.shape, ctx.index), None


class IndexAdd(NumpyOp):
    @staticmethod
    def forward(ctx, grad, shape, index):  # zeros(shape) with grad added at index
        ctx.index = index
        out = np.zeros(shape, dtype=grad.dtype)
        if _is_basic(index):
            out[index] = _raw(grad)
        else:  # repeated indices accumulate
            np.add.at(out, index, _raw(grad))
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.index], None, None


class Cat(NumpyOp):
    @staticmethod
    def forward(ctx, dim, *tensors):  # tensors joined along dim
        ctx.dim = dim
        ctx.sizes = [t.shape[dim] if t.ndim else 0 for t in tensors]
        arrays = [t._data for t in tensors]
        try:
            return np.concatenate(arrays, axis=dim)
        except ValueError:
            shapes = [t.shape for t in tensors]
            raise RuntimeError(
                f"cat(): tensors must have the same shape except in dimension {dim}; got shapes {shapes}"
            ) from None

    @staticmethod
    def backward(ctx, grad):  # each input gets its slice
        pieces, start = [None], 0
        lead = (slice(None),) * (ctx.dim % grad.ndim)
        for size, need in zip(ctx.sizes, ctx.needs_input_grad[1:]):
            pieces.append(grad[lead + (slice(start, start + size),)] if need else None)
            start += size
        return tuple(pieces)


class Pad(NumpyOp):
    backward_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, pad, value):  # constant padding; pad = (last_lo, last_hi, prev_lo, ...)
        widths = [(0, 0)] * x.ndim
        for i in range(len(pad) // 2):
            widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
        data = _raw(x)
        # negative pads crop, as in PyTorch
        crop = tuple(slice(max(-lo, 0), s - max(-hi, 0)) for (lo, hi), s in zip(widths, x.shape))
        data = data[crop]
        positive = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
        ctx.inner = tuple(slice(lo, lo + s) for (lo, _), s in zip(positive, data.shape))
        ctx.outer = [(max(-lo, 0), max(-hi, 0)) for lo, hi in widths]
        return np.pad(data, positive, constant_values=value)

    @staticmethod
    def backward(ctx, grad):
        inner = grad[ctx.inner]
        if any(lo or hi for lo, hi in ctx.outer):
            pad = []
            for lo, hi in reversed(ctx.outer):
                pad += [lo, hi]
            inner = Pad.apply(inner, tuple(pad), 0.0)
        return inner, None, None


def scatter_add_along(values, axis, index, size):
    """An array with `size` positions along `axis`, zero but for values[..., i, ...] added at
    index[i]: the copies sorted by index, then one np.add.reduceat sums each run of equal
    indices (NumPy's ufunc.at, element by element, takes twice as long here)."""
    out = np.zeros(values.shape[:axis] + (size,) + values.shape[axis + 1 :], values.dtype)
    if index.size:
        order = np.argsort(index, kind="stable")
        positions, starts = np.unique(index[order], return_index=True)
        sums = np.add.reduceat(np.take(values, order, axis=axis), starts, axis=axis)
        out[(slice(None),) * axis + (positions,)] = sums
    return out


_PAD_NODE_NAMES = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0",
                   "circular": "CopySlices"}


class PadByIndex(NumpyOp):
    """reflect, replicate and circular padding (`F.pad`): along each padded axis, output
    position i copies input position index[i] (`padding_taps`)."""

    def name(self) -> str:
        return _PAD_NODE_NAMES[self.mode].format(len(self.taps))

    @staticmethod
    def forward(ctx, x, taps, mode):  # taps: (axis, index) per padded dim; out = x[..., index, ...] along each
        ctx.taps, ctx.mode, ctx.shape = taps, mode, x.shape
        out = _raw(x)
        for axis, index in taps:
            out = np.take(out, index, axis=axis)
        return out

    @staticmethod
    def backward(ctx, grad):
        return PadByIndexAdjoint.apply(grad, ctx.taps, ctx.mode, ctx.shape), None, None


class PadByIndexAdjoint(NumpyOp):
    @staticmethod
    def forward(ctx, grad, taps, mode, shape):  # each copy's gradient added back to its source, axis by axis
        ctx.taps, ctx.mode = taps, mode
        out = _raw(grad)
        for axis, index in reversed(taps):
            out = scatter_add_along(out, axis, index, shape[axis])
        return out

    @staticmethod
    def backward(ctx, grad):
        return PadByIndex.apply(grad, ctx.taps, ctx.mode), None, None, None


def padding_taps(shape, pad, mode):
    """(axis, index) per padded dim of reflect, replicate or circular padding: index[i] is the
    input position that output position i copies, after PyTorch's checks."""
    dims = len(pad) // 2
    if not 1 <= dims <= 3 or len(shape) not in (dims + 1, dims + 2):
        raise NotImplementedError(
            f"pad(): Padding size {len(pad)} is not supported for {len(shape)}D input tensor (shape {shape}). "
            "Supported combinations for non-constant padding: 2D or 3D input: padding size = 2 (pads last "
            "dimension); 3D or 4D input: padding size = 4 (pads last 2 dimensions); 4D or 5D input: padding "
            "size = 6 (pads last 3 dimensions)"
        )
    if 0 in shape[len(shape) - dims - 1 :]:
        raise RuntimeError(
            f"pad(): mode {mode!r} expects non-zero sizes except in the batch dim, got input of shape {shape}"
        )
    taps = []
    for axis in range(len(shape) - dims, len(shape)):
        i = len(shape) - 1 - axis  # pad[2 i], pad[2 i + 1] apply to this axis
        taps.append((axis, _padding_index(shape, axis, pad[2 * i], pad[2 * i + 1], mode)))
    return tuple(taps)


def _padding_index(shape, dim, before, after, mode):
    """For each output position along `dim`, the input position it copies."""
    n = shape[dim]
    if n + before + after < 1:
        raise RuntimeError(
            f"pad(): input (size {n} in dim {dim}) is too small for padding ({before}, {after}): "
            f"calculated output size {n + before + after}"
        )
    positions = np.arange(-before, n + after)
    if mode == "reflect":  # the mirror image around the first and last element
        if before >= n or after >= n:
            raise RuntimeError(
                f"pad(): Padding size should be less than the corresponding input dimension, but got: padding "
                f"({before}, {after}) at dimension {dim} of input {list(shape)} (mode 'reflect' mirrors the input "
                "without repeating its edge; 'replicate' or 'circular' can pad further)"
            )
        positions = np.abs(positions)
        return np.where(positions > n - 1, 2 * (n - 1) - positions, positions)
    if mode == "replicate":
        return np.clip(positions, 0, n - 1)
    start, kept = max(-before, 0), n - max(-before, 0) - max(-after, 0)  # circular: wrap what the crop keeps
    if before > kept or after > kept:
        raise RuntimeError(
            f"pad(): Padding value causes wrapping around more than once: padding ({before}, {after}) at "
            f"dimension {dim} of input {list(shape)} (mode 'circular' pads at most the size it keeps)"
        )
    return start + np.arange(-max(before, 0), kept + max(after, 0)) % kept


class SetItem(NumpyOp):
    backward_name = "CopySlices"

    @staticmethod
    def forward(ctx, x, index, value):  # a copy of x with x[index] = value
        ctx.index = index
        out = _raw(x).copy()
        out[index] = _raw(value)
        return out

    @staticmethod
    def backward(ctx, grad):  # x's overwritten elements get no gradient; value gets them
        need_x, _, need_value = ctx.needs_input_grad
        return (
            SetItem.apply(grad, ctx.index, 0.0) if need_x else None,
            None,
            grad[ctx.index] if need_value else None,
        )


class Scatter(NumpyOp):
    backward_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src):  # a copy of x with out[i][index[i][j]] = src[i][j] (dim 1)
        ctx.dim, ctx.index = dim, index
        ctx.src_shape = getattr(src, "shape", None)
        out = _raw(x).copy()
        crop = tuple(slice(0, s) for s in index.shape)  # as in torch.scatter, index may be smaller than x and src
        crop_out = tuple(slice(None) if d == dim else c for d, c in enumerate(crop))
        values = _raw(src)[crop] if ctx.src_shape is not None else src
        try:
            np.put_along_axis(out[crop_out], index, values, axis=dim)
        except (IndexError, ValueError) as error:
            src_shape = "a number" if ctx.src_shape is None else f"src of shape {ctx.src_shape}"
            raise RuntimeError(
                f"scatter(): index of shape {index.shape} does not fit input of shape {x.shape} and "
                f"{src_shape} along dim {dim} ({error})"
            ) from None
        return out

    @staticmethod
    def backward(ctx, grad):  # x's overwritten elements get no gradient; src gets what it wrote
        need_x, _, _, need_src = ctx.needs_input_grad
        grad_x = Scatter.apply(grad, ctx.dim, ctx.index, 0.0) if need_x else None
        grad_src = None
        if need_src and ctx.src_shape is not None:
            grad_src = Gather.apply(grad, ctx.dim, ctx.index)
            if grad_src.shape != ctx.src_shape:  # src larger than index: zeros where nothing was read
                grad_src = IndexAdd.apply(grad_src, ctx.src_shape, tuple(slice(0, s) for s in ctx.index.shape))
        return grad_x, None, None, grad_src


class Gather(NumpyOp):
    @staticmethod
    def forward(ctx, x, dim, index):  # out[i][j] = x[i][index[i][j]] (for dim = 1)
        index = np.asarray(_raw(index))  # a Tensor index is passed as one, to be drawn as an input
        ctx.shape, ctx.dim, ctx.index = x.shape, dim, index
        # as in torch.gather, index may be smaller than x in the other dims: those are cropped
        crop = tuple(slice(None) if d == dim else slice(0, s) for d, s in enumerate(index.shape))
        try:
            return np.take_along_axis(_raw(x)[crop], index, axis=dim)
        except (IndexError, ValueError) as error:
            raise RuntimeError(
                f"gather(): index of shape {index.shape} does not fit input of shape {x.shape} "
                f"along dim {dim} ({error})"
            ) from None

    @staticmethod
    def backward(ctx, grad):  # each gathered element's gradient goes back to its place
        return ScatterAdd.apply(grad, ctx.shape, ctx.dim, ctx.index), None, None


class ScatterAdd(NumpyOp):
    @staticmethod
    def forward(ctx, src, shape, dim, index):  # zeros(shape), then out[..index..] += src
        ctx.dim, ctx.index = dim, index
        out = np.zeros(shape, dtype=src.dtype)
        grids = list(np.indices(index.shape, sparse=True))
        grids[dim] = index
        np.add.at(out, tuple(grids), _raw(src))  # repeated indices accumulate
        return out

    @staticmethod
    def backward(ctx, grad):
        return Gather.apply(grad, ctx.dim, ctx.index), None, None, None
