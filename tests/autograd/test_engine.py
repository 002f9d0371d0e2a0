"""The engine's behaviour: accumulation, retain_graph, hooks, grad mode, deep graphs,
the Function interface."""

import threading

import numpy as np
import pytest

import autograd
from autograd import Function, Tensor


def leaf(values, dtype=np.float64):
    return autograd.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def test_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy() + 3.0)


def test_a_tensor_used_twice_gets_both_contributions():
    x = leaf([1.5, -2.0])
    y = x * x + x  # d/dx = 2x + 1
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy() + 1)


def test_diamond_graph_visits_each_node_once_with_the_summed_gradient():
    x = leaf([0.3, 0.7])
    h = x.exp()
    y = (h * 2.0 + h.sin()).sum()
    y.backward()
    expected = np.exp(x.numpy()) * (2.0 + np.cos(np.exp(x.numpy())))
    np.testing.assert_allclose(x.grad.numpy(), expected)


def test_second_backward_through_freed_graph_says_retain_graph():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x.exp()).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(x.numpy()))


def test_backward_of_non_scalar_needs_gradient():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="gradient"):
        (x * 2.0).backward()
    (x * 2.0).backward(gradient=autograd.tensor([1.0, 10.0], dtype=np.float64))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 20.0])


def test_backward_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        autograd.tensor([1.0]).sum().backward()


def test_leaf_gradients_never_share_memory():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.numpy()[0] = 100.0
    assert b.grad.numpy()[0] == 1.0


def test_leaf_hook_sees_the_total_gradient_and_can_replace_it():
    x = leaf([1.0, 2.0])
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.numpy().copy()) or g * 10.0)
    (x * x + x).sum().backward()
    np.testing.assert_allclose(seen[0], 2 * x.numpy() + 1)
    np.testing.assert_allclose(x.grad.numpy(), 10 * (2 * x.numpy() + 1))
    handle.remove()
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy())


def test_hook_on_intermediate_changes_what_flows_upstream():
    x = leaf([1.0, 2.0])
    h = x * 3.0
    h.register_hook(lambda g: g * 0.0 + 1.0)
    (h * h).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


@pytest.mark.parametrize("on_leaf", [True, False])
@pytest.mark.parametrize("bad", [
    lambda g: autograd.ones(5, dtype=autograd.float64),  # another shape
    lambda g: g.float(),  # another dtype
    lambda g: g.numpy() * 2,  # not a Tensor
])
def test_a_hook_that_changes_the_gradients_shape_or_type_raises_naming_it(on_leaf, bad):
    def doubler(g):
        return bad(g)

    x = leaf([1.0, 2.0, 3.0])
    h = x if on_leaf else x * 3.0
    h.register_hook(doubler)
    with pytest.raises(RuntimeError, match=r"hook 'test_a_hook.*doubler' has changed the type or size"):
        (h * h).sum().backward()
    assert x.grad is None  # nothing was accumulated


def test_retain_grad_keeps_intermediate_gradient():
    x = leaf([1.0, 2.0])
    h = x * 3.0
    h.retain_grad()
    assert h.retains_grad and not h.is_leaf
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), 2 * h.numpy())
    other = x * 2.0
    (other * other).sum().backward()
    assert other.grad is None


def test_no_grad_records_nothing_and_works_as_decorator():
    x = leaf([1.0])
    with autograd.no_grad():
        y = x * 2.0
    assert not y.requires_grad and y.grad_fn is None

    @autograd.no_grad()
    def double(t):
        return t * 2.0

    assert double(x).grad_fn is None
    assert autograd.is_grad_enabled()
    with autograd.no_grad():
        with autograd.enable_grad():
            assert (x * 2.0).requires_grad


def test_set_grad_enabled_as_call_and_context():
    try:
        autograd.set_grad_enabled(False)
        assert not autograd.is_grad_enabled()
    finally:
        autograd.set_grad_enabled(True)
    with autograd.set_grad_enabled(False):
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()


def test_grad_mode_is_thread_local():
    results = {}
    entered, checked = threading.Event(), threading.Event()

    def other_thread():
        entered.wait()
        results["other"] = autograd.is_grad_enabled()
        x = leaf([1.0])
        results["records"] = (x * 2.0).requires_grad
        checked.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    with autograd.no_grad():
        entered.set()
        checked.wait()
        results["main"] = autograd.is_grad_enabled()
    thread.join()
    assert results == {"other": True, "records": True, "main": False}


def test_deep_chain_backprops_without_recursion():
    x = autograd.Value(1.0)
    y = x
    for _ in range(200_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == pytest.approx(1.0)
    t = leaf(1.0)
    u = t
    for _ in range(50_000):
        u = u * 1.0
    u.backward()
    assert t.grad.item() == pytest.approx(1.0)


def test_detach_and_requires_grad_():
    x = leaf([1.0, 2.0])
    y = x * 2.0
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and np.shares_memory(d.numpy(), y.numpy())
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_()
    z = autograd.tensor([1.0]).requires_grad_()
    assert z.requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        autograd.tensor([1, 2]).requires_grad_()


def test_grad_fn_names_and_next_functions():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = (x * w).relu().sum()
    assert y.grad_fn.name() == "SumBackward0"
    (relu, _), _, _ = y.grad_fn.next_functions
    assert relu.name() == "ReluBackward0"
    (mul, _), = relu.next_functions
    assert mul.name() == "MulBackward0"
    names = [fn.name() for fn, _ in mul.next_functions]
    assert names == ["AccumulateGrad", "AccumulateGrad"]
    assert mul.next_functions[0][0].variable is x
    c = autograd.tensor([1.0], dtype=np.float64)
    (_, _), (none, _) = (x * c).grad_fn.next_functions
    assert none is None


class ScaledCube(Function):
    """A user op: y = k x^3, with a non-tensor argument."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(x)
        ctx.k = k
        return Tensor._make(k * x.numpy()**3, False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        assert ctx.needs_input_grad == (True, False)
        return grad * 3.0 * ctx.k * x * x, None


def test_user_function_goes_through_the_same_engine():
    x = leaf([1.0, -2.0])
    y = ScaledCube.apply(x, 2.0)
    assert y.grad_fn.name() == "ScaledCubeBackward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6.0 * x.numpy()**2)


class SplitSigns(Function):
    """Two outputs: the positive and the negative part."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.maximum(x.numpy(), 0), np.minimum(x.numpy(), 0)

    @staticmethod
    def backward(ctx, grad_pos, grad_neg):
        (x,) = ctx.saved_tensors
        pos = autograd.tensor(x.numpy() > 0, dtype=x.dtype)
        return grad_pos * pos + grad_neg * (1.0 - pos)


def test_multi_output_function_gets_one_gradient_per_output():
    x = leaf([1.0, -2.0, 3.0])
    pos, neg = SplitSigns.apply(x)
    (pos * 2.0 + neg * 5.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 5.0, 2.0])
    x.grad = None
    pos, _ = SplitSigns.apply(x)  # the unused output's gradient is zeros
    pos.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 0.0, 1.0])


class WrongCount(Function):
    @staticmethod
    def forward(ctx, x, y):
        return x.numpy() + y.numpy()

    @staticmethod
    def backward(ctx, grad):
        return grad


def test_backward_returning_the_wrong_number_of_gradients_is_reported():
    with pytest.raises(RuntimeError, match="WrongCountBackward.*2 arguments"):
        WrongCount.apply(leaf([1.0]), leaf([2.0])).sum().backward()


def test_integer_outputs_do_not_require_grad():
    x = leaf([1.0, 2.0])
    assert not x.argmax().requires_grad
    assert not (x > 1.0).requires_grad
    values, indices = leaf([[1.0, 5.0], [7.0, 2.0]]).max(dim=1)
    assert values.requires_grad and not indices.requires_grad
    assert indices.dtype == np.int64


def test_function_apply_passes_keyword_arguments_to_forward():
    class Scale(Function):
        @staticmethod
        def forward(ctx, x, factor=2.0):  # y = factor x
            ctx.factor = factor
            return x.numpy() * factor

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.factor

    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    Scale.apply(x, factor=3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])
    with autograd.no_grad():
        np.testing.assert_array_equal(Scale.apply(x, factor=5.0).numpy(), [5.0, 10.0])


def test_a_nodes_gradient_goes_to_a_leaf_a_node_and_nowhere():
    a, b = autograd.tensor([1.0, 2.0], requires_grad=True), autograd.tensor([3.0, 4.0])
    c = a * 2.0
    seen = {}

    class Three(Function):
        @staticmethod
        def forward(ctx, x, y, z):  # x + y + z
            seen["needs"] = ctx.needs_input_grad
            return x.numpy() + y.numpy() + z.numpy()

        @staticmethod
        def backward(ctx, grad):
            return grad, grad, grad

    Three.apply(a, b, c).sum().backward()
    assert seen["needs"] == (True, False, True)
    with autograd.no_grad():  # forward unrecorded: no input needs a gradient, as in PyTorch
        Three.apply(a, b, c)
    assert seen["needs"] == (False, False, False)
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 3.0])  # 1 directly + 2 through c
    assert b.grad is None


@pytest.mark.parametrize("bad", [1.5, [1.0, 2.0], "grad"])
@pytest.mark.parametrize("create_graph", [False, True])
def test_a_backward_that_returns_no_tensor_raises_naming_the_function(bad, create_graph):
    class Odd(Function):
        @staticmethod
        def forward(ctx, x):
            return x.numpy() * 2

        @staticmethod
        def backward(ctx, grad):
            return bad

    x = leaf([1.0, 2.0])
    with pytest.raises(TypeError, match=rf"OddBackward: backward returned a {type(bad).__name__} as the gradient of argument 0"):
        autograd.grad(Odd.apply(x).sum(), x, create_graph=create_graph)


def test_torch_autograd_names_under_import_autograd_as_torch():
    torch = autograd  # what a PyTorch script sees after `import autograd as torch`
    assert torch.autograd.Function is autograd.Function and torch.autograd.grad is autograd.grad
    assert torch.autograd.functional is autograd.functional and torch.autograd.gradcheck is autograd.gradcheck
    x = leaf([0.5, 1.0])
    torch.autograd.backward([(x**3).sum(), (x * x).sum()], [autograd.tensor(2.0), None])
    np.testing.assert_allclose(x.grad.numpy(), 2 * 3 * x.numpy() ** 2 + 2 * x.numpy())
    with pytest.raises(RuntimeError, match="grad_tensors"):
        torch.autograd.backward([(x**3).sum()], [None, None])
    w = leaf([2.0])
    torch.autograd.backward((x * w).sum(), inputs=[w])
    np.testing.assert_allclose(w.grad.numpy(), [1.5])
