"""torch.load's arguments on `autograd.load`: `map_location` (onto the CPU only), `weights_only`,
`mmap`, `pickle_module` and the unpickler's `encoding` are accepted where they make sense here
(loading never unpickles, everything lands on the CPU) and refused clearly otherwise."""

from __future__ import annotations

import io

import numpy as np
import pytest

import autograd


@pytest.fixture
def saved():
    buffer = io.BytesIO()
    autograd.save({"w": autograd.tensor([1.0, 2.0])}, buffer)
    return buffer


@pytest.mark.parametrize(
    "kwargs",
    [
        {"map_location": "cpu"},
        {"map_location": "cpu:0", "weights_only": True},
        {"map_location": autograd.device("cpu")},
        {"map_location": None, "weights_only": False, "mmap": False},
        {"map_location": {"cuda:0": "cpu", "cuda:1": autograd.device("cpu")}},
        {"map_location": lambda storage, location: storage},
        {"encoding": "latin1"},
    ],
)
def test_load_accepts_torch_load_arguments_that_mean_the_cpu(saved, kwargs):
    saved.seek(0)
    loaded = autograd.load(saved, **kwargs)
    np.testing.assert_array_equal(loaded["w"].numpy(), [1.0, 2.0])


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"map_location": "cuda"}, RuntimeError, "device 'cuda' is not available; glassgrad computes on the CPU"),
        ({"map_location": autograd.device("mps")}, RuntimeError, "not available"),
        ({"map_location": {"cpu": "cuda:0"}}, RuntimeError, "device 'cuda:0' is not available"),
        ({"map_location": lambda storage, location: storage.cuda()}, RuntimeError, "no GPU here"),
        ({"map_location": lambda storage, location: storage.to("cuda:1")}, RuntimeError, "not available"),
        ({"map_location": "gpu"}, RuntimeError, "expected one of cpu, cuda"),
        ({"pickle_module": object()}, ValueError, "never unpickles"),
        ({"weights_only": "yes"}, TypeError, "weights_only must be a bool or None"),
        ({"fix_imports": True}, TypeError, "unexpected keyword argument 'fix_imports'"),
    ],
)
def test_load_refuses_other_devices_and_unknown_arguments(saved, kwargs, error, message):
    saved.seek(0)
    with pytest.raises(error, match=message):
        autograd.load(saved, **kwargs)
