"""The two ways the engine runs a backward formula give the same gradients: on
ndarrays (a first-order pass) and on Tensors (`create_graph=True`, every step
recorded). Random graphs with shared subexpressions, broadcasting, a
multi-output Function and hooks; and the two shortcuts of the ops (`shape.
_broadcast_to`, `linalg._product_like`) against the plain NumPy they replace.
"""

import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd.linalg import _product_like
from autograd.shape import _broadcast_to


class Twice(autograd.Function):
    """Two outputs, (2x, x^2), written in Tensor ops as a user would."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.numpy() * 2, x.numpy() * x.numpy()

    @staticmethod
    def backward(ctx, g_double, g_square):
        (x,) = ctx.saved_tensors
        return g_double * 2 + g_square * 2 * x


UNARY = [
    lambda x: x.tanh(), lambda x: x.sigmoid(), lambda x: (x * 0.3).exp(), lambda x: x.sin(),
    lambda x: (x * x + 1).log(), lambda x: (x * x + 1).sqrt(), lambda x: x.softmax(-1),
    lambda x: x.log_softmax(0) if x.ndim else x, lambda x: x.sum(-1, keepdim=True) if x.ndim else x,
    lambda x: x.amax(0) if x.ndim else x, lambda x: x.T, lambda x: x.reshape(-1),
    lambda x: Twice.apply(x)[0], lambda x: sum(Twice.apply(x)), lambda x: x[..., :1],
]
BINARY = [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (b * b + 1),
    lambda a, b: autograd.maximum(a, b), lambda a, b: a.abs() ** 1.5 + b,
]
SHAPES = [(3, 4), (4,), (1, 4), (3, 1)]


@st.composite
def graphs(draw):
    """(leaves, a function of the leaves giving a scalar): a random chain of ops on
    a pool of values, where any earlier value may be used again."""
    seeds = [draw(hnp.arrays(np.float64, shape, elements=st.floats(-2, 2))) for shape in SHAPES[: draw(st.integers(2, 4))]]
    steps = draw(st.lists(st.tuples(st.booleans(), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)),
                          min_size=1, max_size=12))
    hooked = draw(st.integers(0, 99))

    def fn(leaves):
        pool = list(leaves)
        for binary, op, i, j in steps:
            a, b = pool[i % len(pool)], pool[j % len(pool)]
            try:
                pool.append(BINARY[op % len(BINARY)](a, b) if binary else UNARY[op % len(UNARY)](a))
            except (RuntimeError, ValueError):  # shapes that do not broadcast: skip the step
                continue
        node = pool[len(leaves) + hooked % max(len(pool) - len(leaves), 1)] if len(pool) > len(leaves) else None
        if node is not None and node.grad_fn is not None:
            node.register_hook(lambda g: g * 3)
        return sum((p * (k + 1)).sum() for k, p in enumerate(pool))

    return seeds, fn


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_formulas_on_arrays_and_on_tensors_give_the_same_gradients(graph):
    seeds, fn = graph
    first = [autograd.tensor(s, requires_grad=True) for s in seeds]
    plain = autograd.grad(fn(first), first, allow_unused=True)
    recorded_leaves = [autograd.tensor(s, requires_grad=True) for s in seeds]
    recorded = autograd.grad(fn(recorded_leaves), recorded_leaves, create_graph=True, allow_unused=True)
    for p, r in zip(plain, recorded):
        assert (p is None) == (r is None)
        if p is not None:
            assert isinstance(p, autograd.Tensor) and p.grad_fn is None
            np.testing.assert_allclose(p.numpy(), r.numpy(), rtol=1e-12, atol=1e-12)


@given(st.data())
def test_broadcast_view_matches_numpy(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4))
    target = data.draw(hnp.broadcastable_shapes(shape, min_dims=len(shape), max_dims=5, max_side=4))
    target = np.broadcast_shapes(shape, target)
    base = np.arange(int(np.prod(shape)) * 2, dtype=np.float32).reshape(shape + (2,))
    for array in (base[..., 0], base[..., 0].copy()):  # strided, then contiguous
        view = _broadcast_to(array, target)
        np.testing.assert_array_equal(view, np.broadcast_to(array, target))
        assert not view.flags.writeable


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.booleans())
def test_product_in_memory_order_matches_the_plain_product(n, k, m, transposed):
    rng = np.random.default_rng(n * 100 + k * 10 + m)
    x = rng.standard_normal((m, k)).T if transposed else rng.standard_normal((k, m))  # like W.T of x @ W.T
    left, right = rng.standard_normal((k, n)), rng.standard_normal((n, m))
    out = _product_like(x, left, right)
    np.testing.assert_allclose(out, left @ right, rtol=1e-12)
    assert out.flags.f_contiguous if transposed and k > 1 and m > 1 else out.flags.c_contiguous
