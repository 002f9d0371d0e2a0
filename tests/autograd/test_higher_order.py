"""autograd.grad, create_graph, autograd.functional, in-place rules, anomaly detection."""

import threading

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import functional as AF


def leaf(values):
    return autograd.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


vectors = hnp.arrays(np.float64, st.integers(1, 4), elements=st.floats(-2, 2))


# --- autograd.grad --------------------------------------------------------------


def test_grad_returns_gradients_without_touching_dot_grad():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    gx, gy = autograd.grad((x * y).sum(), (x, y))
    np.testing.assert_allclose(gx.numpy(), y.numpy())
    np.testing.assert_allclose(gy.numpy(), x.numpy())
    assert x.grad is None and y.grad is None


def test_grad_of_an_intermediate():
    x = leaf([1.0, 2.0])
    h = x * 3.0
    (gh,) = autograd.grad((h * h).sum(), h)
    np.testing.assert_allclose(gh.numpy(), 2 * h.numpy())


def test_grad_unused_input_needs_allow_unused():
    x, unused = leaf([1.0]), leaf([2.0])
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        autograd.grad((x * 2.0).sum(), (x, unused))
    x2 = leaf([1.0])
    _, g = autograd.grad((x2 * 2.0).sum(), (x2, unused), allow_unused=True)
    assert g is None
    x3 = leaf([1.0])
    _, g = autograd.grad((x3 * 2.0).sum(), (x3, unused), materialize_grads=True)
    np.testing.assert_array_equal(g.numpy(), [0.0])


def test_grad_outputs_weights_the_outputs():
    x = leaf([1.0, 2.0, 3.0])
    v = autograd.tensor(np.array([1.0, -1.0, 0.5]))
    (g,) = autograd.grad(x * x, x, grad_outputs=v)
    np.testing.assert_allclose(g.numpy(), 2 * x.numpy() * v.numpy())


@given(vectors)
def test_gradient_penalty_second_derivative(values):
    # f = sum(sin(x) * x); g = f' = cos(x) x + sin(x); d/dx sum(g^2) = 2 g g'
    x = leaf(values)
    (g,) = autograd.grad((x.sin() * x).sum(), x, create_graph=True)
    penalty = (g * g).sum()
    penalty.backward()
    first = np.cos(values) * values + np.sin(values)
    second = -np.sin(values) * values + 2 * np.cos(values)
    np.testing.assert_allclose(x.grad.numpy(), 2 * first * second, rtol=1e-10, atol=1e-12)


def test_third_derivative_of_a_power():
    x = leaf(1.7)
    (g1,) = autograd.grad(x**4, x, create_graph=True)
    (g2,) = autograd.grad(g1, x, create_graph=True)
    (g3,) = autograd.grad(g2, x)
    assert g3.item() == pytest.approx(24 * 1.7)


# --- autograd.functional ---------------------------------------------------------


@given(vectors)
def test_hessian_of_closed_forms(values):
    x = autograd.tensor(values)
    # f = sum(x^3) + (sum x)^2: H = diag(6x) + 2
    h = AF.hessian(lambda t: (t**3).sum() + t.sum() ** 2, x)
    np.testing.assert_allclose(h.numpy(), np.diag(6 * values) + 2.0, rtol=1e-10, atol=1e-10)


def test_hessian_of_a_quadratic_form_is_symmetric_part():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, 3))
    At = autograd.tensor(A)
    h = AF.hessian(lambda t: t @ At @ t, autograd.tensor(rng.standard_normal(3)))
    np.testing.assert_allclose(h.numpy(), A + A.T, rtol=1e-12)


@given(vectors)
def test_jacobian_of_elementwise_and_matrix_maps(values):
    x = autograd.tensor(values)
    j = AF.jacobian(lambda t: t.exp() * 2.0, x)
    np.testing.assert_allclose(j.numpy(), np.diag(2 * np.exp(values)), rtol=1e-12)
    W = np.arange(2 * len(values), dtype=np.float64).reshape(2, -1)
    j = AF.jacobian(lambda t: autograd.tensor(W) @ t, x)
    np.testing.assert_allclose(j.numpy(), W)


def test_jacobian_with_several_inputs_and_outputs():
    a, b = autograd.tensor([1.0, 2.0], dtype=autograd.float64), autograd.tensor(3.0, dtype=autograd.float64)
    (ja, jb), (ka, kb) = AF.jacobian(lambda a, b: (a * b, (a * a).sum()), (a, b))
    np.testing.assert_allclose(ja.numpy(), np.eye(2) * 3.0)
    np.testing.assert_allclose(jb.numpy(), a.numpy())
    np.testing.assert_allclose(ka.numpy(), 2 * a.numpy())
    assert kb.shape == () and kb.item() == 0.0


def test_vjp_jvp_hvp_vhp_agree_with_the_jacobian():
    rng = np.random.default_rng(1)
    x = autograd.tensor(rng.standard_normal(3))
    v_out, v_in = autograd.tensor(rng.standard_normal(2)), autograd.tensor(rng.standard_normal(3))
    M = autograd.tensor(rng.standard_normal((2, 3)))

    def f(t):
        return (M @ t).tanh()

    J = AF.jacobian(f, x).numpy()
    out, vjp = AF.vjp(f, x, v_out)
    np.testing.assert_allclose(out.numpy(), f(x).numpy())
    np.testing.assert_allclose(vjp.numpy(), v_out.numpy() @ J, rtol=1e-10)
    _, jvp = AF.jvp(f, x, v_in)
    np.testing.assert_allclose(jvp.numpy(), J @ v_in.numpy(), rtol=1e-10)

    def scalar(t):
        return (t.sin() * t).sum()

    H = AF.hessian(scalar, x).numpy()
    _, hvp = AF.hvp(scalar, x, v_in)
    _, vhp = AF.vhp(scalar, x, v_in)
    np.testing.assert_allclose(hvp.numpy(), H @ v_in.numpy(), rtol=1e-10)
    np.testing.assert_allclose(vhp.numpy(), v_in.numpy() @ H, rtol=1e-10)


def test_functional_strict_rejects_independent_outputs():
    x = autograd.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="independent"):
        AF.jacobian(lambda t: autograd.ones(2), x, strict=True)
    np.testing.assert_array_equal(AF.jacobian(lambda t: autograd.ones(2) + t * 0.0, x).numpy(), np.zeros((2, 2)))


# --- in-place rules --------------------------------------------------------------


def test_in_place_on_a_leaf_that_requires_grad_raises_outside_no_grad():
    w = leaf([1.0, 2.0])
    for op in (lambda: w.add_(1.0), lambda: w.zero_(), lambda: w.mul_(2.0), lambda: w.__setitem__(0, 1.0)):
        with pytest.raises(RuntimeError, match="leaf"):
            op()
    with autograd.no_grad():
        w.sub_(autograd.tensor([0.5, 0.5], dtype=autograd.float64))
        w.mul_(2.0)
    np.testing.assert_allclose(w.numpy(), [1.0, 3.0])
    assert w.is_leaf and w.requires_grad


def test_modifying_a_saved_tensor_makes_backward_raise_with_versions():
    x = leaf([1.0, 2.0])
    h = x * 2.0
    y = (h * h).sum()
    h.add_(1.0)
    with pytest.raises(RuntimeError, match="MulBackward.*version 1; expected version 0"):
        y.backward()


def test_modifying_a_saved_output_is_caught_too():
    x = leaf([1.0, 2.0])
    y = x.exp()
    loss = y.sum()
    y.mul_(2.0)
    with pytest.raises(RuntimeError, match="ExpBackward"):
        loss.backward()


def test_views_share_the_version_counter():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    c = autograd.tensor(np.ones((2, 2)))
    y = (x * c).sum()  # saves c
    row = c[0]
    row.mul_(3.0)
    assert c.numpy()[0, 0] == 3.0  # the view wrote into c's memory
    with pytest.raises(RuntimeError, match="inplace"):
        y.backward()


def test_in_place_ops_are_differentiated():
    x = leaf([1.0, 2.0, 3.0])
    h = x.sin()
    h.mul_(2.0)
    h += x
    h[1] = 0.0
    h.sum().backward()
    expected = 2 * np.cos(x.numpy()) + 1
    expected[1] = 0.0
    np.testing.assert_allclose(x.grad.numpy(), expected)


def test_setitem_sends_gradient_to_the_value():
    x, v = leaf([1.0, 2.0, 3.0]), leaf(5.0)
    h = x * 1.0
    h[::2] = v * 3.0
    (h * autograd.tensor([1.0, 10.0, 100.0], dtype=autograd.float64)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 10.0, 0.0])
    assert v.grad.item() == pytest.approx(3.0 * 101.0)


def test_in_place_that_would_change_dtype_raises():
    counts = autograd.arange(3)
    with pytest.raises(RuntimeError, match="can't be cast"):
        counts += 0.5
    counts += 1
    assert counts.tolist() == [1, 2, 3] and counts.dtype == autograd.int64


def test_copy_fill_zero_clamp():
    t = autograd.zeros(2, 2)
    t.copy_(autograd.tensor([1.0, -5.0]))
    assert t.tolist() == [[1.0, -5.0], [1.0, -5.0]]
    t.clamp_(min=-1.0)
    assert t.tolist() == [[1.0, -1.0], [1.0, -1.0]]
    t.fill_(3.0)
    assert t.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    t.zero_()
    assert t.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    src = leaf([1.0, 2.0])
    dst = autograd.zeros(2, dtype=autograd.float64)
    dst.copy_(src * 2.0)
    dst.sum().backward()
    np.testing.assert_allclose(src.grad.numpy(), [2.0, 2.0])


# --- anomaly detection ------------------------------------------------------------


def test_detect_anomaly_names_the_forward_op_and_where_it_was_created():
    x = leaf([0.0, 1.0])
    with autograd.detect_anomaly():
        y = x.sqrt()  # d sqrt / dx at 0 is infinite
        with pytest.raises(RuntimeError) as info:
            y.sum().backward()
    message = str(info.value)
    assert "SqrtBackward" in message and "infinite" in message
    assert "test_higher_order.py" in message  # the traceback of the forward call


def test_detect_anomaly_as_decorator_and_nan():
    @autograd.detect_anomaly()
    def run():
        x = leaf([-1.0])
        x.log().sum().backward()  # log(-1) is nan in forward; its gradient -1 is finite
        z = leaf([0.0])
        (z.sqrt() * 0.0).sum().backward()  # 0 * inf = nan

    with pytest.raises(RuntimeError, match="nan"):
        run()
    assert not autograd.is_anomaly_enabled()


def test_without_anomaly_detection_nan_passes_silently():
    z = leaf([0.0])
    (z.sqrt() * 0.0).sum().backward()
    assert np.isnan(z.grad.numpy()[0])


def test_anomaly_mode_is_per_thread_like_grad_mode():
    seen = {}

    def other_thread():
        x = autograd.tensor([0.0], requires_grad=True)
        seen["enabled"] = autograd.is_anomaly_enabled()
        (x.sqrt() * 0.0).sum().backward()  # a NaN gradient (0 * inf), unchecked in this thread
        seen["grad"] = x.grad.numpy().copy()

    with autograd.detect_anomaly():
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert autograd.is_anomaly_enabled()
    assert seen["enabled"] is False and np.isnan(seen["grad"]).all()
