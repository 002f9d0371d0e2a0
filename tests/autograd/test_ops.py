"""Property tests of every differentiable Tensor op, generated from one table.

Each row of `OPS` describes an op: a function on Tensors, the NumPy function that
computes the same forward on arrays, the shapes of its inputs (one per input) and
the domain their values are drawn from. From every row three tests check, on
inputs drawn by Hypothesis:

- `test_forward_matches_numpy`: the forward equals NumPy's (float64), and
  float32 inputs stay float32 (outputs and gradients);
- `test_gradient_matches_central_differences`: the gradient, for a random
  non-uniform upstream gradient, equals the vector-Jacobian product by central
  differences, for every input; and hygiene: inputs and the upstream gradient are
  not mutated, and no gradient shares memory (with another, the inputs or the
  upstream) or is read-only;
- `test_second_order`: with `create_graph=True`, the gradient of
  `sum(grads * v)` equals the central differences of the first derivative.

Adding an op means adding a row; `test_table_is_complete` fails until it is added.
"""

from __future__ import annotations

import inspect
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import assume, given

import autograd
from autograd import Tensor
from tests.autograd.numerical import assert_close, numerical_directional_derivative, numerical_vjp

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


def apart(*bounds):
    """A `valid` check: every element at least 1e-2 from the given bounds."""
    return lambda x: all(np.all(np.abs(x - b) >= 1e-2) for b in bounds)


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


def same(index):
    """The same indexing on Tensors and on arrays."""
    return lambda a: a[index]


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
    # matrix products
    *[
        Op(f"matmul {text}", lambda a, b: a @ b, np.matmul, spec(text), covers=("__matmul__",))
        for text in ("k,k", "k,kn", "mk,k", "mk,kn", "bmk,bkn", "a1mk,bkn", "k,bkn", "bmk,k", "mk,bkn")
    ],
    Op("matmul(function)", lambda a, b: autograd.matmul(a, b), np.matmul, spec("mk,kn"), covers=("matmul",)),
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
]


def _weights(b):
    """A fixed matrix for `ndarray @ Tensor`, of b's dtype."""
    return np.linspace(-1.0, 1.0, 3 * b.shape[0]).reshape(3, b.shape[0]).astype(b.dtype)


# --- drawing inputs and running an op ------------------------------------------------------


def draw_inputs(data, row, dtype=np.float64):
    """The inputs of one example, and the generator that drew them (for the upstream
    gradient and the directions): one Hypothesis draw of (shapes, seed)."""
    input_shapes, seed = data.draw(row.draws, label="shapes and seed")
    rng = np.random.default_rng(seed)
    domains = row.domains if isinstance(row.domains, tuple) else (row.domains,) * len(input_shapes)
    arrays = [np.asarray(domain(rng, shape), dtype=dtype) for domain, shape in zip(domains, input_shapes)]
    if row.valid is not None:
        assume(row.valid(*arrays))
    return arrays, rng


def random_like(rng, arrays):
    """Random non-uniform arrays of the given shapes: |values| in [0.5, 1.5], random signs."""
    return [np.asarray(away_from_zero(0.5, 1.5)(rng, np.shape(a))) for a in arrays]


def as_tuple(out):
    return tuple(out) if isinstance(out, tuple) else (out,)


def float_outputs(outs):
    return [o for o in outs if np.asarray(o).dtype.kind == "f"]


def run_backward(outs, upstream, create_graph=False):
    """out.backward(gradient=g) for the one float output, or the sum of
    (out * g).sum() for several."""
    if len(outs) == 1:
        outs[0].backward(gradient=upstream[0], create_graph=create_graph)
    else:
        sum((o * g).sum() for o, g in zip(outs, upstream)).backward(create_graph=create_graph)


def grads_of(tensors):
    """The `.grad` of each input as an array, zeros where no gradient reached it."""
    return [np.zeros(t.shape) if t.grad is None else t.grad.data for t in tensors]


def first_derivative(row, upstream):
    """inputs -> the gradients of sum(upstream * row.fn(*inputs)), by backprop in float64."""

    def gradients(*arrays):
        xs = [autograd.tensor(a, requires_grad=True) for a in arrays]
        run_backward(float_outputs(as_tuple(row.fn(*xs))), [autograd.tensor(g) for g in upstream])
        return grads_of(xs)

    return gradients


def params(ops):
    return [pytest.param(row, id=row.name) for row in ops]


# --- the checks, one per property ------------------------------------------------------------


def check_forward(row, arrays, rng):
    """The forward equals NumPy's in float64; float32 inputs give float32 outputs
    (close to the float64 ones) and float32 gradients."""
    outs = as_tuple(row.fn(*[autograd.tensor(a) for a in arrays]))
    expected = as_tuple(row.ref(*arrays))
    assert len(outs) == len(expected)
    for out, ref in zip(outs, expected):
        ref = np.asarray(ref)
        assert isinstance(out, Tensor)
        assert out.dtype == ref.dtype, f"{row.name}: dtype {out.dtype}, NumPy gives {ref.dtype}"
        assert_close(out.data, ref, rtol=1e-10, atol=1e-12, what=row.name)

    arrays = [a.astype(np.float32) for a in arrays]
    xs = [autograd.tensor(a, requires_grad=True) for a in arrays]
    outs = as_tuple(row.fn(*xs))
    expected = as_tuple(row.ref(*[a.astype(np.float64) for a in arrays]))
    for out, ref in zip(outs, expected):
        if np.asarray(ref).dtype.kind == "f":
            assert out.dtype == row.out_dtype32, f"{row.name}: float32 inputs give {out.dtype}"
            assert_close(out.data, ref, rtol=1e-4, atol=1e-5, what=f"{row.name} in float32")
    outs = float_outputs(outs)
    run_backward(outs, [autograd.tensor(g.astype(o.dtype)) for o, g in zip(outs, random_like(rng, outs))])
    for x in xs:
        if x.grad is not None:
            assert x.grad.dtype == np.float32, f"{row.name}: a float32 input got a {x.grad.dtype} gradient"
            assert x.grad.shape == x.shape


def check_gradient(row, arrays, rng):
    """The vector-Jacobian product for a random upstream gradient equals central
    differences of the NumPy reference, for every input; and hygiene: the op and its
    backward leave the inputs and the upstream gradient untouched, and every `.grad`
    is a writeable buffer of its own."""
    inputs_before = [a.copy() for a in arrays]
    xs = [autograd.from_numpy(a).requires_grad_() for a in arrays]  # shares memory with `arrays`
    outs = float_outputs(as_tuple(row.fn(*xs)))
    upstream = random_like(rng, outs)
    upstream_before = [g.copy() for g in upstream]
    run_backward(outs, [autograd.from_numpy(g) for g in upstream])

    for x, a, before in zip(xs, arrays, inputs_before):
        assert x.data is a
        np.testing.assert_array_equal(a, before, err_msg=f"{row.name} mutated an input")
    for g, before in zip(upstream, upstream_before):
        np.testing.assert_array_equal(g, before, err_msg=f"{row.name} mutated the upstream gradient")
    grads = [x.grad.data for x in xs if x.grad is not None]
    for i, grad in enumerate(grads):
        assert grad.flags.writeable, f"{row.name}: a .grad is read-only"
        for other in grads[i + 1 :] + arrays + upstream:
            assert not np.shares_memory(grad, other), f"{row.name}: a .grad shares memory"

    def forward(*inputs):
        return np.concatenate([np.ravel(o) for o in float_outputs(as_tuple(row.ref(*inputs)))])

    flat_upstream = np.concatenate([g.ravel() for g in upstream])
    expected = numerical_vjp(forward, inputs_before, flat_upstream, eps=row.eps)
    for i, (grad, numeric) in enumerate(zip(grads_of(xs), expected)):
        assert_close(grad, numeric, rtol=row.rtol, atol=row.atol, what=f"{row.name}: gradient of input {i}")


def check_second_order(row, arrays, rng):
    """With create_graph=True, the gradient of s = sum(grads * v) is the Hessian of
    L = sum(upstream * out) times v; as the Hessian is symmetric, that is also the
    derivative of the first derivative along v, by central differences."""
    xs = [autograd.tensor(a, requires_grad=True) for a in arrays]
    outs = float_outputs(as_tuple(row.fn(*xs)))
    upstream = random_like(rng, outs)
    direction = random_like(rng, arrays)
    run_backward(outs, [autograd.tensor(g) for g in upstream], create_graph=True)

    first = [x.grad for x in xs]
    for x in xs:
        x.grad = None
    total = sum((grad * autograd.tensor(v)).sum() for grad, v in zip(first, direction) if grad is not None)
    if isinstance(total, Tensor) and total.requires_grad:  # else the first derivative is constant
        total.backward()

    expected = numerical_directional_derivative(
        first_derivative(row, upstream), arrays, direction, eps=row.eps
    )
    for i, (grad, numeric) in enumerate(zip(grads_of(xs), expected)):
        assert_close(
            grad,
            numeric,
            rtol=10 * row.rtol,
            atol=10 * row.atol,
            what=f"{row.name}: second derivative of input {i}",
        )


# --- the tests generated from the table (thin: Hypothesis hashes their source per row) ---------


@pytest.mark.parametrize("row", params(OPS))
@given(data=st.data())
def test_forward_matches_numpy(row, data):
    check_forward(row, *draw_inputs(data, row))


@pytest.mark.parametrize("row", params(OPS))
@given(data=st.data())
def test_gradient_matches_central_differences(row, data):
    check_gradient(row, *draw_inputs(data, row))


@pytest.mark.parametrize("row", params(OPS))
@given(data=st.data())
def test_second_order(row, data):
    check_second_order(row, *draw_inputs(data, row))


def test_create_graph_gradients_are_buffers_of_their_own():
    a, b = (autograd.tensor(np.ones(3), requires_grad=True) for _ in range(2))
    upstream = autograd.tensor(np.arange(3.0))
    (a + b).backward(upstream, create_graph=True)
    assert not np.shares_memory(a.grad.data, b.grad.data)
    assert not np.shares_memory(a.grad.data, upstream.data)


def test_inplace_on_a_view_of_a_graph_tensor_raises_instead_of_a_wrong_gradient():
    a = autograd.tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
    b = a.clone()
    with pytest.raises(RuntimeError, match="view"):
        b[0].mul_(2.0)
    with pytest.raises(RuntimeError, match="view"):
        b.reshape(6).add_(1.0)
    b[0] = b[0] * 2.0  # what to do instead: write into the base
    (b * b).sum().backward()
    expected = 2 * np.arange(1.0, 7.0).reshape(2, 3) * np.array([[4.0], [1.0]])  # d/da of (2a)^2 and a^2
    np.testing.assert_allclose(a.grad.data, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erf_is_accurate_near_zero_too(dtype):
    """The table's tolerances are absolute near 0; erf's relative error must be small there too."""
    x = np.concatenate([np.logspace(-8, 0.6, 100), -np.logspace(-8, 0.6, 100), [0.0]]).astype(dtype)
    exact = np.array([math.erf(float(v)) for v in x])
    np.testing.assert_allclose(
        autograd.tensor(x).erf().data, exact, rtol=1e-6 if dtype == np.float32 else 1e-15
    )


# --- the table itself ----------------------------------------------------------------------------

# Public Tensor attributes that are not differentiable ops (queries, graph
# plumbing, comparisons and other ops without gradient).
NOT_DIFFERENTIABLE = {
    "shape",
    "dtype",
    "ndim",
    "is_leaf",
    "device",
    "size",
    "dim",
    "numel",
    "element_size",
    "numpy",
    "item",
    "tolist",
    "type",
    "long",
    "int",
    "bool",
    "cpu",
    "is_floating_point",
    "backward",
    "detach",
    "detach_",
    "requires_grad_",
    "retain_grad",
    "retains_grad",
    "register_hook",
    "contiguous",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "sign",
    "argmax",
    "argmin",
    "all",
    "any",
    "isnan",
    "isfinite",
    "data",
    "grad",
    "grad_fn",
    "requires_grad",
    "name",
    "__eq__",
    "__ne__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__invert__",
    "__and__",
    "__or__",
    "__xor__",
    "__floordiv__",
    "__mod__",
}
DIFFERENTIABLE_DUNDERS = {
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__truediv__",
    "__rtruediv__",
    "__pow__",
    "__rpow__",
    "__matmul__",
    "__rmatmul__",
    "__neg__",
    "__pos__",
    "__abs__",
    "__getitem__",
    "__setitem__",
    "__iadd__",
    "__isub__",
    "__imul__",
    "__itruediv__",
}
MODULE_FUNCTIONS = {"cat", "stack", "where", "pad"}

# The variants the table must keep: deleting one of these rows fails the test.
REQUIRED_ROWS = {
    "pow(tensor, tensor)",
    "rpow(2.0)",
    "pow(-1.5)",
    "radd(scalar)",
    "rsub(scalar)",
    "rmul(int)",
    "rdiv(scalar)",
    "clamp(min)",
    "clamp(max)",
    "clamp(min, max)",
    "maximum",
    "minimum",
    "where",
    "sum(dim=None, keepdim=False)",
    "sum(dim=1, keepdim=True)",
    "sum(dim=(0, -1), keepdim=False)",
    "var(dim=None, keepdim=False, correction=0)",
    "var(dim=1, keepdim=True, correction=1)",
    "std(dim=(0, -1), keepdim=False, correction=1)",
    "max()",
    "min()",
    "max(dim=1)",
    "min(dim=0)",
    "getitem[[0, 0, 1]]",
    "getitem[mask]",
    "getitem[None, ..., -1]",
    "pad(1, -1, -1, 2)",
    "matmul k,k",
    "matmul k,kn",
    "matmul mk,k",
    "matmul mk,kn",
    "matmul bmk,bkn",
    "matmul a1mk,bkn",
    "to(float32)",
    "clone",
    "var(dim=None, keepdim=False, correction=1)",
    "sum(dim=-1, keepdim=True)",
    "max(dim=-1, keepdim=True)",
    "min(dim=-1, keepdim=True)",
    "getitem[1:, ::2]",
    "getitem[fixed mask]",
    "pad(-1, -1, value)",
    "where(scalar)",
}


def _public_tensor_ops():
    names = {n for n in dir(Tensor) if not n.startswith("_")} | DIFFERENTIABLE_DUNDERS
    return names - NOT_DIFFERENTIABLE


def test_table_is_complete():
    covered = {name for row in OPS for name in row.covers}
    # aliases (add = __add__, clip = clamp) are one op: covering one name covers all
    covered_objects = {id(inspect.getattr_static(Tensor, n)) for n in covered if hasattr(Tensor, n)}
    missing = sorted(
        n
        for n in _public_tensor_ops()
        if n not in covered and id(inspect.getattr_static(Tensor, n)) not in covered_objects
    )
    assert not missing, f"differentiable Tensor methods without a row in OPS: {missing}"
    assert not MODULE_FUNCTIONS - covered, f"functions without a row: {MODULE_FUNCTIONS - covered}"
    names = [row.name for row in OPS]
    assert len(names) == len(set(names)), "row names must be unique"
    assert not REQUIRED_ROWS - set(names), f"required rows missing: {REQUIRED_ROWS - set(names)}"
    assert all(row.covers for row in OPS), "every row names the API it covers"


def test_matmul_rows_cover_every_rank_combination():
    ranks = set()
    for row in OPS:
        if row.name.startswith("matmul "):
            ranks.add(tuple(len(part) for part in row.name.split()[1].split(",")))
    assert {(1, 1), (1, 2), (2, 1), (2, 2), (3, 3), (4, 3)} <= ranks
