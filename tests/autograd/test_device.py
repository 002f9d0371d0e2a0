"""The CPU-only device API and `.data` as PyTorch has them."""

import numpy as np
import pytest

import autograd
import nn

CREATION = [
    lambda d: autograd.zeros(2, device=d), lambda d: autograd.ones(2, device=d),
    lambda d: autograd.empty(2, device=d), lambda d: autograd.full((2,), 1.0, device=d),
    lambda d: autograd.eye(2, device=d), lambda d: autograd.arange(3, device=d),
    lambda d: autograd.linspace(0, 1, 3, device=d), lambda d: autograd.rand(2, device=d),
    lambda d: autograd.randn(2, device=d), lambda d: autograd.randint(0, 3, (2,), device=d),
    lambda d: autograd.randperm(3, device=d), lambda d: autograd.tensor([1.0], device=d),
    lambda d: autograd.as_tensor([1.0], device=d),
    lambda d: autograd.zeros_like(autograd.ones(2), device=d),
    lambda d: autograd.randn_like(autograd.ones(2), device=d),
    lambda d: autograd.full_like(autograd.ones(2), 3.0, device=d),
]
LAYERS = [
    lambda d: nn.Linear(2, 3, device=d, dtype=autograd.float64),
    lambda d: nn.Conv2d(1, 2, 3, device=d, dtype=autograd.float64),
    lambda d: nn.BatchNorm1d(3, device=d, dtype=autograd.float64),
    lambda d: nn.LayerNorm(3, device=d, dtype=autograd.float64),
    lambda d: nn.Embedding(4, 3, device=d, dtype=autograd.float64),
]
CPU_NAMES = ["cpu", "cpu:0", autograd.device("cpu"), autograd.device("cpu", 0), None]
OTHER_NAMES = ["cuda", "cuda:0", "mps", autograd.device("cuda", 1), "meta"]


def test_device_objects_as_in_pytorch():
    d = autograd.device("cuda" if autograd.cuda.is_available() else "cpu")
    assert repr(d) == "device(type='cpu')" and str(d) == "cpu" and d.type == "cpu" and d.index is None
    assert autograd.device("cpu:0").index == 0 and str(autograd.device("cpu", 0)) == "cpu:0"
    assert d == "cpu" and d == autograd.device("cpu") and d != "cuda" and d != "nonsense"
    assert autograd.randn(2).device == d and not autograd.randn(2).is_cuda
    assert not autograd.cuda.is_available() and autograd.cuda.device_count() == 0
    assert not autograd.backends.mps.is_available() and not autograd.accelerator.is_available()
    assert autograd.accelerator.current_accelerator() is None
    autograd.set_default_device("cpu")
    assert autograd.get_default_device() == "cpu"
    for bad in ["gpu", "cuda:x", "", "cpu:-1"]:
        with pytest.raises(RuntimeError, match="device"):
            autograd.device(bad)


@pytest.mark.parametrize("make", CREATION + LAYERS)
@pytest.mark.parametrize("name", CPU_NAMES, ids=str)
def test_every_creation_function_and_layer_takes_the_cpu(make, name):
    made = make(name)
    tensors = [made] if isinstance(made, autograd.Tensor) else list(made.parameters())
    assert all(t.device == "cpu" for t in tensors)


@pytest.mark.parametrize("make", CREATION + LAYERS)
@pytest.mark.parametrize("name", OTHER_NAMES, ids=str)
def test_other_devices_raise_saying_why(make, name):
    with pytest.raises(RuntimeError, match="computes on the CPU with NumPy"):
        make(name)


def test_to_accepts_pytorchs_forms():
    x = autograd.randn(2, requires_grad=True)
    assert x.to("cpu") is x and x.to(autograd.device("cpu")) is x and x.cpu() is x
    for y in [x.to(autograd.float64), x.to("cpu", autograd.float64), x.to(device="cpu", dtype=autograd.float64),
              x.to(autograd.zeros(1, dtype=autograd.float64)), x.to("cpu", autograd.float64, non_blocking=True)]:
        assert y.dtype == np.float64 and y.grad_fn is not None
    copied = x.to("cpu", copy=True)
    assert copied is not x and np.shares_memory(copied.numpy(), x.numpy()) is False
    for bad in [lambda: x.to("cuda"), lambda: x.to(0), lambda: x.cuda(), lambda: x.to("cpu", dtype=autograd.float64, cuda=1)]:
        with pytest.raises((RuntimeError, TypeError)):
            bad()
    model = nn.Linear(2, 2)
    assert model.to("cpu") is model and model.to("cpu", autograd.float64).weight.dtype == np.float64
    with pytest.raises(RuntimeError, match="CPU"):
        model.to("cuda")
    with pytest.raises(RuntimeError, match="CPU"):
        model.cuda()


def test_data_is_a_detached_tensor_sharing_memory():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.data
    assert isinstance(d, autograd.Tensor) and not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.numpy(), y.numpy())
    assert float(x.data.pow(2).sum()) == pytest.approx(5.0)
    x.data.add_(1.0)  # not tracked by autograd, visible in x
    np.testing.assert_array_equal(x.numpy(), [2.0, 3.0])
    assert x._version_number == 0


def test_setting_data_replaces_the_storage():
    p = nn.Parameter(autograd.zeros(3))
    p.data = autograd.ones(2, 2, dtype=autograd.float64)
    assert p.shape == (2, 2) and p.dtype == np.float64 and p.requires_grad and isinstance(p, nn.Parameter)
    for bad in [np.ones(3), [1.0, 2.0], 3.0]:
        with pytest.raises(TypeError, match="expected a Tensor"):
            p.data = bad
    assert p.shape == (2, 2)


def test_cuda_seeding_is_accepted_and_changes_nothing():
    autograd.manual_seed(0)
    a = autograd.randn(3)
    autograd.manual_seed(0)
    autograd.cuda.manual_seed(123)
    autograd.cuda.manual_seed_all(5)
    np.testing.assert_array_equal(a.numpy(), autograd.randn(3).numpy())


def test_format_spec_formats_a_0d_tensor_as_its_number():
    x = autograd.tensor([1.23456, 2.0])
    assert f"{x.data[0]:8.3f}" == f"{1.23456:8.3f}"
    assert f"{x[0]:.2f}" == "1.23" and f"{autograd.tensor(7):>3d}" == "  7"
    assert f"{x}" == repr(x)
    with pytest.raises(TypeError, match="format"):
        f"{x:.2f}"
