"""Bad input gets a clear error, never a wrong answer (issue 17): what a tensor may
hold (real numbers only: strings, objects and complex numbers are refused), integer
division by zero, std's range, gradcheck and Function misuse, grad mode on
generators, backward's `inputs`, and the empty cases PyTorch answers.

Each class of inputs is drawn by Hypothesis or looped over, not only one example."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
import nn
from autograd import Function

# --- what a tensor may hold: real numbers --------------------------------------------------

_STRUCTURED = np.dtype([("a", "i4"), ("b", "f8")])
_NOT_NUMBERS = [  # (data, what the error names)
    ("abc", "strings"),
    (b"abc", "bytes"),
    (["a", "b"], "strings"),
    ([["1.5"]], "strings"),
    (None, "Python objects"),
    ([1, None], "Python objects"),
    ({"a": 1}, "Python objects"),
    ([object()], "Python objects"),
    (2**70, "Python objects"),
    (np.array([1, "a"], dtype=object), "Python objects"),
    (np.array(["x"]), "strings"),
    (np.array([b"x"]), "bytes"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), "datetimes"),
    (np.array([1], dtype="timedelta64[s]"), "timedeltas"),
    (np.zeros(2, dtype=_STRUCTURED), "records"),
    (np.zeros(2, dtype="V4"), "records"),
    (np.datetime64("2020-01-01"), "datetimes"),
    (datetime.date(2020, 1, 1), "Python objects"),
    (1j, "complex"),
    ([1.0, 2j], "complex"),
    (np.complex64(1), "complex"),
    (np.ones(3, dtype=np.complex128), "complex"),
]


def _creators():
    """Every way a user makes a tensor from data."""
    yield "tensor", autograd.tensor
    yield "as_tensor", autograd.as_tensor
    yield "Tensor", autograd.Tensor
    yield "Parameter", lambda d: nn.Parameter(d)
    yield "tensor(dtype=float32)", lambda d: autograd.tensor(d, dtype=autograd.float32)
    yield "from_numpy", lambda d: autograd.from_numpy(np.asarray(d) if isinstance(d, np.ndarray) else np.array(d))


@pytest.mark.parametrize("data, what", _NOT_NUMBERS, ids=[repr(d)[:30] for d, _ in _NOT_NUMBERS])
def test_only_real_numbers_become_tensors(data, what):
    for name, make in _creators():
        if (name == "from_numpy" and not isinstance(data, np.ndarray)) or (name == "Parameter" and data is None):
            continue  # Parameter(None) is an empty parameter, as in PyTorch
        with pytest.raises(TypeError, match=what):
            make(data)


_BAD_DTYPES = [np.complex64, np.complex128, "U3", "S2", object, "datetime64[s]", "timedelta64[s]", _STRUCTURED, "V8"]


@pytest.mark.parametrize("dtype", _BAD_DTYPES, ids=str)
def test_no_creation_function_or_cast_makes_a_tensor_of_a_non_real_dtype(dtype):
    makers = [
        lambda: autograd.zeros(2, dtype=dtype), lambda: autograd.ones(2, dtype=dtype),
        lambda: autograd.empty(2, dtype=dtype), lambda: autograd.full((2,), 0, dtype=dtype),
        lambda: autograd.eye(2, dtype=dtype), lambda: autograd.arange(3, dtype=dtype),
        lambda: autograd.tensor([1.0], dtype=dtype), lambda: autograd.zeros_like(autograd.ones(2), dtype=dtype),
        lambda: autograd.ones(2).to(dtype), lambda: autograd.ones(2).type(dtype),
        lambda: autograd.ones(2).to("cpu", dtype), lambda: nn.Linear(2, 2).to(dtype),
    ]
    for make in makers:
        with pytest.raises(TypeError, match="not supported|holds numbers|only accepts floating|not a dtype"):
            make()


def _complex_values():
    scalars = st.complex_numbers(allow_nan=False, allow_infinity=False, max_magnitude=1e3).filter(lambda z: z.imag)
    arrays = hnp.arrays(st.sampled_from([np.complex64, np.complex128]), hnp.array_shapes(max_dims=2, max_side=3))
    return st.one_of(scalars, scalars.map(np.complex128), arrays, arrays.map(lambda a: a.tolist()))


_WITH_AN_OPERAND = {
    "+": lambda x, v: x + v, "r+": lambda x, v: v + x, "-": lambda x, v: x - v, "*": lambda x, v: x * v,
    "/": lambda x, v: x / v, "r/": lambda x, v: v / x, "**": lambda x, v: x ** v, "maximum": lambda x, v: autograd.maximum(x, v),
    "where": lambda x, v: autograd.where(x > 0, x, v), "clamp": lambda x, v: x.clamp(min=v),
    "add_": lambda x, v: x.add_(v), "mul_": lambda x, v: x.mul_(v), "fill_": lambda x, v: x.fill_(v),
    "copy_": lambda x, v: x.copy_(v), "setitem": lambda x, v: x.__setitem__(0, v),
    "setitem[:]": lambda x, v: x.__setitem__(slice(None), v), "masked_fill": lambda x, v: x.masked_fill(x > 0, v),
}


@given(op=st.sampled_from(sorted(_WITH_AN_OPERAND)), value=_complex_values(), requires_grad=st.booleans())
def test_a_complex_operand_is_refused_by_every_op_and_changes_nothing(op, value, requires_grad):
    """glassgrad is real-valued: a complex number meeting a tensor raises (PyTorch would
    make a complex tensor; NumPy would drop the imaginary part when writing in place)."""
    if np.size(value) > 3 and op.startswith("setitem"):
        value = np.asarray(value).reshape(-1)[:1]
    x = autograd.tensor([1.0, -2.0, 3.0])
    before = x.numpy().copy()
    if requires_grad and not op.endswith("_") and not op.startswith("setitem"):
        x.requires_grad_()
    with pytest.raises((TypeError, ValueError), match="complex|broadcast"):
        _WITH_AN_OPERAND[op](x, value)
    np.testing.assert_array_equal(x.numpy(), before)


@given(value=st.sampled_from([None, "a", b"b", "1.5", 1j, [None], ["a"], np.array(["a"]), {"k": 1}, object()]),
       index=st.sampled_from([0, -1, slice(None), slice(0, 2), (Ellipsis,), [0, 2]]))
def test_assigning_what_is_not_a_number_is_refused_and_leaves_the_tensor(value, index):
    """`x[0] = None` wrote NaN (NumPy's cast); PyTorch: can't assign a NoneType."""
    x = autograd.tensor([1.0, 2.0, 3.0])
    with pytest.raises((TypeError, ValueError)):
        x[index] = value
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0, 3.0])


# --- integer division, std's range ---------------------------------------------------------

_INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8]


@given(
    dtype=st.sampled_from(_INT_DTYPES),
    values=st.lists(st.integers(0, 100), min_size=1, max_size=6),
    divisors=st.lists(st.integers(0, 5), min_size=1, max_size=6),
    op=st.sampled_from(["//", "%"]),
    scalar=st.booleans(),
)
def test_integer_division_by_zero_raises_as_in_pytorch(dtype, values, divisors, op, scalar):
    n = min(len(values), len(divisors))
    a = autograd.tensor(np.array(values[:n], dtype=dtype))
    b = divisors[0] if scalar else autograd.tensor(np.array(divisors[:n], dtype=dtype))
    raw_b = np.asarray(b.numpy() if isinstance(b, autograd.Tensor) else b)
    fn = (lambda p, q: p // q) if op == "//" else (lambda p, q: p % q)
    if not np.all(raw_b):
        with pytest.raises(RuntimeError, match="division by zero"):
            fn(a, b)
    else:
        np.testing.assert_array_equal(fn(a, b).numpy(), fn(a.numpy(), raw_b))


def test_float_division_by_zero_gives_inf_as_in_pytorch():
    with np.errstate(divide="ignore", invalid="ignore"):
        assert np.isinf((autograd.tensor([1.0, 2.0]) // 0).numpy()).all()


@given(
    scale=st.floats(1e15, 3e38),
    values=st.lists(st.floats(-1, 1, width=32), min_size=2, max_size=8),
    dim=st.sampled_from([None, 0, 1]),
    keepdim=st.booleans(),
)
def test_std_of_huge_float32_values_does_not_overflow(scale, values, dim, keepdim):
    """squares of 1e20 overflow float32; std is scaled by a power of 2 first (as exact)."""
    data = (np.array(values * 2, dtype=np.float64) * scale).astype(np.float32).reshape(2, -1)
    x = autograd.tensor(data)
    got = x.std(dim, keepdim=keepdim).numpy()
    expected = np.std(data.astype(np.float64), axis=dim, ddof=1, keepdims=keepdim)
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=scale * 1e-6)


def test_std_on_the_issues_example_matches_pytorch():
    np.testing.assert_allclose(autograd.tensor([1e20, -1e20, 0.0]).std().item(), 1e20, rtol=1e-6)


# --- int ** negative int, empty softmax ----------------------------------------------------


@given(base=st.lists(st.integers(-3, 3), min_size=1, max_size=4), exponent=st.integers(-5, -1),
       as_tensor=st.booleans())
def test_ints_to_negative_int_powers_raise_a_pow_error_not_a_broadcast_error(base, exponent, as_tensor):
    x = autograd.tensor(base)
    e = autograd.tensor([exponent] * len(base)) if as_tensor else exponent
    with pytest.raises(RuntimeError, match="negative integer powers"):
        x ** e


@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=3).filter(lambda s: 0 in s),
       data=st.data())
def test_softmax_of_an_empty_tensor_is_empty_as_in_pytorch(shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = autograd.zeros(shape, requires_grad=True)
    for y in (x.softmax(dim), x.log_softmax(dim), nn.functional.softmax(x, dim)):
        assert y.shape == shape and y.dtype == np.float32


# --- gradcheck, Function, hooks ------------------------------------------------------------

_NOT_TENSORS = [None, 1.0, 3, "s", [1.0], np.float64(2.0), np.ones(2), (1.0, 2.0), {"a": 1}]


@pytest.mark.parametrize("returned", _NOT_TENSORS, ids=repr)
@pytest.mark.parametrize("checker", [autograd.gradcheck, autograd.gradgradcheck])
def test_gradcheck_of_a_function_returning_no_tensor_raises_instead_of_passing(returned, checker):
    x = autograd.randn(3, dtype=autograd.float64, requires_grad=True)
    with pytest.raises(TypeError, match="must return a Tensor"):
        checker(lambda t: returned, (x,))
    with pytest.raises(TypeError, match="output 1"):
        checker(lambda t: (t * 2, returned), (x,))


def _function_returning(value):
    class Returns(Function):
        @staticmethod
        def forward(ctx, x):
            return value

        @staticmethod
        def backward(ctx, grad):
            return grad

    return Returns


@pytest.mark.parametrize("value", [None, "s", b"b", 1j, [1.0], {"a": 1}, object(), np.array(["a"]), (None,)],
                         ids=repr)
def test_a_function_whose_forward_returns_no_tensor_is_refused(value):
    fn = _function_returning(value)
    with pytest.raises(TypeError, match="Returns.forward returned|holds numbers|complex"):
        fn.apply(autograd.ones(2, requires_grad=True))
    if not isinstance(value, np.ndarray):  # unrecorded, an ndarray is wrapped without a look (the fast path)
        with pytest.raises(TypeError, match="Returns.forward returned"):
            fn.apply(autograd.ones(2))


@given(
    shape=hnp.array_shapes(max_dims=3, max_side=4),
    change=st.sampled_from(["shape", "dtype", "ndarray", "float", "list"]),
    on_leaf=st.booleans(),
    other=hnp.array_shapes(max_dims=3, max_side=4),
)
def test_a_hook_that_changes_the_gradient_raises_and_leaves_grad_alone(shape, change, on_leaf, other):
    """Item 5 over many shapes: a hook may change values only, never shape or dtype."""
    if change == "shape" and other == shape:
        other = shape + (2,)

    def hook(g):
        return {
            "shape": lambda: autograd.ones(other, dtype=autograd.float64),
            "dtype": lambda: g.float(),
            "ndarray": lambda: g.numpy() * 2,
            "float": lambda: 1.0,
            "list": lambda: g.tolist(),
        }[change]()

    x = autograd.ones(shape, dtype=autograd.float64, requires_grad=True)
    h = x if on_leaf else x * 3.0
    h.register_hook(hook)
    with pytest.raises(RuntimeError, match="hook 'test_a_hook.*' has changed the type or size"):
        (h * h).sum().backward()
    assert x.grad is None


# --- grad mode on generators, backward's inputs --------------------------------------------


def _modes_seen(decorator, steps):
    @decorator
    def generator(n):
        seen = []
        for _ in range(n):
            received = yield autograd.is_grad_enabled()
            seen.append(received)
        return seen

    return generator(steps)


@given(
    which=st.sampled_from(["no_grad", "enable_grad"]),
    outer=st.booleans(),
    steps=st.integers(1, 5),
    how=st.sampled_from(["next", "send", "yield from", "close", "throw"]),
)
def test_grad_mode_decorators_hold_inside_a_generator_and_not_outside(which, outer, steps, how):
    inside = which == "enable_grad"
    decorator = getattr(autograd, which)()
    with autograd.set_grad_enabled(outer):
        generator = _modes_seen(decorator, steps)
        assert next(generator) is inside and autograd.is_grad_enabled() is outer
        if how == "next":
            assert all(mode is inside for mode in generator)
        elif how == "send":
            for k in range(steps - 1):
                assert generator.send(k) is inside and autograd.is_grad_enabled() is outer
        elif how == "yield from":
            def delegate():
                return (yield from generator)

            assert all(mode is inside for mode in delegate())
        elif how == "close":
            generator.close()
        else:
            with pytest.raises(KeyError):
                generator.throw(KeyError("thrown"))
        assert autograd.is_grad_enabled() is outer


def test_a_generator_decorated_with_no_grad_returns_its_value():
    generator = _modes_seen(autograd.no_grad(), 2)
    next(generator)
    generator.send("a")
    with pytest.raises(StopIteration) as stop:
        generator.send("b")
    assert stop.value.value == ["a", "b"]


@pytest.mark.parametrize("inputs, error", [
    ([], "cannot be empty"), ((), "cannot be empty"),
    ([autograd.ones(2)], "does not require grad"), (autograd.ones(2), "does not require grad"),
    ([autograd.ones(2, requires_grad=True), autograd.zeros(1)], r"inputs\[1\]"),
    ([1.0], "not a Tensor"),
])
@pytest.mark.parametrize("call", ["backward", "grad"])
def test_backward_and_grad_refuse_inputs_as_pytorch_does(inputs, error, call):
    x = autograd.ones(2, requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises((RuntimeError, TypeError), match=error):
        y.backward(inputs=inputs) if call == "backward" else autograd.grad(y, inputs)
    assert x.grad is None


# --- errors a user can act on: dims that are not ints, gradients that are not real -----------

_DIM_METHODS = ["sum", "mean", "var", "std", "amax", "amin", "softmax", "log_softmax", "argmax", "argmin",
                "logsumexp", "max", "min", "all", "any", "flatten", "unsqueeze", "squeeze", "cumsum"]


@given(name=st.sampled_from(_DIM_METHODS),
       dim=st.one_of(st.floats(allow_nan=False).filter(lambda v: not v.is_integer()), st.text(max_size=2),
                     st.lists(st.floats(0.1, 0.9), min_size=1, max_size=2), st.just(1j)),
       ndim=st.integers(1, 3))
def test_a_dim_that_is_not_an_int_raises_a_type_error_naming_dim(name, dim, ndim):
    """sum(dim=1.5) and friends: a TypeError that says dim must be an int, not NumPy's."""
    x = autograd.ones((2,) * ndim)
    if not hasattr(x, name):
        return  # an op another branch adds
    with pytest.raises(TypeError, match="dim must be an int|must be an int"):
        getattr(x, name)(dim)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "unsqueeze", "logsumexp"])
def test_ops_of_one_dim_refuse_none(name):
    with pytest.raises(TypeError, match="dim must be an int, but found NoneType None"):
        getattr(autograd.ones(2, 3), name)(None)


def _function_with_backward(returned):
    class Odd(Function):
        @staticmethod
        def forward(ctx, x):
            return x.numpy() * 2

        @staticmethod
        def backward(ctx, grad):
            return returned

    return Odd


@given(returned=st.one_of(
    st.sampled_from([1.5, 2, "g", b"g", None, {"a": 1}, {1}, 1j, [1.0, 2.0], (1.0,)]),
    hnp.arrays(st.sampled_from(["U2", "S2", object, np.complex64, np.complex128, "datetime64[s]"]), (2,)),
), create_graph=st.booleans())
def test_a_backward_returning_no_real_gradient_raises_naming_the_function(returned, create_graph):
    """A complex array lost its imaginary part, an object array became numbers."""
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    y = _function_with_backward(returned).apply(x).sum()
    if returned is None:
        assert autograd.grad(y, x, allow_unused=True)[0] is None
        return
    with pytest.raises((TypeError, RuntimeError), match="OddBackward: backward returned"):
        autograd.grad(y, x, create_graph=create_graph)


@given(size=st.one_of(st.integers(-5, 0), st.sampled_from([0.0, 1.5, -1.0, np.int64(0), "2", None])),
       length=st.integers(1, 6))
def test_split_and_chunk_refuse_sizes_that_are_not_positive_ints(size, length):
    """split(0) raised ZeroDivisionError; floats were truncated."""
    x = autograd.ones(length)
    with pytest.raises((RuntimeError, TypeError), match="split_size|chunks|must be an int"):
        x.split(size)
    with pytest.raises((RuntimeError, TypeError), match="chunks|must be an int|greater than 0"):
        x.chunk(size)


@given(step=st.sampled_from([0, 0.0, -0.0, np.int64(0), np.float32(0)]), start=st.integers(-3, 3),
       end=st.integers(-3, 3))
def test_arange_with_a_zero_step_raises_as_in_pytorch(step, start, end):
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        autograd.arange(start, end, step)


# --- found by differential fuzzing against PyTorch ------------------------------------------


@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=3), empty=st.sampled_from([[], ()]),
       name=st.sampled_from(["sum", "mean", "var", "std", "amax", "amin"]), keepdim=st.booleans())
def test_a_reduction_over_an_empty_dim_list_reduces_everything_as_in_pytorch(shape, empty, name, keepdim):
    """sum(dim=[]) returned the input unreduced; PyTorch sums over all dims."""
    data = np.random.default_rng(0).standard_normal(shape).astype(np.float64) + 3
    x = autograd.tensor(data)
    got = getattr(x, name)(empty, keepdim=keepdim)
    full = getattr(x, name)(None, keepdim=keepdim)
    np.testing.assert_allclose(got.numpy(), full.numpy(), equal_nan=True)
    assert got.shape == full.shape


@given(name=st.sampled_from(["sum", "mean", "amax", "softmax", "unsqueeze", "squeeze", "flatten", "transpose"]),
       flag=st.booleans())
def test_a_bool_is_not_a_dim(name, flag):
    x = autograd.ones(2, 3)
    with pytest.raises(TypeError, match="must be an int"):
        getattr(x, name)(flag) if name != "transpose" else x.transpose(flag, 0)
    with pytest.raises(TypeError, match="must be an int"):
        autograd.zeros(flag)


@pytest.mark.parametrize("unbiased", [True, False])
def test_var_and_std_of_a_bool_are_pytorchs_unbiased_overload(unbiased):
    data = np.arange(6.0).reshape(2, 3)
    x = autograd.tensor(data)
    np.testing.assert_allclose(x.var(unbiased).item(), np.var(data, ddof=int(unbiased)))
    np.testing.assert_allclose(x.std(unbiased).item(), np.std(data, ddof=int(unbiased)))


@given(array=hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4).map(lambda s: s[:-1] + (4,)),
                        elements=st.floats(-1e3, 1e3, width=32)),
       dtype=st.sampled_from([np.int32, np.uint8, np.float16, np.int16, np.float64, np.int64, np.float32]))
def test_view_of_a_dtype_reads_the_same_bytes_as_pytorch_does(array, dtype):
    """view(dtype) cast the values (x.to(dtype)); PyTorch reinterprets the memory."""
    x = autograd.tensor(array, requires_grad=True)
    y = x.view(autograd.dtypes.check_dtype(dtype, "test"))
    np.testing.assert_array_equal(y.numpy(), array.view(dtype))
    assert np.shares_memory(y.numpy(), x.numpy()) and (y is x or not y.requires_grad)


@pytest.mark.parametrize("bad", [None, b"i", "int32", autograd.tensor([1, 2]), 1.5])
def test_view_refuses_what_is_neither_a_shape_nor_a_dtype(bad):
    with pytest.raises(TypeError):
        autograd.ones(2, 4).view(bad)


@given(op=st.sampled_from(["<", "<=", ">", ">="]),
       other=st.sampled_from([1j, None, "a", b"a", np.array([1j, 2, 3]), {}, object(), slice(None), [[1], [2, 3]],
                              np.dtype("float32")]),
       dtype=st.sampled_from([np.float32, np.int64]))
def test_comparisons_refuse_what_is_not_a_real_number(op, other, dtype):
    x = autograd.tensor(np.array([1, 2, 3], dtype=dtype))
    compare = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
    with pytest.raises((TypeError, ValueError), match="complex|holds numbers|unsupported|ragged"):
        compare[op](x, other)


@example(op="//", other=[[1], [2, 3]], dtype=np.int64)  # found by the intense profile: the zero check came first
@given(op=st.sampled_from(["+", "*", "-", "/", "**", "//", "%", "maximum"]),
       other=st.sampled_from([np.dtype("float32"), {}, object(), slice(None), [[1], [2, 3]], {1, 2}]),
       dtype=st.sampled_from([np.float32, np.int64]))
def test_arithmetic_refuses_operands_that_are_not_numbers(op, other, dtype):
    """An int tensor times np.dtype('float32') gave a tensor of dtype objects."""
    x = autograd.tensor(np.array([1, 2, 3], dtype=dtype))
    fns = {"+": lambda a, b: a + b, "*": lambda a, b: a * b, "-": lambda a, b: a - b, "/": lambda a, b: a / b,
           "**": lambda a, b: a**b, "//": lambda a, b: a // b, "%": lambda a, b: a % b,
           "maximum": lambda a, b: autograd.maximum(a, b)}
    with pytest.raises((TypeError, ValueError), match="unsupported|ragged|holds numbers"):
        fns[op](x, other)


@given(value=st.sampled_from([None, "3", b"3", [], [1, 2], {}, object(), float("nan"), float("inf"), 1j, True]),
       which=st.sampled_from(["arange end", "arange step", "linspace end", "linspace steps", "eye n"]))
def test_creation_functions_refuse_arguments_that_are_not_numbers(value, which):
    calls = {"arange end": lambda v: autograd.arange(v), "arange step": lambda v: autograd.arange(0, 5, v),
             "linspace end": lambda v: autograd.linspace(0, v, 3), "linspace steps": lambda v: autograd.linspace(0, 1, v),
             "eye n": lambda v: autograd.eye(v)}
    with pytest.raises(TypeError, match="must be|must be an int"):
        calls[which](value)
