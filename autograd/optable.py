"""The op table: every differentiable op of the library, one row each, with how
to draw valid inputs for it (shapes, value domains away from kinks and ties) and a
NumPy reference of its forward.

The test suite (`tests/autograd/test_ops.py`) runs forward, gradient and
second-order checks over every row, and fails when a public op has no row;
`python -m autograd.check` runs gradcheck and gradgradcheck over the table and
prints each op's worst error. Adding an op means adding a row here.

Needs `hypothesis`, a dependency of glassgrad (the shapes are Hypothesis strategies).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import hypothesis.strategies as st
import numpy as np

import autograd
from autograd import Tensor, conv, pooling
from autograd.linalg import Linear

# --- value domains: functions (rng, shape) -> float64 array ----------------------------
#
# Hypothesis draws the shapes and a seed; the values come from NumPy's generator
# with that seed. Drawing every element through Hypothesis costs ~7 ms an example
# (unique arrays several times that), which a table of ~200 rows cannot afford;
# failures still shrink (to the smallest shapes) and replay from the printed seed.


def uniform(low, high):
    """Any value in [low, high]."""
    return lambda rng, shape: rng.uniform(low, high, shape)


def away_from_zero(low=0.01, high=3.0):
    """Values in [-high, -low] or [low, high]: kinks at 0 (relu, abs) stay out of reach."""
    return lambda rng, shape: rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


def distinct(offset=0.0, low=-3.0, high=3.0):
    """Pairwise distinct values on a grid of step 0.02 in [low, high] (plus `offset`):
    max/min have no ties within an input, and two inputs whose offsets differ by
    0.01 never come closer than 0.01."""
    grid = np.arange(round(low * 50), round(high * 50) + 1) / 50 + offset
    return lambda rng, shape: rng.choice(grid, size=shape, replace=False)


ANY = uniform(-3, 3)
POSITIVE = uniform(0.1, 3)  # log, sqrt, bases of powers
NONZERO = away_from_zero()
DISTINCT = distinct()


def distinct_magnitudes(rng, shape):
    """Values whose |x| are pairwise distinct and at least 0.1: max |x| (the inf-norm) has no ties."""
    return distinct(0.0, 0.1, 3.0)(rng, shape) * rng.choice([-1.0, 1.0], shape)


def apart(*bounds):
    """A `valid` check: every element at least 1e-2 from the given bounds."""
    return lambda x: all(np.all(np.abs(x - b) >= 1e-2) for b in bounds)


def sums_apart(axis):
    """A `valid` check: the sums of |x| along `axis` differ pairwise by at least 1e-2 (the
    max or min of them, a matrix norm, has no tie)."""

    def check(x):
        sums = np.sort(np.abs(x).sum(axis=axis), axis=-1)
        return bool(np.all(np.diff(sums, axis=-1) >= 1e-2))

    return check


# --- shapes: strategies of tuples of shapes, one per input ------------------------------
#
# Each is one or a few `sampled_from` draws over shapes listed simplest first, so a
# failure shrinks to the smallest shape that shows it (and drawing stays cheap).


def _all_shapes(min_dims, max_dims, min_side, max_side):
    listed = [
        s
        for ndim in range(min_dims, max_dims + 1)
        for s in itertools.product(range(min_side, max_side + 1), repeat=ndim)
    ]
    return sorted(listed, key=lambda s: (math.prod(s), len(s), s))


_EMPTY = [(0,), (0, 1), (0, 3), (2, 0), (4, 0), (3, 0, 2)]  # a few shapes with a zero side


def shapes(n=1, min_dims=0, max_dims=3, min_side=1, max_side=4, empty=False):
    """`n` inputs of one shape; `empty=True` also draws a few shapes with a zero side."""
    listed = _all_shapes(min_dims, max_dims, min_side, max_side)
    if empty:
        listed += [s for s in _EMPTY if min_dims <= len(s) <= max_dims]
    return st.sampled_from([(s,) * n for s in listed])


# How an input's shape derives from the broadcast shape: drop leading dims, set dims to 1.
_REDUCTIONS = [(drop, ones) for drop in range(4) for ones in range(8)]


def _reduced(shape, reduction):
    drop, ones = reduction
    return tuple(1 if ones >> i & 1 else side for i, side in enumerate(shape[min(drop, len(shape)) :]))


def broadcastable(n=2, max_dims=3, empty=False):
    """`n` mutually broadcastable shapes (0-d included): a broadcast shape, and for
    each input the leading dims it lacks and the dims where it has 1."""
    listed = _all_shapes(0, max_dims, 1, 4) + ([s for s in _EMPTY if len(s) <= max_dims] if empty else [])
    draws = st.tuples(st.sampled_from(listed), *[st.sampled_from(_REDUCTIONS)] * n)
    return draws.map(lambda d: tuple(_reduced(d[0], r) for r in d[1:]))


def spec(text):
    """Shapes from a spec like "mk,kn" (matmul): one shape per comma-separated input;
    a letter is a side drawn once (lowercase 1..4, uppercase 2..4), a digit is literal."""
    letters = sorted({c for c in text if c.isalpha()})
    listed = []
    for sides in itertools.product(*[range(2 if c.isupper() else 1, 5) for c in letters]):
        side = dict(zip(letters, sides))
        listed.append(
            tuple(tuple(int(c) if c.isdigit() else side[c] for c in part) for part in text.split(","))
        )
    return st.sampled_from(sorted(listed, key=lambda shapes: (sum(map(math.prod, shapes)), shapes)))


# --- NumPy references --------------------------------------------------------------------


def _axis(a, dim):
    return None if a.ndim == 0 else dim


def np_reduce(fn, a, dim=None, keepdim=False, **kwargs):
    return fn(a, axis=_axis(a, dim), keepdims=keepdim, **kwargs)


def np_logsumexp(a, dim, keepdim=False):
    return np.log(np.sum(np.exp(a), axis=_axis(a, dim), keepdims=keepdim))


def np_softmax(a, dim):
    e = np.exp(a - np.max(a, axis=_axis(a, dim), keepdims=True))
    return e / np.sum(e, axis=_axis(a, dim), keepdims=True)


def np_log_softmax(a, dim):
    return np.log(np_softmax(a, dim))


def np_values_indices(fn, arg_fn, a, dim, keepdim=False):
    return fn(a, axis=_axis(a, dim), keepdims=keepdim), arg_fn(a, axis=_axis(a, dim), keepdims=keepdim)


def np_pad(a, pad, value=0.0):
    """torch.nn.functional.pad, constant mode: pairs from the last dim back; negative crops."""
    for i in range(len(pad) // 2):
        lo, hi = pad[2 * i], pad[2 * i + 1]
        a = np.moveaxis(a, a.ndim - 1 - i, 0)
        a = a[max(-lo, 0) : a.shape[0] - max(-hi, 0)]
        a = np.pad(a, [(max(lo, 0), max(hi, 0))] + [(0, 0)] * (a.ndim - 1), constant_values=value)
        a = np.moveaxis(a, 0, a.ndim - 1 - i)
    return a


def np_split(a, size, dim):
    n = a.shape[dim]
    sizes = [size] * (n // size) + ([n % size] if n % size else []) if isinstance(size, int) else list(size)
    bounds = np.cumsum(sizes)[:-1]
    return tuple(np.split(a, bounds, axis=dim))


def np_chunk(a, chunks, dim):
    return np_split(a, -(-a.shape[dim] // chunks), dim)


def np_sum_to(a, shape):
    lead = a.ndim - len(shape)
    a = a.sum(axis=tuple(range(lead)))
    return a.sum(axis=tuple(i for i, s in enumerate(shape) if s == 1), keepdims=True)


def np_gather(a, dim, index):
    """torch.gather: out[i][j][k] = a[i][index[i][j][k]][k] (dim 1), index no larger than a elsewhere."""
    out = np.empty(index.shape)
    for pos in np.ndindex(index.shape):
        source = list(pos)
        source[dim] = index[pos]
        out[pos] = a[tuple(source)]
    return out


def np_scatter(a, dim, index, src):
    """torch.scatter: out = a, then out[i][index[i][j][k]][k] = src[i][j][k] (dim 1)."""
    out = np.array(a, dtype=float)
    for pos in np.ndindex(index.shape):
        target = list(pos)
        target[dim] = index[pos]
        out[tuple(target)] = src[pos] if isinstance(src, np.ndarray) else src
    return out


def _scatter_index(shape, dim=1):
    """An index for scatter along `dim`: up to 3 distinct positions per row (a repeat
    would leave src's gradient undefined, as in PyTorch), smaller than the input elsewhere."""
    order = np.argsort(np.random.default_rng(0).random(shape), axis=dim)
    keep = [slice(None)] * len(shape)
    keep[dim] = slice(0, min(3, shape[dim]))
    keep[0] = slice(0, max(shape[0] - 1, 1)) if dim % len(shape) != 0 else slice(None)
    return order[tuple(keep)]


def same(index):
    """The same indexing on Tensors and on arrays."""
    return lambda a: a[index]



# --- convolution and pooling references: loops over kernel taps only -------------------


def _F():
    import nn.functional as F  # interpolate is nn's: a resize composed of Tensor ops

    return F


def np_conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """Cross-correlation, NCHW, square stride/padding/dilation."""
    n, _, h, wd = x.shape
    o, cg, kh, kw = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    ow = (wd + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    og = o // groups
    out = np.zeros((n, o, oh, ow))
    for g in range(groups):
        xs, ws = x[:, g * cg : (g + 1) * cg], w[g * og : (g + 1) * og]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i * dilation : i * dilation + stride * (oh - 1) + 1 : stride,
                           j * dilation : j * dilation + stride * (ow - 1) + 1 : stride]
                out[:, g * og : (g + 1) * og] += np.einsum("nchw,oc->nohw", patch, ws[:, :, i, j])
    return out if b is None else out + b[None, :, None, None]


def np_conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0):
    """The adjoint of np_conv2d in its input: scatter each input pixel's kernel."""
    n, _, h, wd = x.shape
    _, o, kh, kw = w.shape
    full = np.zeros((n, o, (h - 1) * stride + kh + output_padding, (wd - 1) * stride + kw + output_padding))
    for i in range(kh):
        for j in range(kw):
            full[:, :, i : i + stride * (h - 1) + 1 : stride, j : j + stride * (wd - 1) + 1 : stride] += np.einsum(
                "nchw,co->nohw", x, w[:, :, i, j])
    out = full[:, :, padding : full.shape[2] - padding, padding : full.shape[3] - padding]
    return out if b is None else out + b[None, :, None, None]


def np_pool2d(x, k, stride=None, padding=0, kind="max"):
    """Max or average (padding counted) pooling over k x k windows."""
    stride = stride or k
    fill = -np.inf if kind == "max" else 0.0
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=fill)
    oh, ow = (x.shape[2] - k) // stride + 1, (x.shape[3] - k) // stride + 1
    taps = [x[:, :, i : i + stride * (oh - 1) + 1 : stride, j : j + stride * (ow - 1) + 1 : stride]
            for i in range(k) for j in range(k)]
    return np.max(taps, axis=0) if kind == "max" else np.mean(taps, axis=0)


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def np_pool(x, k, stride=None, padding=0, dilation=1, ceil_mode=False, kind="max", count_include_pad=True):
    """Max or average pooling, NCHW; k, stride, padding, dilation are ints or (h, w) pairs.
    With ceil_mode a last window may start in the input and run past the padding; the
    average divides by its taps inside the padded input (count_include_pad) or the input."""
    k, padding, dilation = _pair(k), _pair(padding), _pair(dilation)
    stride = _pair(stride or k)
    out, masks = [], []
    for n, kk, s, p, d in zip(x.shape[2:], k, stride, padding, dilation):
        span = n + 2 * p - d * (kk - 1) - 1
        o = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (o - 1) * s >= n + p:  # a last window starting in the right padding is dropped
            o -= 1
        extra = max((o - 1) * s + d * (kk - 1) + 1 - n - p, p)  # right padding the last window reaches
        out.append(o)
        inside = np.r_[np.zeros(p), np.ones(n), np.zeros(extra)]
        masks.append(inside if not count_include_pad else np.r_[np.ones(n + 2 * p), np.zeros(extra - p)])
    fill = -np.inf if kind == "max" else 0.0
    (ph, pw), (eh, ew) = padding, [m.size - n - p for m, n, p in zip(masks, x.shape[2:], padding)]
    x = np.pad(x, ((0, 0), (0, 0), (ph, eh), (pw, ew)), constant_values=fill)
    count = np.outer(*masks)
    rows = [slice(i * dilation[0], i * dilation[0] + stride[0] * (out[0] - 1) + 1, stride[0]) for i in range(k[0])]
    cols = [slice(j * dilation[1], j * dilation[1] + stride[1] * (out[1] - 1) + 1, stride[1]) for j in range(k[1])]
    windows = [(h, w) for h in rows for w in cols]  # one strided slice per kernel tap
    if kind == "max":
        return np.max([x[:, :, h, w] for h, w in windows], axis=0)
    return sum(x[:, :, h, w] for h, w in windows) / sum(count[h, w] for h, w in windows)


def np_adaptive_avg_pool2d(x, size):
    """Output cell (i, j) averages rows floor(i H / OH) .. ceil((i + 1) H / OH) - 1 (and columns alike)."""
    (h, w), (oh, ow) = x.shape[2:], size
    out = np.empty(x.shape[:2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = x[:, :, i * h // oh : -(-(i + 1) * h // oh), j * w // ow : -(-(j + 1) * w // ow)].mean(
                axis=(2, 3))
    return out


def np_nearest(x, size):
    """'nearest' resizing of the last len(size) dims: output i reads input floor(i * n / out)."""
    for axis, out in zip(range(x.ndim - len(size), x.ndim), size):
        x = np.take(x, np.arange(out) * x.shape[axis] // out, axis=axis)
    return x


def np_adaptive_max_pool2d(x, size):
    """The max of output cell (i, j)'s window (the windows of np_adaptive_avg_pool2d), and its flat index."""
    (h, w), (oh, ow) = x.shape[2:], size
    out, index = np.empty(x.shape[:2] + (oh, ow)), np.empty(x.shape[:2] + (oh, ow), np.int64)
    for i in range(oh):
        for j in range(ow):
            r0, r1, c0, c1 = i * h // oh, -(-(i + 1) * h // oh), j * w // ow, -(-(j + 1) * w // ow)
            window = x[:, :, r0:r1, c0:c1].reshape(x.shape[:2] + (-1,))
            out[:, :, i, j] = window.max(-1)
            rows, columns = np.divmod(window.argmax(-1), c1 - c0)
            index[:, :, i, j] = (r0 + rows) * w + c0 + columns
    return out, index


def _linear_resize_matrix(n, out, align_corners, scale=None):
    """(out, n): row i holds the two weights of output i's source coordinate, one position at a time."""
    matrix = np.zeros((out, n))
    for i in range(out):
        if align_corners:
            source = i * (n - 1) / (out - 1) if out > 1 else 0.0
        else:
            source = max((i + 0.5) * (1 / scale if scale else n / out) - 0.5, 0.0)
        lo = min(int(source), n - 1)
        matrix[i, lo] += 1 - (source - lo)
        matrix[i, min(lo + 1, n - 1)] += source - lo
    return matrix


def np_linear_resize(x, size, align_corners=False, scales=None):
    """'linear' / 'bilinear' / 'trilinear' resizing of the last len(size) dims, a matrix per dim."""
    scales = scales or (None,) * len(size)
    for axis, out, scale in zip(range(x.ndim - len(size), x.ndim), size, scales):
        matrix = _linear_resize_matrix(x.shape[axis], out, align_corners, scale)
        x = np.moveaxis(np.tensordot(x, matrix, axes=([axis], [1])), -1, axis)
    return x


def np_pad_mode(a, pad, mode):
    """F.pad's reflect / replicate / circular modes: np.pad's reflect / edge / wrap; negative pads
    crop the result (circular crops first: it wraps around what the crop keeps)."""
    dims = len(pad) // 2
    widths = [(0, 0)] * (a.ndim - dims) + [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(dims))]
    crop_first = tuple(slice(max(-lo, 0), a.shape[d] - max(-hi, 0)) for d, (lo, hi) in enumerate(widths))
    if mode == "circular":
        a = a[crop_first]
    positive = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
    a = np.pad(a, positive, mode={"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode])
    if mode != "circular":
        a = a[tuple(slice(max(-lo, 0), a.shape[d] - max(-hi, 0)) for d, (lo, hi) in enumerate(widths))]
    return a


def np_topk(a, k, dim=-1, largest=True):
    """(values, indices) of the k largest (smallest) along dim, sorted."""
    if a.ndim == 0:
        return a, np.array(0)
    order = np.argsort(-a if largest else a, axis=dim, kind="stable")
    indices = np.take(order, np.arange(k), axis=dim)
    return np.take_along_axis(a, indices, dim), indices


def np_vector_norm(a, ord=2, dim=None, keepdim=False):
    magnitude = np.abs(a)
    if ord == np.inf or ord == -np.inf:
        return np_reduce(np.max if ord > 0 else np.min, magnitude, dim, keepdim)
    if ord == 0:
        return np_reduce(np.sum, (a != 0).astype(a.dtype), dim, keepdim)
    return np_reduce(np.sum, magnitude**ord, dim, keepdim) ** (1 / ord)


def np_matrix_norm(a, ord):
    """'fro', 1, -1, inf, -inf of the last two dims."""
    if ord == "fro":
        return np.sqrt(np.sum(a * a, axis=(-2, -1)))
    sums = np.abs(a).sum(axis=-2 if abs(ord) == 1 else -1)
    return sums.max(-1) if ord > 0 else sums.min(-1)


def _conv1d_ref(x, w, b=None, **kwargs):
    return np_conv2d(x[:, :, None], w[:, :, None], b, **kwargs)[:, :, 0]


CONV_SHAPES = st.sampled_from([((1, 1, 4, 4), (2, 1, 3, 3), (2,)), ((2, 2, 5, 4), (3, 2, 2, 3), (3,))])
GROUP_SHAPES = st.sampled_from([((1, 4, 4, 5), (2, 2, 3, 3)), ((2, 2, 5, 5), (4, 1, 2, 2))])
POOL_SHAPES = st.sampled_from([((1, 1, 4, 4),), ((2, 3, 6, 5),)])
SMALL_POOL_SHAPES = st.sampled_from([((1, 1, 3, 3),), ((1, 2, 5, 4),)])  # odd sides: ceil_mode has a partial window
POOL1D_SHAPES = st.sampled_from([((1, 1, 5),), ((2, 3, 7),)])

# --- the table ---------------------------------------------------------------------------


@dataclass
class Op:
    """One differentiable op: `fn` on Tensors and `ref` on arrays compute the same
    forward; `shapes` draws one shape per input (so it fixes the number of inputs),
    `domains` the values (one domain for all inputs, or one per input), and `valid`
    rejects draws too close to a kink or a tie. `covers` names the public API the
    row exercises (for `test_table_is_complete`)."""

    name: str
    fn: Callable
    ref: Callable
    shapes: st.SearchStrategy
    domains: object = ANY
    valid: Callable | None = None
    covers: tuple = ()
    out_dtype32: object = np.float32  # dtype of float outputs for float32 inputs
    eps: float = 1e-6
    rtol: float = 1e-5
    atol: float = 1e-7

    def __post_init__(self):
        self.draws = st.tuples(self.shapes, st.integers(0, 2**32 - 1))  # built once: cheaper draws

    def __repr__(self):
        return f"<op {self.name}>"

    def _repr_pretty_(self, printer, cycle):  # how Hypothesis prints a falsifying example
        printer.text(repr(self))


UNARY = shapes(empty=True)
BINARY = broadcastable(empty=True)
INTO = broadcastable().map(lambda s: (np.broadcast_shapes(*s), s[1]))  # in-place: b broadcasts into a


def _gather_index(shape, dim=1):
    """An index for gather along `dim`: 3 picks per row, with repeats, smaller than
    the input in the other dims where it can be."""
    shape = list(shape)
    size, shape[dim] = shape[dim], 3
    shape[0] = max(shape[0] - 1, 1) if dim % len(shape) != 0 else shape[0]
    return (np.arange(math.prod(shape)).reshape(shape) * 5 + 1) % size


def _setitem(index):
    """x = a.clone(); x[index] = v (on Tensors and, with copy, on arrays)."""

    def set_item(a, v):
        x = a.clone() if isinstance(a, Tensor) else a.copy()
        x[index] = v
        return x

    return set_item


def _iadd(a, b):
    x = a.clone()
    x += b
    return x


def _isub(a, b):
    x = a.clone()
    x -= b
    return x


def _imul(a, b):
    x = a.clone()
    x *= b
    return x


def _itruediv(a, b):
    x = a.clone()
    x /= b
    return x


OPS = [
    # arithmetic, tensor with tensor (broadcasting, 0-d included)
    Op("add", lambda a, b: a + b, np.add, BINARY, covers=("__add__",)),
    Op("sub", lambda a, b: a - b, np.subtract, BINARY, covers=("__sub__",)),
    Op("mul", lambda a, b: a * b, np.multiply, BINARY, covers=("__mul__",)),
    Op("mul(self)", lambda a: a * a, lambda a: a * a, UNARY, covers=("__mul__",)),
    Op("div", lambda a, b: a / b, np.divide, BINARY, domains=(ANY, NONZERO), covers=("__truediv__",)),
    Op(
        "pow(tensor, tensor)",
        lambda a, b: a**b,
        np.power,
        broadcastable(),
        domains=(POSITIVE, uniform(-2, 2)),
        covers=("__pow__",),
    ),
    Op("add(alpha=2)", lambda a, b: a.add(b, alpha=2), lambda a, b: a + 2 * b, BINARY, covers=("add",)),
    Op("sub(alpha=-0.5)", lambda a, b: a.sub(b, alpha=-0.5), lambda a, b: a + 0.5 * b, BINARY, covers=("sub",)),
    Op("add(function, alpha=0.5)", lambda a, b: autograd.add(a, b, alpha=0.5), lambda a, b: a + 0.5 * b, BINARY,
       covers=("add",)),
    Op("sub(function)", lambda a, b: autograd.sub(a, b), np.subtract, BINARY, covers=("sub",)),
    Op("mul(function)", lambda a, b: autograd.mul(a, b), np.multiply, BINARY, covers=("mul",)),
    # arithmetic with Python scalars, reflected forms included
    Op("add(scalar)", lambda a: a + 2.5, lambda a: a + 2.5, UNARY, covers=("__add__",)),
    Op("radd(scalar)", lambda a: 2.5 + a, lambda a: 2.5 + a, UNARY, covers=("__radd__",)),
    Op("sub(scalar)", lambda a: a - 1.5, lambda a: a - 1.5, UNARY, covers=("__sub__",)),
    Op("rsub(scalar)", lambda a: 1.5 - a, lambda a: 1.5 - a, UNARY, covers=("__rsub__",)),
    Op("mul(scalar)", lambda a: a * -2.0, lambda a: a * -2.0, UNARY, covers=("__mul__",)),
    Op("rmul(int)", lambda a: 3 * a, lambda a: 3 * a, UNARY, covers=("__rmul__",)),
    Op("div(scalar)", lambda a: a / 4.0, lambda a: a / 4.0, UNARY, covers=("__truediv__",)),
    Op(
        "rdiv(scalar)", lambda a: 2.0 / a, lambda a: 2.0 / a, UNARY, domains=NONZERO, covers=("__rtruediv__",)
    ),
    Op("pow(int)", lambda a: a**2, lambda a: a**2, UNARY, covers=("__pow__",)),
    Op("pow(3.0)", lambda a: a**3.0, lambda a: a**3.0, UNARY, covers=("__pow__",)),
    Op("pow(0.5)", lambda a: a**0.5, np.sqrt, UNARY, domains=POSITIVE, covers=("__pow__",)),
    Op("pow(-1.5)", lambda a: a**-1.5, lambda a: a**-1.5, UNARY, domains=POSITIVE, covers=("__pow__",)),
    Op("rpow(2.0)", lambda a: 2.0**a, lambda a: 2.0**a, UNARY, covers=("__rpow__",)),
    Op("rpow(0.5)", lambda a: 0.5**a, lambda a: 0.5**a, UNARY, covers=("__rpow__",)),
    Op(
        "rmatmul(array)",
        lambda b: _weights(b) @ b,
        lambda b: _weights(b) @ b,
        spec("kn"),
        covers=("__rmatmul__",),
    ),
    # unary elementwise
    Op("neg", lambda a: -a, np.negative, UNARY, covers=("__neg__",)),
    Op("pos", lambda a: +a, lambda a: +a, UNARY, covers=("__pos__",)),
    Op("abs", lambda a: abs(a), np.abs, UNARY, domains=NONZERO, covers=("__abs__",)),
    Op("exp", lambda a: a.exp(), np.exp, UNARY, covers=("exp",)),
    Op("log", lambda a: a.log(), np.log, UNARY, domains=POSITIVE, covers=("log",)),
    Op("sqrt", lambda a: a.sqrt(), np.sqrt, UNARY, domains=POSITIVE, covers=("sqrt",)),
    Op("rsqrt", lambda a: a.rsqrt(), lambda a: 1 / np.sqrt(a), UNARY, domains=POSITIVE, covers=("rsqrt",)),
    Op("reciprocal", lambda a: a.reciprocal(), np.reciprocal, UNARY, domains=NONZERO, covers=("reciprocal",)),
    Op("square", lambda a: a.square(), np.square, UNARY, covers=("square",)),
    Op("sin", lambda a: a.sin(), np.sin, UNARY, covers=("sin",)),
    Op("cos", lambda a: a.cos(), np.cos, UNARY, covers=("cos",)),
    Op("tanh", lambda a: a.tanh(), np.tanh, UNARY, covers=("tanh",)),
    Op("sigmoid", lambda a: a.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), UNARY, covers=("sigmoid",)),
    Op("relu", lambda a: a.relu(), lambda a: np.maximum(a, 0), UNARY, domains=NONZERO, covers=("relu",)),
    Op("log1p", lambda a: a.log1p(), np.log1p, UNARY, domains=uniform(-0.9, 3), covers=("log1p",)),
    Op("erf", lambda a: a.erf(), np.vectorize(math.erf, otypes=[np.float64]), UNARY, covers=("erf",)),
    Op(
        "masked_fill",
        lambda a: a.masked_fill(a > 0, 0.5),
        lambda a: np.where(a > 0, 0.5, a),
        UNARY,
        domains=NONZERO,
        covers=("masked_fill",),
    ),
    Op(
        "masked_fill(tensor value)",
        lambda a, v: a.masked_fill(a > 0, v),
        lambda a, v: np.where(a > 0, v, a),
        shapes().map(lambda s: (s[0], ())),
        domains=(NONZERO, ANY),
        covers=("masked_fill",),
    ),
    Op(
        "clamp(min)",
        lambda a: a.clamp(min=-0.5),
        lambda a: np.maximum(a, -0.5),
        UNARY,
        valid=apart(-0.5),
        covers=("clamp",),
    ),
    Op(
        "clamp(max)",
        lambda a: a.clamp(max=0.5),
        lambda a: np.minimum(a, 0.5),
        UNARY,
        valid=apart(0.5),
        covers=("clamp",),
    ),
    Op(
        "clamp(min, max)",
        lambda a: a.clamp(-0.5, 0.5),
        lambda a: np.clip(a, -0.5, 0.5),
        UNARY,
        valid=apart(-0.5, 0.5),
        covers=("clamp",),
    ),
    Op(
        "clamp(tensor, tensor)",
        lambda a, low, high: a.clamp(low, high),
        np.clip,
        broadcastable(3),
        domains=(distinct(), distinct(0.01, -3, -0.5), distinct(0.01, 0.5, 3)),
        covers=("clamp",),
    ),
    Op(
        "maximum",
        lambda a, b: a.maximum(b),
        np.maximum,
        broadcastable(),
        domains=(distinct(), distinct(0.01)),
        covers=("maximum",),
    ),
    Op(
        "max(other)",
        lambda a, b: a.max(b),
        np.maximum,
        broadcastable(),
        domains=(distinct(), distinct(0.01)),
        covers=("max",),
    ),
    Op(
        "minimum",
        lambda a, b: a.minimum(b),
        np.minimum,
        broadcastable(),
        domains=(distinct(), distinct(0.01)),
        covers=("minimum",),
    ),
    Op(
        "where",
        lambda a, b: autograd.where(a > 0, a, b),
        lambda a, b: np.where(a > 0, a, b),
        broadcastable(),
        domains=(NONZERO, ANY),
        covers=("where",),
    ),
    Op(
        "where(condition input)",
        lambda c, a, b: autograd.where(c > 0, a, b),
        lambda c, a, b: np.where(c > 0, a, b),
        broadcastable(3),
        covers=("where",),
    ),
    Op(
        "where(scalar)",
        lambda a: autograd.where(a > 0, a, 0.5),
        lambda a: np.where(a > 0, a, 0.5),
        UNARY,
        domains=NONZERO,
        covers=("where",),
    ),
    Op(
        "Tensor.where(condition, other)",
        lambda a, b: a.where(b > 0, b),
        lambda a, b: np.where(b > 0, a, b),
        broadcastable(),
        domains=(ANY, NONZERO),
        covers=("where",),
    ),
    # reductions
    *[
        Op(
            f"sum(dim={d}, keepdim={k})",
            lambda a, d=d, k=k: a.sum(dim=d, keepdim=k),
            lambda a, d=d, k=k: np_reduce(np.sum, a, d, k),
            shapes(min_dims=m, empty=True),
            covers=("sum",),
        )
        for d, m in ((None, 0), (-1, 0), (1, 2), ((0, -1), 2))
        for k in (False, True)
    ],
    *[
        Op(
            f"mean(dim={d}, keepdim={k})",
            lambda a, d=d, k=k: a.mean(dim=d, keepdim=k),
            lambda a, d=d, k=k: np_reduce(np.mean, a, d, k),
            shapes(min_dims=m),
            covers=("mean",),
        )
        for d, m in ((None, 0), (-1, 0), (1, 2), ((0, -1), 2))
        for k in (False, True)
    ],
    *[
        Op(
            f"var(dim={d}, keepdim={k}, correction={c})",
            lambda a, d=d, k=k, c=c: a.var(d, keepdim=k, correction=c),
            lambda a, d=d, k=k, c=c: np_reduce(np.var, a, d, k, ddof=c),
            shapes(min_dims=2, min_side=2),
            covers=("var",),
        )
        for d in (None, 1, (0, -1))
        for k in (False, True)
        for c in (0, 1)
    ],
    Op(
        "var(unbiased=False)",
        lambda a: a.var(0, unbiased=False),
        lambda a: np.var(a, axis=0),
        shapes(min_dims=1, min_side=2),
        covers=("var",),
    ),
    *[
        Op(
            f"std(dim={d}, keepdim={k}, correction={c})",
            lambda a, d=d, k=k, c=c: a.std(d, keepdim=k, correction=c),
            lambda a, d=d, k=k, c=c: np_reduce(np.std, a, d, k, ddof=c),
            shapes(min_dims=2, min_side=2),
            domains=DISTINCT,
            covers=("std",),
        )
        for d, k, c in ((None, False, 1), (None, True, 0), (1, False, 0), (1, True, 1), ((0, -1), False, 1))
    ],
    Op("max()", lambda a: a.max(), np.max, shapes(), domains=DISTINCT, covers=("max",)),
    Op("min()", lambda a: a.min(), np.min, shapes(), domains=DISTINCT, covers=("min",)),
    Op(
        "max(dim=1)",
        lambda a: a.max(dim=1),
        lambda a: np_values_indices(np.max, np.argmax, a, 1),
        shapes(min_dims=2),
        domains=DISTINCT,
        covers=("max",),
    ),
    Op(
        "max(dim=-1, keepdim=True)",
        lambda a: a.max(-1, keepdim=True),
        lambda a: np_values_indices(np.max, np.argmax, a, -1, True),
        shapes(),
        domains=DISTINCT,
        covers=("max",),
    ),
    Op(
        "min(dim=0)",
        lambda a: a.min(0),
        lambda a: np_values_indices(np.min, np.argmin, a, 0),
        shapes(),
        domains=DISTINCT,
        covers=("min",),
    ),
    Op(
        "min(dim=-1, keepdim=True)",
        lambda a: a.min(dim=-1, keepdim=True),
        lambda a: np_values_indices(np.min, np.argmin, a, -1, True),
        shapes(),
        domains=DISTINCT,
        covers=("min",),
    ),
    *[
        Op(
            f"{name}(dim={d}, keepdim={k})",
            lambda a, name=name, d=d, k=k: getattr(a, name)(dim=d, keepdim=k),
            lambda a, fn=fn, d=d, k=k: np_reduce(fn, a, d, k),
            shapes(min_dims=m),
            domains=DISTINCT,
            covers=(name,),
        )
        for name, fn in (("amax", np.max), ("amin", np.min))
        for d, m, k in ((None, 0, False), (-1, 0, True), (1, 2, False), ((0, -1), 2, True))
    ],
    Op(
        "logsumexp(dim=-1)",
        lambda a: a.logsumexp(-1),
        lambda a: np_logsumexp(a, -1),
        shapes(),
        covers=("logsumexp",),
    ),
    Op(
        "logsumexp(dim=(0, 1), keepdim=True)",
        lambda a: a.logsumexp((0, 1), keepdim=True),
        lambda a: np_logsumexp(a, (0, 1), True),
        shapes(min_dims=2),
        covers=("logsumexp",),
    ),
    Op(
        "softmax(dim=-1)", lambda a: a.softmax(-1), lambda a: np_softmax(a, -1), shapes(), covers=("softmax",)
    ),
    Op(
        "softmax(dim=1)",
        lambda a: a.softmax(dim=1),
        lambda a: np_softmax(a, 1),
        shapes(min_dims=2),
        covers=("softmax",),
    ),
    Op(
        "log_softmax(dim=-1)",
        lambda a: a.log_softmax(-1),
        lambda a: np_log_softmax(a, -1),
        shapes(),
        covers=("log_softmax",),
    ),
    Op(
        "log_softmax(dim=0)",
        lambda a: a.log_softmax(dim=0),
        lambda a: np_log_softmax(a, 0),
        shapes(min_dims=1),
        covers=("log_softmax",),
    ),
    Op(
        "sum_to_size",
        lambda a: a.sum_to_size(1, a.shape[2]),
        lambda a: np_sum_to(a, (1, a.shape[2])),
        spec("abc"),
        covers=("sum_to_size",),
    ),
    # norms (autograd/norms.py) and topk
    Op("norm()", lambda a: a.norm(), np_vector_norm, shapes(), domains=NONZERO, covers=("norm",)),
    Op("norm(function, 'fro', dim=(0, 1))", lambda a: autograd.norm(a, "fro", dim=(0, 1)),
       lambda a: np_vector_norm(a, 2, (0, 1)), shapes(min_dims=2), domains=NONZERO, covers=("norm",)),
    Op("norm(1, dim=1)", lambda a: a.norm(1, dim=1), lambda a: np_vector_norm(a, 1, 1), shapes(min_dims=2),
       domains=NONZERO, covers=("norm",)),
    Op("norm(inf, dim=-1, keepdim=True)", lambda a: a.norm(float("inf"), -1, keepdim=True),
       lambda a: np_vector_norm(a, np.inf, -1, True), shapes(), domains=distinct_magnitudes, covers=("norm",)),
    Op("norm(-inf, dim=0)", lambda a: a.norm(-math.inf, 0), lambda a: np_vector_norm(a, -np.inf, 0), shapes(),
       domains=distinct_magnitudes, covers=("norm",)),
    Op("norm(3, dim=(0, -1))", lambda a: a.norm(3, dim=(0, -1)), lambda a: np_vector_norm(a, 3, (0, -1)),
       shapes(min_dims=2), domains=NONZERO, covers=("norm",)),
    Op("norm(0.5)", lambda a: a.norm(0.5), lambda a: np_vector_norm(a, 0.5), shapes(),
       domains=away_from_zero(0.1), covers=("norm",)),
    Op("norm(-1, dim=1)", lambda a: a.norm(-1, 1), lambda a: np_vector_norm(a, -1, 1), shapes(min_dims=2),
       domains=away_from_zero(0.1), covers=("norm",)),
    Op("norm(0)", lambda a: a.norm(0), lambda a: np_vector_norm(a, 0), shapes(), domains=NONZERO, covers=("norm",)),
    Op("norm(dtype=float64)", lambda a: a.norm(dtype=autograd.float64), np_vector_norm, shapes(),
       domains=NONZERO, covers=("norm",), out_dtype32=np.float64, eps=1e-2, rtol=1e-4, atol=1e-4),
    Op("linalg.vector_norm(ord=2.5, dim=0)", lambda a: autograd.linalg.vector_norm(a, 2.5, 0),
       lambda a: np_vector_norm(a, 2.5, 0), shapes(min_dims=1), domains=NONZERO, covers=("linalg.vector_norm",)),
    Op("linalg.norm()", lambda a: autograd.linalg.norm(a), np_vector_norm, shapes(), domains=NONZERO,
       covers=("linalg.norm",)),
    Op("linalg.norm(inf) of a vector", lambda a: autograd.linalg.norm(a, math.inf),
       lambda a: np_vector_norm(a, np.inf), spec("B"), domains=distinct_magnitudes, covers=("linalg.norm",)),
    *[
        Op(f"linalg.matrix_norm({o!r})", lambda a, o=o: autograd.linalg.matrix_norm(a, o),
           lambda a, o=o: np_matrix_norm(a, o), spec("aBC"), domains=distinct_magnitudes,
           valid=sums_apart(-2 if abs(o) == 1 else -1) if o != "fro" else None, covers=("linalg.matrix_norm",))
        for o in ("fro", 1, -1, math.inf, -math.inf)
    ],
    Op("linalg.norm(1, dim=(1, 0)) of a matrix", lambda a: autograd.linalg.norm(a, 1, dim=(1, 0)),
       lambda a: np_matrix_norm(a.T, 1), spec("BC"), domains=distinct_magnitudes, valid=sums_apart(1),
       covers=("linalg.norm",)),
    Op("topk(2)", lambda a: a.topk(2), lambda a: np_topk(a, 2), spec("B") | spec("aB") | spec("abC"),
       domains=DISTINCT, covers=("topk",)),
    Op("topk(1, dim=0, largest=False)", lambda a: autograd.topk(a, 1, dim=0, largest=False),
       lambda a: np_topk(a, 1, 0, largest=False), shapes(), domains=DISTINCT, covers=("topk",)),
    Op("topk(2, dim=1, sorted=False)", lambda a: a.topk(2, dim=1, sorted=False), lambda a: np_topk(a, 2, 1),
       spec("aBc"), domains=DISTINCT, covers=("topk",)),
    # shape
    Op(
        "reshape(-1)",
        lambda a: a.reshape(-1),
        lambda a: a.reshape(-1),
        shapes(empty=True),
        covers=("reshape",),
    ),
    Op(
        "reshape(c, -1)",
        lambda a: a.reshape(a.shape[2], -1),
        lambda a: a.reshape(a.shape[2], -1),
        spec("abc"),
        covers=("reshape",),
    ),
    Op("view(-1, 1)", lambda a: a.view(-1, 1), lambda a: a.reshape(-1, 1), shapes(), covers=("view",)),
    Op(
        "view_as",
        lambda a: a.view_as(autograd.zeros(a.numel())),
        lambda a: a.reshape(a.size),
        spec("ab"),
        covers=("view_as",),
    ),
    Op(
        "reshape_as",
        lambda a: a.reshape_as(autograd.zeros(a.shape[1], a.shape[0])),
        lambda a: a.reshape(a.shape[1], a.shape[0]),
        spec("ab"),
        covers=("reshape_as",),
    ),
    Op(
        "permute",
        lambda a: a.permute(2, 0, 1),
        lambda a: a.transpose(2, 0, 1),
        spec("abc"),
        covers=("permute",),
    ),
    Op("permute(negative)", lambda a: a.permute(-1, 0), lambda a: a.T, spec("ab"), covers=("permute",)),
    Op(
        "transpose(0, -1)",
        lambda a: a.transpose(0, -1),
        lambda a: np.swapaxes(a, 0, -1),
        shapes(min_dims=1),
        covers=("transpose",),
    ),
    Op("T", lambda a: a.T, lambda a: a.T, shapes(), covers=("T",)),
    Op("mT", lambda a: a.mT, lambda a: np.swapaxes(a, -1, -2), shapes(min_dims=2), covers=("mT",)),
    Op("t", lambda a: a.t(), lambda a: a.T, shapes(max_dims=2), covers=("t",)),
    Op("unsqueeze(0)", lambda a: a.unsqueeze(0), lambda a: a[None], shapes(), covers=("unsqueeze",)),
    Op("unsqueeze(-1)", lambda a: a.unsqueeze(-1), lambda a: a[..., None], shapes(), covers=("unsqueeze",)),
    Op("squeeze()", lambda a: a.squeeze(), np.squeeze, shapes(max_side=2), covers=("squeeze",)),
    Op(
        "squeeze(1)",
        lambda a: a.squeeze(1),
        lambda a: np.squeeze(a, 1) if a.shape[1] == 1 else a,
        spec("a1b") | spec("abc"),
        covers=("squeeze",),
    ),
    Op(
        "squeeze((0, 2))",
        lambda a: a.squeeze((0, 2)),
        lambda a: a.reshape(a.shape[1]),
        spec("1a1"),
        covers=("squeeze",),
    ),
    Op(
        "expand",
        lambda a: a.expand(2, a.shape[0], 3, a.shape[2]),
        lambda a: np.broadcast_to(a, (2, a.shape[0], 3, a.shape[2])),
        spec("a1c"),
        covers=("expand",),
    ),
    Op(
        "expand(-1)",
        lambda a: a.expand(-1, 4, -1),
        lambda a: np.broadcast_to(a, (a.shape[0], 4, a.shape[2])),
        spec("a1c"),
        covers=("expand",),
    ),
    Op(
        "expand(0-d)",
        lambda a: a.expand(3, 2),
        lambda a: np.broadcast_to(a, (3, 2)),
        spec(""),
        covers=("expand",),
    ),
    Op(
        "expand_as",
        lambda a: a.expand_as(autograd.zeros(3, *a.shape)),
        lambda a: np.broadcast_to(a, (3, *a.shape)),
        shapes(),
        covers=("expand_as",),
    ),
    Op(
        "repeat", lambda a: a.repeat(2, 1, 3), lambda a: np.tile(a, (2, 1, 3)), spec("ab"), covers=("repeat",)
    ),
    Op("flatten()", lambda a: a.flatten(), lambda a: a.reshape(-1), shapes(), covers=("flatten",)),
    Op(
        "flatten(1)",
        lambda a: a.flatten(1),
        lambda a: a.reshape(a.shape[0], -1),
        spec("abc"),
        covers=("flatten",),
    ),
    Op(
        "flatten(0, 1)",
        lambda a: a.flatten(0, 1),
        lambda a: a.reshape(-1, a.shape[2]),
        spec("abc"),
        covers=("flatten",),
    ),
    Op(
        "unflatten",
        lambda a: a.unflatten(1, (2, -1)),
        lambda a: a.reshape(a.shape[0], 2, 2, a.shape[2]),
        spec("a4b"),
        covers=("unflatten",),
    ),
    Op(
        "split(2, dim=1)",
        lambda a: a.split(2, dim=1),
        lambda a: np_split(a, 2, 1),
        spec("abc"),
        covers=("split",),
    ),
    Op(
        "split([1, 2])",
        lambda a: a.split([1, 2]),
        lambda a: np_split(a, [1, 2], 0),
        spec("3b"),
        covers=("split",),
    ),
    Op(
        "chunk(2, dim=-1)",
        lambda a: a.chunk(2, -1),
        lambda a: np_chunk(a, 2, -1),
        spec("ab"),
        covers=("chunk",),
    ),
    # indexing
    Op(
        "getitem[1:, ::2]",
        same((slice(1, None), slice(None, None, 2))),
        same((slice(1, None), slice(None, None, 2))),
        spec("Bc"),
        covers=("__getitem__",),
    ),
    Op("getitem[0]", same(0), same(0), shapes(min_dims=1), covers=("__getitem__",)),
    Op(
        "getitem[None, ..., -1]",
        same((None, Ellipsis, -1)),
        same((None, Ellipsis, -1)),
        shapes(min_dims=1),
        covers=("__getitem__",),
    ),
    Op(
        "getitem[-1, :, None]",
        same((-1, slice(None), None)),
        same((-1, slice(None), None)),
        spec("ab"),
        covers=("__getitem__",),
    ),
    Op(
        "getitem[[0, 0, 1]]",
        lambda a: a[[0, 0, 1]],
        lambda a: a[[0, 0, 1]],
        spec("Bc"),
        covers=("__getitem__",),
    ),
    Op(
        "getitem[array([1, 0, 1, 1])]",
        same(np.array([1, 0, 1, 1])),
        same(np.array([1, 0, 1, 1])),
        spec("Bcd"),
        covers=("__getitem__",),
    ),
    Op(
        "getitem[:, [1, 1, 0]]",
        lambda a: a[:, [1, 1, 0]],
        lambda a: a[:, [1, 1, 0]],
        spec("aB"),
        covers=("__getitem__",),
    ),
    Op(
        "getitem[[0, 1, 0], [1, 1, 1]]",
        lambda a: a[[0, 1, 0], [1, 1, 1]],
        lambda a: a[[0, 1, 0], [1, 1, 1]],
        spec("BBc"),
        covers=("__getitem__",),
    ),
    Op(
        "getitem[1, [0, 0]]",
        lambda a: a[1, [0, 0]],
        lambda a: a[1, [0, 0]],
        spec("BB"),
        covers=("__getitem__",),
    ),
    Op(
        "getitem[tensor([0, 0])]",
        lambda a: a[autograd.tensor([0, 0])],
        lambda a: a[np.array([0, 0])],
        spec("ab"),
        covers=("__getitem__",),
    ),
    Op(
        "index_select(0, [1, 0, 1])",
        lambda a: a.index_select(0, autograd.tensor([1, 0, 1])),
        lambda a: a[[1, 0, 1]],
        spec("Bc"),
        covers=("index_select",),
    ),
    Op(
        "index_select(-1, [0, 0])",
        lambda a: a.index_select(-1, [0, 0]),
        lambda a: a[..., [0, 0]],
        shapes(min_dims=1),
        covers=("index_select",),
    ),
    Op(
        "gather(1, index)",
        lambda a: a.gather(1, _gather_index(a.shape)),
        lambda a: np_gather(a, 1, _gather_index(a.shape)),
        spec("aBc"),
        covers=("gather",),
    ),
    Op(
        "gather(-1, index)",
        lambda a: a.gather(-1, autograd.tensor(_gather_index(a.shape, -1))),
        lambda a: np_gather(a, -1, _gather_index(a.shape, -1)),
        spec("aB"),
        covers=("gather",),
    ),
    Op(
        "scatter(1, index, src)",
        lambda a, b: a.scatter(1, _scatter_index(a.shape), b),
        lambda a, b: np_scatter(a, 1, _scatter_index(a.shape), b),
        spec("aBc,aBc"),
        covers=("scatter",),
    ),
    Op(
        "scatter(-1, index, value)",
        lambda a: autograd.scatter(a, -1, autograd.tensor(_scatter_index(a.shape, -1)), value=2.5),
        lambda a: np_scatter(a, a.ndim - 1, _scatter_index(a.shape, -1), 2.5),
        spec("aB"),
        covers=("scatter",),
    ),
    Op(
        "scatter_(0, index, src)",
        lambda a, b: a.clone().scatter_(0, _scatter_index(a.shape, 0), b),
        lambda a, b: np_scatter(a, 0, _scatter_index(a.shape, 0), b),
        spec("Ab,Ab"),
        covers=("scatter_",),
    ),
    Op(
        "getitem[mask]",
        lambda a: a[a > 0],
        lambda a: a[a > 0],
        shapes(),
        domains=NONZERO,
        covers=("__getitem__",),
    ),
    Op(
        "getitem[fixed mask]",
        same(np.array([True, False, True])),
        same(np.array([True, False, True])),
        spec("3b"),
        covers=("__getitem__",),
    ),
    Op(
        "getitem[:, tensor mask]",
        lambda a: a[:, autograd.tensor([False, True])],
        lambda a: a[:, [False, True]],
        spec("a2"),
        covers=("__getitem__",),
    ),
    # joining and padding
    Op(
        "cat(dim=0)",
        lambda a, b: autograd.cat([a, b]),
        lambda a, b: np.concatenate([a, b]),
        spec("ab,cb"),
        covers=("cat",),
    ),
    Op(
        "cat(dim=1)",
        lambda a, b: autograd.cat([a, b], dim=1),
        lambda a, b: np.concatenate([a, b], 1),
        spec("abc,adc"),
        covers=("cat",),
    ),
    Op(
        "cat(dim=-1, 3 inputs)",
        lambda a, b, c: autograd.cat((a, b, c), -1),
        lambda a, b, c: np.concatenate([a, b, c], -1),
        spec("ab,ac,ad"),
        covers=("cat",),
    ),
    Op(
        "stack(dim=0)",
        lambda a, b: autograd.stack([a, b]),
        lambda a, b: np.stack([a, b]),
        shapes(2),
        covers=("stack",),
    ),
    Op(
        "stack(dim=-1, 3 inputs)",
        lambda a, b, c: autograd.stack([a, b, c], dim=-1),
        lambda a, b, c: np.stack([a, b, c], -1),
        shapes(3),
        covers=("stack",),
    ),
    Op(
        "pad(1, 2)",
        lambda a: autograd.pad(a, (1, 2)),
        lambda a: np_pad(a, (1, 2)),
        shapes(min_dims=1),
        covers=("pad",),
    ),
    Op(
        "pad(1, -1, -1, 2)",
        lambda a: autograd.pad(a, (1, -1, -1, 2)),
        lambda a: np_pad(a, (1, -1, -1, 2)),
        spec("aBC"),
        covers=("pad",),
    ),
    Op(
        "pad(-1, -1, value)",
        lambda a: autograd.pad(a, (-1, -1, 0, 1), value=1.5),
        lambda a: np_pad(a, (-1, -1, 0, 1), 1.5),
        spec("a4"),
        covers=("pad",),
    ),
    Op("pad(2, 1) reflect", lambda a: autograd.pad(a, (2, 1), mode="reflect"),
       lambda a: np_pad_mode(a, (2, 1), "reflect"), st.sampled_from([((1, 2, 4),), ((2, 5),)]), covers=("pad",)),
    Op("pad(1, 2, 2, 0) reflect", lambda a: autograd.pad(a, (1, 2, 2, 0), mode="reflect"),
       lambda a: np_pad_mode(a, (1, 2, 2, 0), "reflect"), st.sampled_from([((1, 2, 3, 4),), ((2, 3, 3),)]), covers=("pad",)),
    Op("pad(1, 1, 1, -1, 1, 0) reflect", lambda a: autograd.pad(a, (1, 1, 1, -1, 1, 0), mode="reflect"),
       lambda a: np_pad_mode(a, (1, 1, 1, -1, 1, 0), "reflect"), st.sampled_from([((1, 1, 2, 3, 2),), ((2, 3, 2, 3),)]), covers=("pad",)),
    Op("pad(3, -1) replicate", lambda a: autograd.pad(a, (3, -1), mode="replicate"),
       lambda a: np_pad_mode(a, (3, -1), "replicate"), st.sampled_from([((1, 2, 4),), ((2, 1),)]), covers=("pad",)),
    Op("pad(1, 0, 2, 1, 0, 2) replicate", lambda a: autograd.pad(a, (1, 0, 2, 1, 0, 2), mode="replicate"),
       lambda a: np_pad_mode(a, (1, 0, 2, 1, 0, 2), "replicate"), st.sampled_from([((1, 1, 2, 3, 2),), ((2, 1, 3, 1),)]), covers=("pad",)),
    Op("pad(2, 1) circular", lambda a: autograd.pad(a, (2, 1), mode="circular"),
       lambda a: np_pad_mode(a, (2, 1), "circular"), st.sampled_from([((1, 2, 3),), ((2, 4),)]), covers=("pad",)),
    Op("pad(1, 2, -1, 1) circular", lambda a: autograd.pad(a, (1, 2, -1, 1), mode="circular"),
       lambda a: np_pad_mode(a, (1, 2, -1, 1), "circular"), st.sampled_from([((1, 2, 3, 4),), ((2, 3, 2),)]), covers=("pad",)),
    Op("pad(1, 1, 0, 2, 1, 0) circular", lambda a: autograd.pad(a, (1, 1, 0, 2, 1, 0), mode="circular"),
       lambda a: np_pad_mode(a, (1, 1, 0, 2, 1, 0), "circular"), st.sampled_from([((1, 1, 2, 3, 2),), ((2, 2, 2, 3),)]), covers=("pad",)),
    # matrix products
    *[
        Op(f"matmul {text}", lambda a, b: a @ b, np.matmul, spec(text), covers=("__matmul__",))
        for text in ("k,k", "k,kn", "mk,k", "mk,kn", "bmk,bkn", "a1mk,bkn", "k,bkn", "bmk,k", "mk,bkn")
    ],
    Op("matmul(function)", lambda a, b: autograd.matmul(a, b), np.matmul, spec("mk,kn"), covers=("matmul",)),
    *[
        Op(f"linear {text}", lambda x, w, b: Linear.apply(x, w, b), lambda x, w, b: x @ w.T + b, spec(text),
           covers=("F.linear",))
        for text in ("k,nk,n", "mk,nk,n", "bmk,nk,n")
    ],
    Op("linear without bias", lambda x, w: Linear.apply(x, w), lambda x, w: x @ w.T, spec("mk,nk"),
       covers=("F.linear",)),
    Op("mm", lambda a, b: autograd.mm(a, b), np.matmul, spec("mk,kn"), covers=("mm",)),
    Op("Tensor.mm", lambda a, b: a.mm(b), np.matmul, spec("mk,kn"), covers=("mm",)),
    Op("bmm", lambda a, b: a.bmm(b), np.matmul, spec("bmk,bkn"), covers=("bmm",)),
    Op("addmm(beta=0.5, alpha=2)", lambda c, a, b: autograd.addmm(c, a, b, beta=0.5, alpha=2),
       lambda c, a, b: 0.5 * c + 2 * (a @ b), spec("n,mk,kn"), covers=("addmm",)),
    Op("Tensor.addmm", lambda c, a, b: c.addmm(a, b), lambda c, a, b: c + a @ b, spec("mn,mk,kn") | spec("1n,mk,kn"),
       covers=("addmm",)),
    Op("addmm(beta=0)", lambda c, a, b: autograd.addmm(c, a, b, beta=0), lambda c, a, b: a @ b + 0 * c,
       spec("m1,mk,kn"), covers=("addmm",)),
    # copies and casts
    Op("clone", lambda a: a.clone(), np.copy, shapes(), covers=("clone",)),
    Op(
        "to(float32)",
        lambda a: a.to(autograd.float32),
        lambda a: a.astype(np.float32),
        shapes(),
        covers=("to",),
        eps=1e-2,
        rtol=1e-4,
        atol=1e-4,
    ),
    Op(
        "float().double()",
        lambda a: a.float().double(),
        lambda a: a.astype(np.float32).astype(np.float64),
        shapes(),
        covers=("float", "double"),
        out_dtype32=np.float64,
        eps=1e-2,
        rtol=1e-4,
        atol=1e-4,
    ),
    # in-place ops, on a clone (in-place on a leaf that requires grad is an error)
    Op("add_", lambda a, b: a.clone().add_(b), np.add, INTO, covers=("add_",)),
    Op(
        "sub_(alpha=2)",
        lambda a, b: a.clone().sub_(b, alpha=2),
        lambda a, b: a - 2 * b,
        INTO,
        covers=("sub_",),
    ),
    Op("mul_", lambda a, b: a.clone().mul_(b), np.multiply, INTO, covers=("mul_",)),
    Op("div_", lambda a, b: a.clone().div_(b), np.divide, INTO, domains=(ANY, NONZERO), covers=("div_",)),
    Op(
        "pow_(tensor)",
        lambda a, b: a.clone().pow_(b),
        np.power,
        INTO,
        domains=(POSITIVE, uniform(-2, 2)),
        covers=("pow_",),
    ),
    Op("pow_(2)", lambda a: a.clone().pow_(2), np.square, UNARY, covers=("pow_",)),
    Op("iadd", _iadd, np.add, INTO, covers=("__iadd__",)),
    Op("isub", _isub, np.subtract, INTO, covers=("__isub__",)),
    Op("imul", _imul, np.multiply, INTO, covers=("__imul__",)),
    Op("itruediv", _itruediv, np.divide, INTO, domains=(ANY, NONZERO), covers=("__itruediv__",)),
    Op("neg_", lambda a: a.clone().neg_(), np.negative, UNARY, covers=("neg_",)),
    Op("exp_", lambda a: a.clone().exp_(), np.exp, UNARY, covers=("exp_",)),
    Op("log_", lambda a: a.clone().log_(), np.log, UNARY, domains=POSITIVE, covers=("log_",)),
    Op("sqrt_", lambda a: a.clone().sqrt_(), np.sqrt, UNARY, domains=POSITIVE, covers=("sqrt_",)),
    Op("abs_", lambda a: a.clone().abs_(), np.abs, UNARY, domains=NONZERO, covers=("abs_",)),
    Op("tanh_", lambda a: a.clone().tanh_(), np.tanh, UNARY, covers=("tanh_",)),
    Op(
        "sigmoid_",
        lambda a: a.clone().sigmoid_(),
        lambda a: 1 / (1 + np.exp(-a)),
        UNARY,
        covers=("sigmoid_",),
    ),
    Op(
        "relu_",
        lambda a: a.clone().relu_(),
        lambda a: np.maximum(a, 0),
        UNARY,
        domains=NONZERO,
        covers=("relu_",),
    ),
    Op(
        "clamp_",
        lambda a: a.clone().clamp_(-0.5, 0.5),
        lambda a: np.clip(a, -0.5, 0.5),
        UNARY,
        valid=apart(-0.5, 0.5),
        covers=("clamp_",),
    ),
    Op("zero_", lambda a: a.clone().zero_(), np.zeros_like, UNARY, covers=("zero_",)),
    Op(
        "fill_(tensor)",
        lambda a, v: a.clone().fill_(v),
        lambda a, v: np.full_like(a, v),
        shapes().map(lambda s: (s[0], ())),
        covers=("fill_",),
    ),
    Op(
        "copy_",
        lambda a, b: a.clone().copy_(b),
        lambda a, b: np.broadcast_to(b, a.shape).copy(),
        INTO,
        covers=("copy_",),
    ),
    Op(
        "setitem[1:, 0] = 0-d",
        _setitem((slice(1, None), 0)),
        _setitem((slice(1, None), 0)),
        spec("Bc,"),
        covers=("__setitem__",),
    ),
    Op(
        "setitem[:, [0, 2]]",
        _setitem((slice(None), [0, 2])),
        _setitem((slice(None), [0, 2])),
        spec("a3,a2"),
        covers=("__setitem__",),
    ),
    Op(
        "setitem[mask]",
        _setitem(np.array([True, False, True])),
        _setitem(np.array([True, False, True])),
        spec("3b,b"),
        covers=("__setitem__",),
    ),
    # convolution and pooling (autograd/conv.py, autograd/pooling.py; nn.functional hands them on)
    Op("conv2d", lambda x, w, b: conv.conv2d(x, w, b), np_conv2d, CONV_SHAPES, covers=("F.conv2d",)),
    Op("conv2d(stride=2, padding=1, dilation=1)", lambda x, w, b: conv.conv2d(x, w, b, stride=2, padding=1),
       lambda x, w, b: np_conv2d(x, w, b, stride=2, padding=1), CONV_SHAPES, covers=("F.conv2d",)),
    Op("conv2d(dilation=2, padding=2)", lambda x, w, b: conv.conv2d(x, w, b, padding=2, dilation=2),
       lambda x, w, b: np_conv2d(x, w, b, padding=2, dilation=2), CONV_SHAPES, covers=("F.conv2d",)),
    Op("conv2d(groups=2)", lambda x, w: conv.conv2d(x, w, groups=2),
       lambda x, w: np_conv2d(x, w, groups=2), GROUP_SHAPES, covers=("F.conv2d",)),
    Op("conv1d", lambda x, w, b: conv.conv1d(x, w, b, padding=1),
       lambda x, w, b: np_conv2d(np.pad(x, ((0, 0), (0, 0), (1, 1)))[:, :, None], w[:, :, None], b)[:, :, 0],
       st.sampled_from([((2, 2, 5), (3, 2, 3), (3,))]), covers=("F.conv1d",)),
    Op("conv_transpose2d(stride=2, padding=1, output_padding=1)",
       lambda x, w, b: conv.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
       lambda x, w, b: np_conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
       st.sampled_from([((1, 2, 3, 3), (2, 3, 3, 3), (3,))]), covers=("F.conv_transpose2d",)),
    Op("max_pool2d(2)", lambda x: pooling.max_pool2d(x, 2), lambda x: np_pool2d(x, 2), POOL_SHAPES,
       domains=DISTINCT, covers=("F.max_pool2d",)),
    Op("max_pool2d(3, stride=1, padding=1)", lambda x: pooling.max_pool2d(x, 3, stride=1, padding=1),
       lambda x: np_pool2d(x, 3, 1, 1), POOL_SHAPES, domains=DISTINCT, covers=("F.max_pool2d",)),
    Op("avg_pool2d(2)", lambda x: pooling.avg_pool2d(x, 2), lambda x: np_pool2d(x, 2, kind="avg"), POOL_SHAPES,
       covers=("F.avg_pool2d",)),
    Op("avg_pool2d(3, stride=2, padding=1)", lambda x: pooling.avg_pool2d(x, 3, stride=2, padding=1),
       lambda x: np_pool2d(x, 3, 2, 1, kind="avg"), POOL_SHAPES, covers=("F.avg_pool2d",)),
    Op("adaptive_avg_pool2d(1)", lambda x: pooling.adaptive_avg_pool2d(x, 1),
       lambda x: x.mean(axis=(2, 3), keepdims=True), POOL_SHAPES, covers=("F.adaptive_avg_pool2d",)),
    Op("conv_transpose2d(stride=1)", lambda x, w, b: conv.conv_transpose2d(x, w, b), np_conv_transpose2d,
       st.sampled_from([((1, 1, 2, 3), (1, 2, 2, 2), (2,)), ((2, 2, 3, 3), (2, 3, 3, 2), (3,))]),
       covers=("F.conv_transpose2d",)),
    Op("conv2d(padding='same', kernel 2x4)", lambda x, w, b: conv.conv2d(x, w, b, padding="same"),
       lambda x, w, b: np_conv2d(np.pad(x, ((0, 0), (0, 0), (0, 1), (1, 2))), w, b),  # the odd pad goes last
       st.sampled_from([((1, 1, 3, 4), (2, 1, 2, 4), (2,)), ((1, 2, 4, 5), (2, 2, 2, 4), (2,))]),
       covers=("F.conv2d",)),
    Op("conv1d(groups=2)", lambda x, w, b: conv.conv1d(x, w, b, groups=2),
       lambda x, w, b: _conv1d_ref(x, w, b, groups=2),
       st.sampled_from([((1, 2, 4), (2, 1, 2), (2,)), ((2, 4, 5), (4, 2, 3), (4,))]), covers=("F.conv1d",)),
    Op("conv_transpose1d(stride=2)", lambda x, w, b: conv.conv_transpose1d(x, w, b, stride=2),
       lambda x, w, b: np_conv_transpose2d(x[:, :, None], w[:, :, None], b, stride=2)[:, :, 0],
       st.sampled_from([((1, 1, 3), (1, 2, 2), (2,)), ((2, 2, 4), (2, 3, 3), (3,))]),
       covers=("F.conv_transpose1d",)),
    Op("max_pool2d(2, stride=1, padding=1, dilation=2)",
       lambda x: pooling.max_pool2d(x, 2, stride=1, padding=1, dilation=2),
       lambda x: np_pool(x, 2, 1, 1, dilation=2), SMALL_POOL_SHAPES, domains=DISTINCT, covers=("F.max_pool2d",)),
    Op("max_pool2d(2, ceil_mode=True)", lambda x: pooling.max_pool2d(x, 2, ceil_mode=True),
       lambda x: np_pool(x, 2, ceil_mode=True), SMALL_POOL_SHAPES, domains=DISTINCT, covers=("F.max_pool2d",)),
    Op("avg_pool2d(2, ceil_mode=True)", lambda x: pooling.avg_pool2d(x, 2, ceil_mode=True),
       lambda x: np_pool(x, 2, ceil_mode=True, kind="avg"), SMALL_POOL_SHAPES, covers=("F.avg_pool2d",)),
    Op("avg_pool2d(3, 2, 1, count_include_pad=False)",
       lambda x: pooling.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
       lambda x: np_pool(x, 3, 2, 1, kind="avg", count_include_pad=False), SMALL_POOL_SHAPES,
       covers=("F.avg_pool2d",)),
    Op("max_pool1d(3, stride=2, padding=1)", lambda x: pooling.max_pool1d(x, 3, stride=2, padding=1),
       lambda x: np_pool(x[:, :, None], (1, 3), (1, 2), (0, 1))[:, :, 0], POOL1D_SHAPES, domains=DISTINCT,
       covers=("F.max_pool1d",)),
    Op("avg_pool1d(3, stride=2, padding=1)", lambda x: pooling.avg_pool1d(x, 3, stride=2, padding=1),
       lambda x: np_pool(x[:, :, None], (1, 3), (1, 2), (0, 1), kind="avg")[:, :, 0], POOL1D_SHAPES,
       covers=("F.avg_pool1d",)),
    Op("adaptive_avg_pool2d((3, 2))", lambda x: pooling.adaptive_avg_pool2d(x, (3, 2)),
       lambda x: np_adaptive_avg_pool2d(x, (3, 2)), st.sampled_from([((1, 1, 4, 3),), ((2, 2, 5, 5),)]),
       covers=("F.adaptive_avg_pool2d",)),
    Op("adaptive_avg_pool1d(3)", lambda x: pooling.adaptive_avg_pool1d(x, 3),
       lambda x: np_adaptive_avg_pool2d(x[:, :, None], (1, 3))[:, :, 0], POOL1D_SHAPES,
       covers=("F.adaptive_avg_pool1d",)),
    Op("interpolate(scale_factor=2)", lambda x: _F().interpolate(x, scale_factor=2),
       lambda x: np_nearest(x, (2 * x.shape[2], 2 * x.shape[3])),
       st.sampled_from([((1, 1, 2, 2),), ((2, 2, 3, 2),)]), covers=("F.interpolate",)),
    Op("interpolate(size=(5, 3))", lambda x: _F().interpolate(x, size=(5, 3)), lambda x: np_nearest(x, (5, 3)),
       st.sampled_from([((1, 1, 3, 2),), ((2, 2, 4, 4),)]), covers=("F.interpolate",)),
    Op("adaptive_max_pool2d((2, 3))", lambda x: pooling.adaptive_max_pool2d(x, (2, 3)),
       lambda x: np_adaptive_max_pool2d(x, (2, 3))[0], st.sampled_from([((1, 1, 4, 5),), ((2, 2, 5, 5),)]),
       domains=DISTINCT, covers=("F.adaptive_max_pool2d",)),
    Op("adaptive_max_pool2d(3, return_indices=True)", lambda x: pooling.adaptive_max_pool2d(x, 3, True),
       lambda x: np_adaptive_max_pool2d(x, (3, 3)), st.sampled_from([((1, 2, 4, 4),), ((2, 1, 5, 7),)]),
       domains=DISTINCT, covers=("F.adaptive_max_pool2d",)),
    Op("adaptive_max_pool1d(3) unbatched", lambda x: pooling.adaptive_max_pool1d(x, 3),
       lambda x: np_adaptive_max_pool2d(x[None, :, None], (1, 3))[0][0, :, 0], st.sampled_from([((2, 5),), ((1, 7),)]),
       domains=DISTINCT, covers=("F.adaptive_max_pool1d",)),
    Op("interpolate(bilinear, size=(5, 3))", lambda x: _F().interpolate(x, size=(5, 3), mode="bilinear"),
       lambda x: np_linear_resize(x, (5, 3)), st.sampled_from([((1, 1, 3, 2),), ((2, 2, 4, 4),)]),
       covers=("F.interpolate",)),
    Op("interpolate(bilinear, scale_factor=1.5, align_corners=True)",
       lambda x: _F().interpolate(x, scale_factor=1.5, mode="bilinear", align_corners=True),
       lambda x: np_linear_resize(x, (x.shape[2] * 3 // 2, x.shape[3] * 3 // 2), True),
       st.sampled_from([((1, 1, 2, 3),), ((2, 1, 4, 4),)]), covers=("F.interpolate",)),
    Op("interpolate(bilinear, scale_factor=(0.5, 2.5))",
       lambda x: _F().interpolate(x, scale_factor=(0.5, 2.5), mode="bilinear"),
       lambda x: np_linear_resize(x, (x.shape[2] // 2, x.shape[3] * 5 // 2), scales=(0.5, 2.5)),
       st.sampled_from([((1, 1, 4, 2),), ((2, 1, 5, 3),)]), covers=("F.interpolate",)),
    Op("interpolate(linear, size=7)", lambda x: _F().interpolate(x, size=7, mode="linear"),
       lambda x: np_linear_resize(x, (7,)), POOL1D_SHAPES, covers=("F.interpolate",)),
    Op("interpolate(trilinear, size=(3, 2, 4), align_corners=True)",
       lambda x: _F().interpolate(x, size=(3, 2, 4), mode="trilinear", align_corners=True),
       lambda x: np_linear_resize(x, (3, 2, 4), True), st.sampled_from([((1, 1, 2, 3, 2),)]),
       covers=("F.interpolate",)),
]


def _weights(b):
    """A fixed matrix for `ndarray @ Tensor`, of b's dtype."""
    return np.linspace(-1.0, 1.0, 3 * b.shape[0]).reshape(3, b.shape[0]).astype(b.dtype)

