"""The gradient-checking toolkit itself: gradcheck, gradgradcheck, autograd.testing, the check command."""

import numpy as np
import pytest
from hypothesis import strategies as st

import autograd
from autograd import Function, GradcheckError
from autograd.check import main as check_main
from autograd.testing import broadcastable_shapes, check_gradients, shapes, tensors


def leaf(shape, seed=0):
    return autograd.tensor(np.random.default_rng(seed).uniform(0.5, 2.0, shape), requires_grad=True)


class WrongTanh(Function):
    """tanh with a backward off by 10% (a deliberate bug)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.tanh(x.numpy())

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (1.0 - x.tanh() * x.tanh()) * 1.1


class ForgetsBroadcast(Function):
    """a + b with b broadcast along dim 0, whose backward "reduces" b's gradient by
    taking the first row instead of summing (a deliberate bug)."""

    @staticmethod
    def forward(ctx, a, b):
        return a.numpy() + b.numpy()

    @staticmethod
    def backward(ctx, grad):
        return grad, grad[0]


class Float32Inside(Function):
    """x^3 whose backward computes in float32: right to 1e-7, wrong at float64's 1e-12."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.numpy()**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return (grad * 3.0 * x * x).float().double()


def test_gradcheck_passes_correct_functions_first_and_second_order():
    a, b = leaf((3, 4)), leaf((4,), 1)
    assert autograd.gradcheck(lambda x, y: (x * y).tanh().sum(0), (a, b))
    assert autograd.gradgradcheck(lambda x, y: (x @ y).exp(), (a, b))


def test_a_wrong_backward_is_caught_with_a_locating_message():
    x = leaf((2, 3))
    with pytest.raises(GradcheckError) as info:
        autograd.gradcheck(WrongTanh.apply, (x,))
    error = info.value
    message = str(error)
    assert "output 0 with respect to input 0" in message
    assert "numerical" in message and "analytical" in message and "relative error" in message
    assert error.numerical.shape == error.analytical.shape == (2, 3, 2, 3)
    assert error.max_error == pytest.approx(0.1, rel=1e-3)
    assert not autograd.gradcheck(WrongTanh.apply, (x,), raise_exception=False)


def test_a_wrong_broadcasting_reduction_is_caught():
    a, b = leaf((3, 2)), leaf((2,), 1)
    with pytest.raises(GradcheckError, match="input 1"):
        autograd.gradcheck(ForgetsBroadcast.apply, (a, b))


def test_a_gradient_right_only_at_float32_precision_is_caught_at_float64():
    x = leaf((3,))
    # float32 resolution passes a float32-sized tolerance ...
    assert autograd.gradcheck(Float32Inside.apply, (x,), atol=1e-4, rtol=1e-4)
    # ... but the default float64 check sees it
    with pytest.raises(GradcheckError):
        autograd.gradcheck(Float32Inside.apply, (x,), atol=1e-9, rtol=1e-9)


def test_float32_inputs_get_advice():
    x = autograd.tensor(np.array([0.5, 1.0], dtype=np.float32), requires_grad=True)
    with pytest.warns(UserWarning, match="float64"):
        autograd.gradcheck(lambda t: t * 2.0, (x,), raise_exception=False)


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class WrongSecond(Function):
        """x^2 whose backward uses a detached x: right first derivative, zero second."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.numpy()**2

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2.0 * x.detach()

    x = leaf((3,))
    assert autograd.gradcheck(WrongSecond.apply, (x,))
    with pytest.raises(GradcheckError):
        autograd.gradgradcheck(WrongSecond.apply, (x,))


def test_strategies_draw_what_they_promise():
    from hypothesis import given, settings

    @settings(max_examples=30)
    @given(shapes(min_dims=1, max_dims=3, max_side=4), broadcastable_shapes(num_shapes=3),
           st.data())
    def run(shape, triple, data):
        assert 1 <= len(shape) <= 3 and all(1 <= s <= 4 for s in shape)
        np.broadcast_shapes(*triple)  # raises if they don't broadcast
        t = data.draw(tensors(shape, avoid=(0.0,), margin=0.1))
        assert t.shape == shape and t.dtype == np.float64 and t.requires_grad
        assert np.all(np.abs(t.numpy()) > 0.1)
        gapped = data.draw(tensors((5,), min_gap=0.05))
        assert np.min(np.diff(np.sort(gapped.numpy()))) > 0.05

    run()


def test_check_gradients_passes_good_ops_and_shrinks_a_bad_one():
    check_gradients(lambda a, b: (a * b).sin(), tensors((2, 3)), tensors((3,)), order=2, max_examples=10)
    with pytest.raises(GradcheckError):
        check_gradients(WrongTanh.apply, tensors(shapes(max_dims=2)), max_examples=10)


def test_check_gradients_checks_a_modules_parameters():
    import nn

    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh()).double()
    check_gradients(model, tensors((4, 3)), max_examples=5)


def test_the_check_command_prints_one_line_per_op(capsys):
    assert check_main(["tanh", "matmul"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.endswith(" ok")]
    assert any(line.startswith("tanh") for line in lines)
    assert sum(line.startswith("matmul") for line in lines) >= 5
    assert "0 failed" in out
