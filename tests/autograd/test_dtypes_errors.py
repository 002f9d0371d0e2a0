"""Dtype rules and error messages, and a handful of results checked against PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd
import nn
from autograd.dtypes import DTYPE_NAMES

# --- dtypes: PyTorch's rules, not NumPy's ------------------------------------------------


@pytest.mark.parametrize(
    "data, dtype",
    [
        (1.5, np.float32),  # Python floats default to float32
        ([1.0, 2.5], np.float32),
        ([[1, 2.5], [3, 4]], np.float32),  # mixed ints and floats: a float list
        (3, np.int64),  # Python ints to int64
        ([1, 2], np.int64),
        (True, np.bool_),
        (np.arange(3, dtype=np.float64), np.float64),  # arrays keep their dtype
        (np.arange(3, dtype=np.int32), np.int32),
        (np.ones(2, dtype=np.float16), np.float16),
        (np.float64(2.0), np.float64),  # so do NumPy scalars
    ],
)
def test_creation_dtypes(data, dtype):
    assert autograd.tensor(data).dtype == np.dtype(dtype)


def _t(values, dtype):
    return autograd.tensor(np.asarray(values, dtype=dtype))


@pytest.mark.parametrize(
    "make, dtype",
    [
        (lambda: _t([1, 2], np.float32) * 2.5, np.float32),  # a Python float does not promote
        (lambda: 2.5 * _t([1, 2], np.float32), np.float32),
        (lambda: _t([1, 2], np.float32) + 2, np.float32),
        (lambda: _t([1, 2], np.float32) ** 2, np.float32),
        (lambda: 2.0 ** _t([1, 2], np.float32), np.float32),
        (lambda: _t([1, 2], np.int64) * 2.5, np.float32),  # int tensor, float scalar: float32
        (lambda: _t([1, 2], np.int64) + 1, np.int64),
        (lambda: _t([1, 2], np.int64) / _t([2, 4], np.int64), np.float32),  # int / int: float32
        (lambda: _t([3], np.int64) / 2, np.float32),
        (lambda: 1 / _t([3], np.int64), np.float32),
        (lambda: _t([1, 2], np.float32) + _t([1, 2], np.float64), np.float64),  # float32 + float64
        (lambda: _t([1, 2], np.float64) * _t([1, 2], np.float32), np.float64),
        (lambda: _t([1, 2], np.int64) + _t([1, 2], np.float32), np.float32),
        (lambda: _t([1, 2], np.int32) + _t([1, 2], np.int64), np.int64),
        (lambda: _t([1, 2], np.float16) + _t([1, 2], np.float32), np.float32),
        (lambda: _t([1, 2], np.float32).exp(), np.float32),
        (lambda: _t([[1, 2]], np.float32).softmax(-1), np.float32),
        (lambda: _t([[1, 2]], np.float32).var(), np.float32),
        (lambda: _t([[1, 2]], np.float32).mean(0), np.float32),
        (lambda: _t([[1, 2]], np.float32) @ _t([[1], [2]], np.float32), np.float32),
        (lambda: _t([1, 2], np.int64).sum(), np.int64),
        (lambda: _t([1.5, 2], np.float64).to(autograd.float32), np.float32),
        (lambda: autograd.where(_t([True, False], bool), _t([1, 2], np.float32), 0.5), np.float32),
    ],
)
def test_result_dtypes(make, dtype):
    assert make().dtype == np.dtype(dtype)


def test_float32_leaf_gets_float32_gradient_from_a_float64_graph():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    (x.double() * autograd.tensor(np.array([3.0, 4.0]))).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 4.0])


# --- errors: the kind PyTorch raises, with the op and the shapes in the message -------------


@pytest.mark.parametrize(
    "op, name",
    [
        (lambda a, b: a + b, "add"),
        (lambda a, b: a - b, "subtract"),
        (lambda a, b: a * b, "multiply"),
        (lambda a, b: a / b, "divide"),
        (lambda a, b: a.maximum(b), "maximum"),
        (lambda a, b: autograd.where(autograd.tensor(True), a, b), "where"),
    ],
)
def test_broadcast_mismatch_names_the_op_and_both_shapes(op, name):
    a, b = autograd.zeros(2, 3), autograd.zeros(4)
    with pytest.raises((RuntimeError, ValueError)) as error:
        op(a, b)
    message = str(error.value)
    assert name in message and "(2, 3)" in message and "(4,)" in message, message


def test_where_mismatch_names_the_condition_shape():
    with pytest.raises(RuntimeError, match=r"where.*\(5,\).*\(2, 3\)"):
        autograd.where(autograd.ones(5, dtype=autograd.bool), autograd.zeros(2, 3), autograd.zeros(2, 3))


@pytest.mark.parametrize(
    "a, b",
    [((2, 3), (4, 5)), ((3,), (4,)), ((2, 3), (2,)), ((2, 2, 3), (3, 3, 4))],
)
def test_matmul_mismatch_names_the_shapes(a, b):
    with pytest.raises(RuntimeError) as error:
        autograd.zeros(*a) @ autograd.zeros(*b)
    message = str(error.value)
    assert "matmul" in message and str(a) in message and str(b) in message, message


def test_matmul_of_a_0d_tensor_raises():
    with pytest.raises(RuntimeError, match="matmul"):
        autograd.tensor(2.0) @ autograd.zeros(2)


@pytest.mark.parametrize(
    "make",
    [
        lambda: autograd.tensor([1, 2], requires_grad=True),
        lambda: autograd.tensor(np.arange(3), requires_grad=True),
        lambda: autograd.zeros(2, dtype=autograd.int64, requires_grad=True),
        lambda: autograd.tensor([1, 2]).requires_grad_(),
        lambda: autograd.tensor([True]).requires_grad_(),
    ],
)
def test_requires_grad_on_an_integer_tensor_raises(make):
    with pytest.raises(RuntimeError, match="floating point"):
        make()


def test_backward_of_a_non_scalar_needs_a_gradient():
    y = autograd.tensor([1.0, 2.0], requires_grad=True) * 2.0
    with pytest.raises(RuntimeError, match="gradient") as error:
        y.backward()
    assert "(2,)" in str(error.value)


def test_backward_gradient_of_the_wrong_shape_raises():
    y = autograd.tensor([1.0, 2.0], requires_grad=True) * 2.0
    with pytest.raises(RuntimeError, match=r"\(3,\).*\(2,\)"):
        y.backward(autograd.tensor([1.0, 1.0, 1.0]))


def test_backward_without_requires_grad_raises():
    with pytest.raises(RuntimeError, match="requires_grad|require grad"):
        (autograd.tensor([1.0, 2.0]) * 2.0).sum().backward()


@pytest.mark.parametrize("data", [[[1, 2], [3]], [[1.0], [2.0, 3.0]], [[[1]], [2]]])
def test_ragged_nested_list_raises_value_error(data):
    with pytest.raises(ValueError, match="ragged"):
        autograd.tensor(data)


@pytest.mark.parametrize(
    "op, error, pattern",
    [
        (lambda: autograd.zeros(2, 3).reshape(4, 2), RuntimeError, r"reshape.*\(2, 3\)"),
        (lambda: autograd.zeros(2, 3).expand(4, 3), RuntimeError, r"expand.*\(2, 3\)"),
        (
            lambda: autograd.cat([autograd.zeros(2, 3), autograd.zeros(3, 2)]),
            RuntimeError,
            r"cat.*\(2, 3\).*\(3, 2\)",
        ),
        (
            lambda: autograd.stack([autograd.zeros(2), autograd.zeros(3)]),
            RuntimeError,
            r"stack.*\(2,\).*\(3,\)",
        ),
        (lambda: autograd.zeros(2, 3).sum(dim=2), IndexError, r"dimension out of range"),
        (lambda: autograd.zeros(2, 3).permute(0, 0), RuntimeError, r"permute"),
        (lambda: autograd.zeros(2, 3)[5], IndexError, r"\(2, 3\)"),
        (lambda: autograd.zeros(2, 3).item(), RuntimeError, r"item"),
        (lambda: autograd.tensor([1, 2]).mean(), RuntimeError, r"mean"),
        (lambda: autograd.zeros(2).clamp(), RuntimeError, r"clamp"),
        (lambda: autograd.pad(autograd.zeros(2), (1, 1, 1, 1)), RuntimeError, r"pad"),
        (lambda: autograd.zeros(0).amax(), RuntimeError, r"amax"),
    ],
)
def test_shape_errors_name_the_op(op, error, pattern):
    with pytest.raises(error, match=pattern):
        op()


# --- against PyTorch, where it is installed -----------------------------------------------


def _pad(lib):
    return autograd.pad if lib is autograd else lib.nn.functional.pad


# The same function runs on both libraries: (name, input shapes, fn(lib, *tensors)).
TORCH_CASES = [
    ("softmax", [(3, 4)], lambda lib, x: x.softmax(-1)),
    ("softmax(dim=0)", [(3, 4)], lambda lib, x: x.softmax(0)),
    ("log_softmax", [(2, 3, 4)], lambda lib, x: x.log_softmax(1)),
    ("logsumexp", [(3, 4)], lambda lib, x: x.logsumexp(-1)),
    ("logsumexp(tuple, keepdim)", [(2, 3, 4)], lambda lib, x: x.logsumexp((0, 2), keepdim=True)),
    ("var", [(3, 4)], lambda lib, x: x.var()),
    ("var(dim, correction=0)", [(3, 4)], lambda lib, x: x.var(1, correction=0)),
    ("var(unbiased=False, keepdim)", [(3, 4)], lambda lib, x: x.var(0, unbiased=False, keepdim=True)),
    ("std", [(3, 4)], lambda lib, x: x.std(dim=(0, 1))),
    ("std(correction=0)", [(3, 4)], lambda lib, x: x.std(1, keepdim=True, correction=0)),
    ("matmul broadcast", [(2, 1, 3, 4), (5, 4, 2)], lambda lib, a, b: a @ b),
    ("matmul 1-D @ 3-D", [(4,), (2, 4, 3)], lambda lib, a, b: a @ b),
    ("matmul 3-D @ 1-D", [(2, 3, 4), (4,)], lambda lib, a, b: a @ b),
    ("max(dim)", [(3, 4)], lambda lib, x: x.max(1)),
    ("min(dim, keepdim)", [(3, 4)], lambda lib, x: x.min(0, keepdim=True)),
    ("max()", [(3, 4)], lambda lib, x: x.max()),
    ("pad", [(2, 3, 4)], lambda lib, x: _pad(lib)(x, (1, 2, 0, 1))),
    ("pad negative", [(2, 3, 4)], lambda lib, x: _pad(lib)(x, (1, -1, -1, 2), value=0.5)),
    ("getitem repeated", [(4, 3)], lambda lib, x: x[[0, 0, 2, 0]]),
    ("getitem repeated 2-D", [(4, 3)], lambda lib, x: x[[1, 1, 3], [0, 0, 2]]),
    ("getitem mask", [(4, 3)], lambda lib, x: x[x > 0]),
    ("clamp", [(3, 4)], lambda lib, x: x.clamp(-0.5, 0.5)),
    ("amax(tuple)", [(2, 3, 4)], lambda lib, x: x.amax((0, 2))),
    ("sigmoid tanh", [(3, 4)], lambda lib, x: x.sigmoid() * x.tanh()),
    ("expand sum", [(3, 1)], lambda lib, x: x.expand(2, 3, 4).sum(0)),
    ("cat", [(2, 3), (2, 1)], lambda lib, a, b: lib.cat([a, b], dim=1)),
    ("stack", [(2, 3), (2, 3)], lambda lib, a, b: lib.stack([a, b], dim=-1)),
    ("where", [(3, 4), (4,)], lambda lib, a, b: lib.where(a > 0, a, b)),
    ("pow", [(3, 4), (4,)], lambda lib, a, b: a.abs() ** b),
    ("gather", [(3, 4)], lambda lib, x: x.gather(1, lib.tensor([[0, 0], [3, 1], [2, 2]]))),
]


def _outputs(out):
    return tuple(out) if isinstance(out, tuple) else (out,)


@pytest.mark.parametrize("name, input_shapes, fn", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_results_and_gradients_equal_pytorch(torch_oracle, name, input_shapes, fn, seed):
    """Outputs (values, shapes and dtypes) and the gradients for a random upstream gradient."""
    arrays = [np.random.default_rng(seed).standard_normal(shape) for shape in input_shapes]

    def run(lib):
        xs = [lib.torch.tensor(a, requires_grad=True) for a in arrays]
        outs = _outputs(fn(lib.torch, *xs))
        outs[0].backward(
            lib.torch.tensor(np.random.default_rng(seed + 1).standard_normal(tuple(outs[0].shape)))
        )
        return {f"out {i}": o for i, o in enumerate(outs)} | {f"grad {i}": x.grad for i, x in enumerate(xs)}

    inputs = {f"input {i}": a for i, a in enumerate(arrays)}
    torch_oracle.check_same(run, inputs=inputs, rtol=1e-12, atol=1e-12)


# Where the derivative has a kink or a tie, PyTorch picks a value: these pin ours to it.
KINK_CASES = [
    ("relu at 0", [[-1.0, 0.0, 2.0]], lambda lib, x: x.relu()),
    ("abs at 0", [[-1.0, 0.0, 2.0]], lambda lib, x: x.abs()),
    ("clamp at its bounds", [[-0.5, 0.5, 0.0, 1.0]], lambda lib, x: x.clamp(-0.5, 0.5)),
    ("clamp(min) at its bound", [[-0.5, 0.5, 0.0, 1.0]], lambda lib, x: x.clamp(min=0.5)),
    ("maximum tie", [[1.0, 2.0], [1.0, 3.0]], lambda lib, a, b: a.maximum(b)),
    ("minimum tie", [[1.0, 2.0], [1.0, 3.0]], lambda lib, a, b: a.minimum(b)),
    ("amax tie", [[3.0, 1.0, 3.0]], lambda lib, x: x.amax()),
    ("amin(dim) tie", [[[1.0, 1.0], [2.0, 0.0]]], lambda lib, x: x.amin(1)),
    ("max() tie", [[3.0, 1.0, 3.0]], lambda lib, x: x.max()),
    ("min() tie", [[1.0, 1.0, 3.0]], lambda lib, x: x.min()),
    ("max(dim) tie", [[[3.0, 1.0, 3.0], [2.0, 2.0, 0.0]]], lambda lib, x: x.max(1)[0]),
    ("pow(0) at 0", [[0.0, 1.0]], lambda lib, x: x**0),
    ("pow(tensor 0) at 0", [[0.0, 1.0], [0.0, 0.0]], lambda lib, x, y: x**y),
    ("rpow with base 0", [[0.0, 1.0, 2.0]], lambda lib, x: 0.0**x),
    ("std of a constant", [[1.0, 1.0, 1.0]], lambda lib, x: x.std()),
    ("softmax with -inf", [[-np.inf, 0.0, 1.0]], lambda lib, x: x.softmax(0)),
    ("sigmoid saturated", [[-800.0, 800.0]], lambda lib, x: x.sigmoid()),
]


@pytest.mark.parametrize("name, values, fn", KINK_CASES, ids=[c[0] for c in KINK_CASES])
def test_kinks_and_ties_follow_pytorch(torch_oracle, name, values, fn):
    def run(lib):
        xs = [lib.torch.tensor(np.array(v), requires_grad=True) for v in values]
        with np.errstate(all="ignore"):
            out = fn(lib.torch, *xs)
            out.sum().backward()
        return {"out": out} | {f"grad {i}": x.grad for i, x in enumerate(xs)}

    torch_oracle.check_same(run, inputs={"values": values}, rtol=1e-12, atol=0)


DTYPE_CASES = {  # what a PyTorch user writes -> the same in both libraries
    "tensor(1.5)": lambda lib: lib.tensor(1.5),
    "tensor([1, 2])": lambda lib: lib.tensor([1, 2]),
    "int * 2.5": lambda lib: lib.tensor([1, 2]) * 2.5,
    "int / int": lambda lib: lib.tensor([1, 2]) / lib.tensor([2, 2]),
    "int // 2": lambda lib: lib.tensor([1, 2]) // 2,
    "float32 * 2": lambda lib: lib.tensor([1.0, 2.0]) * 2,
    "float32 + float64": lambda lib: lib.tensor([1.0]) + lib.tensor(np.array([1.0])),
    "int32 + int64": lambda lib: lib.tensor(np.array([1], dtype=np.int32)) + lib.tensor([1]),
    "int64 + float32": lambda lib: lib.tensor([1]) + lib.tensor([1.0]),
    "float32 > 0": lambda lib: lib.tensor([1.0]) > 0,
    "argmax": lambda lib: lib.tensor([[1.0, 2.0]]).argmax(1),
    "sum of ints": lambda lib: lib.tensor([1, 2]).sum(),
    "arange(3)": lambda lib: lib.arange(3),
    "arange(3.0)": lambda lib: lib.arange(3.0),
    "zeros(2)": lambda lib: lib.zeros(2),
    "sum of bools": lambda lib: lib.tensor([True, False]).sum(),
}


@pytest.mark.parametrize("case", DTYPE_CASES)
def test_dtypes_equal_pytorch(torch_oracle, case):
    """The value's dtype (and the value) as PyTorch's, and its name as torch prints it."""
    fn = DTYPE_CASES[case]
    ours = fn(autograd)
    torch_oracle.check(
        {"value": ours, "dtype": str(ours.dtype).replace("autograd.", "torch.")},
        lambda torch: {"value": fn(torch), "dtype": str(fn(torch).dtype)},
    )


FLOAT_FUNCTIONS = {  # name -> (the method, the float64 reference)
    "exp": (lambda t: t.exp(), np.exp), "log": (lambda t: t.log(), np.log), "sqrt": (lambda t: t.sqrt(), np.sqrt),
    "sin": (lambda t: t.sin(), np.sin), "cos": (lambda t: t.cos(), np.cos), "tanh": (lambda t: t.tanh(), np.tanh),
    "sigmoid": (lambda t: t.sigmoid(), lambda a: 1 / (1 + np.exp(-a))), "log1p": (lambda t: t.log1p(), np.log1p),
    "erf": (lambda t: t.erf(), np.vectorize(math.erf, otypes=[np.float64])),
    "rsqrt": (lambda t: t.rsqrt(), lambda a: a**-0.5), "reciprocal": (lambda t: t.reciprocal(), lambda a: 1 / a),
    "nn.Sigmoid": (lambda t: nn.Sigmoid()(t), lambda a: 1 / (1 + np.exp(-a))),
    "silu": (lambda t: nn.functional.silu(t), lambda a: a / (1 + np.exp(-a))),
}


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "int64"])
@pytest.mark.parametrize("name", sorted(FLOAT_FUNCTIONS))
def test_float_functions_of_integer_tensors_compute_in_float32(dtype, name):
    """As in PyTorch: `tensor([1, 2, -3]).sigmoid()` is float32, not truncated to ints."""
    fn, reference = FLOAT_FUNCTIONS[name]
    values = np.array([0, 1, 2, 3, 7] if dtype in ("bool", "uint8") else [-3, -1, 0, 1, 2, 5], dtype=dtype)
    out = fn(autograd.tensor(values))
    assert out.dtype == np.float32, (name, dtype, out.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = reference(values.astype(np.float64))
    np.testing.assert_allclose(out.numpy(), expected.astype(np.float32), rtol=2e-6, atol=1e-6, equal_nan=True)


# --- dims and sizes are checked, never wrapped or truncated (as in PyTorch) ---------------

@given(st.integers(0, 3), st.integers(-9, 9))
def test_a_dim_out_of_range_raises_index_error_naming_the_range(ndim, dim):
    x = autograd.zeros(*([2] * ndim))
    top = max(ndim, 1)
    calls = {  # method -> the number of dims its dim ranges over
        "sum": (lambda d: x.sum(d), top), "squeeze": (lambda d: x.squeeze(d), top),
        "unsqueeze": (lambda d: x.unsqueeze(d), ndim + 1), "flatten": (lambda d: x.flatten(d, -1), top),
        "transpose": (lambda d: x.transpose(d, 0), top), "softmax": (lambda d: x.softmax(d), top),
        "stack": (lambda d: autograd.stack([x, x], d), ndim + 1), "split": (lambda d: x.split(1, d), top),
        "nn.Flatten": (lambda d: nn.Flatten(d, -1)(x), top),
    }
    for name, (call, size) in calls.items():
        if -size <= dim < size:
            continue  # in range: the op's own semantics, tested elsewhere
        with pytest.raises(IndexError, match=rf"expected to be in range of \[{-size}, {size - 1}\], but got {dim}"):
            call(dim)
            pytest.fail(f"{name}({dim}) on {ndim} dims did not raise")


@pytest.mark.parametrize("call, error, message", [
    (lambda: autograd.zeros(2.5), TypeError, "size must be an int"),
    (lambda: autograd.ones(2, 1.0), TypeError, "size must be an int"),
    (lambda: autograd.randn(-1), RuntimeError, "negative dimension"),
    (lambda: autograd.zeros(3, -2), RuntimeError, "negative dimension"),
    (lambda: nn.Linear(3.5, 4), TypeError, "must be an int"),
    (lambda: autograd.randperm(-1), RuntimeError, "non-negative"),
    (lambda: autograd.arange(0, 5, 0), RuntimeError, "step must be nonzero"),
    (lambda: autograd.randn(4).view(-2), RuntimeError, "at most one -1"),
    (lambda: autograd.randn(4).reshape(-1, -1), RuntimeError, "at most one -1"),
    (lambda: autograd.randn(4).split([1, 1]), RuntimeError, "sum to 4"),
    (lambda: autograd.randn(4).split([5, -1]), RuntimeError, "must be >= 0"),
    (lambda: autograd.randn(4).split(0), RuntimeError, "split_size must be positive"),
    (lambda: autograd.randn(4).chunk(-1), RuntimeError, "greater than 0"),
    (lambda: autograd.randn(4).chunk(0), RuntimeError, "greater than 0"),
    (lambda: autograd.randn(2, 2).repeat(-1, 1), RuntimeError, "must be >= 0"),
    (lambda: autograd.randn(2, 2).repeat(2), RuntimeError, "at least one per dim"),
    (lambda: autograd.randn(2, 3).permute(0, 0), RuntimeError, "not a permutation"),
    (lambda: autograd.randn(2, 3).unflatten(1, (2, 2)), RuntimeError, "don't multiply"),
    (lambda: autograd.randn(2, 3).flatten(1, 0), RuntimeError, "comes after"),
    (lambda: autograd.randn(2, 3).sum(dim=1.5), TypeError, "dim must be an int"),
])
def test_bad_sizes_and_counts_raise_instead_of_returning_something(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("name", ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"])
def test_dtypes_print_under_pytorchs_names_and_are_numpys(name):
    ours = getattr(autograd, name)
    numpy_dtype = np.dtype(name if name != "bool" else np.bool_)
    assert str(ours) == repr(ours) == f"autograd.{name}" and isinstance(ours, autograd.dtype)
    assert ours == numpy_dtype and numpy_dtype == ours and hash(ours) == hash(numpy_dtype)
    assert ours == numpy_dtype.type and ours != None and ours != "no such dtype"  # noqa: E711
    assert {numpy_dtype: 1}[ours] == 1 and np.zeros(2, ours).dtype == numpy_dtype
    t = autograd.zeros(2, dtype=ours)
    assert t.dtype is ours and t.numpy().dtype == numpy_dtype and t.dtype.itemsize == numpy_dtype.itemsize
    assert t.dtype.is_floating_point == (numpy_dtype.kind == "f")
    if name not in ("float32", "int64", "bool"):  # the defaults, which PyTorch does not print
        assert f"dtype=autograd.{name}" in repr(t)
