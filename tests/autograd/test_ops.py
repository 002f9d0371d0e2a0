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
import math

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import assume, given

import autograd
from autograd import Tensor
from autograd.optable import OPS, away_from_zero
from tests.autograd.numerical import assert_close, numerical_directional_derivative, numerical_vjp

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
    return [np.zeros(t.shape) if t.grad is None else t.grad.numpy() for t in tensors]


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
        assert_close(out.numpy(), ref, rtol=1e-10, atol=1e-12, what=row.name)

    arrays = [a.astype(np.float32) for a in arrays]
    xs = [autograd.tensor(a, requires_grad=True) for a in arrays]
    outs = as_tuple(row.fn(*xs))
    expected = as_tuple(row.ref(*[a.astype(np.float64) for a in arrays]))
    for out, ref in zip(outs, expected):
        if np.asarray(ref).dtype.kind == "f":
            assert out.dtype == row.out_dtype32, f"{row.name}: float32 inputs give {out.dtype}"
            assert_close(out.numpy(), ref, rtol=1e-4, atol=1e-5, what=f"{row.name} in float32")
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
        assert x.numpy() is a
        np.testing.assert_array_equal(a, before, err_msg=f"{row.name} mutated an input")
    for g, before in zip(upstream, upstream_before):
        np.testing.assert_array_equal(g, before, err_msg=f"{row.name} mutated the upstream gradient")
    grads = [x.grad.numpy() for x in xs if x.grad is not None]
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
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    assert not np.shares_memory(a.grad.numpy(), upstream.numpy())


def test_inplace_on_a_view_of_a_graph_tensor_reaches_the_base():
    a = autograd.tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
    b = a.clone()
    b[0].mul_(2.0)
    b.reshape(6).add_(1.0)
    (b * b).sum().backward()
    expected = 2 * (np.arange(1.0, 7.0).reshape(2, 3) * [[2.0], [1.0]] + 1) * [[2.0], [1.0]]
    np.testing.assert_allclose(a.grad.numpy(), expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erf_is_accurate_near_zero_too(dtype):
    """The table's tolerances are absolute near 0; erf's relative error must be small there too."""
    x = np.concatenate([np.logspace(-8, 0.6, 100), -np.logspace(-8, 0.6, 100), [0.0]]).astype(dtype)
    exact = np.array([math.erf(float(v)) for v in x])
    np.testing.assert_allclose(
        autograd.tensor(x).erf().numpy(), exact, rtol=1e-6 if dtype == np.float32 else 1e-15
    )


# --- the table itself ----------------------------------------------------------------------------

# Public Tensor attributes that are not differentiable ops (queries, graph
# plumbing, comparisons and other ops without gradient).
NOT_DIFFERENTIABLE = {
    "cuda",
    "is_cuda",
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
MODULE_FUNCTIONS = {"cat", "stack", "where", "pad", "add", "sub", "mul", "matmul", "mm", "bmm", "addmm", "norm", "topk"}

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
    "add(alpha=2)",
    "addmm(beta=0.5, alpha=2)",
    "norm(inf, dim=-1, keepdim=True)",
    "topk(2)",
    "pad(1, 2, 2, 0) reflect",
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


def _functions_in_graph(outputs):
    """The Function classes of every node behind `outputs`."""
    from autograd.draw import _walk

    return {type(node) for out in outputs for node in _walk(out).nodes}


def test_every_function_in_the_op_modules_is_exercised_by_a_row():
    """Each Function of the op catalogue appears in some row's graph, or in the graph
    of some row's gradient (backward-only Functions such as IndexAdd), so no op can
    ship without gradcheck and gradgradcheck covering it."""
    import importlib

    import warnings

    from autograd.function import Function

    modules = ["elementwise", "reductions", "shape", "linalg", "norms", "conv", "pooling", "resize"]
    catalogue = set()
    for name in modules:
        try:
            module = importlib.import_module(f"autograd.{name}")
        except ImportError:
            continue
        catalogue |= {
            obj for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, Function) and obj.__module__ == module.__name__
        }
    seen = set()
    for row in OPS:
        with warnings.catch_warnings():  # one arbitrary example per row is all this needs
            warnings.simplefilter("ignore")
            input_shapes, seed = row.draws.example()
        rng = np.random.default_rng(seed)
        domains = row.domains if isinstance(row.domains, tuple) else (row.domains,) * len(input_shapes)
        xs = [autograd.tensor(np.asarray(d(rng, s), dtype=np.float64), requires_grad=True)
              for d, s in zip(domains, input_shapes)]
        outs = [o for o in as_tuple(row.fn(*xs)) if isinstance(o, Tensor) and o.requires_grad]
        seen |= _functions_in_graph(outs)
        if outs:
            # upstream gradients that require grad: backward-only Functions then record too
            vs = [autograd.tensor(np.full(o.shape, 1.5), requires_grad=True) for o in outs]
            total = sum((o * v).sum() for o, v in zip(outs, vs))
            grads = [g for g in autograd.grad(total, xs, create_graph=True, allow_unused=True)
                     if g is not None and g.requires_grad]
            seen |= _functions_in_graph(grads)
            if grads:  # once more: the backward of a backward (what gradgradcheck runs)
                us = [autograd.tensor(np.full(g.shape, 0.5), requires_grad=True) for g in grads]
                again = autograd.grad(sum((g * u).sum() for g, u in zip(grads, us)), xs + vs,
                                      create_graph=True, allow_unused=True)
                seen |= _functions_in_graph([g for g in again if g is not None and g.requires_grad])
    missing = sorted(f.__name__ for f in catalogue - seen)
    assert not missing, f"Functions with no row in autograd/optable.py exercising them: {missing}"
