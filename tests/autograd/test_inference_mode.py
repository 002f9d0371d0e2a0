"""`inference_mode`: a context manager and a decorator (with or without parentheses) under
which ops record no graph, as `no_grad`; `inference_mode(False)` switches recording on.
The flags are compared with PyTorch's through the recorded oracle."""

from __future__ import annotations

import threading

import autograd


def _flags(lib) -> dict:
    t = lib.torch
    x = t.ones(2, requires_grad=True)
    seen = {}
    with t.inference_mode():
        y = x * 2
        leaf = t.ones(2, requires_grad=True)  # a leaf asked to require grad still does, as in PyTorch
        seen["inside"] = [t.is_grad_enabled(), t.is_inference_mode_enabled(), y.requires_grad, leaf.requires_grad]
        with t.inference_mode(False):
            seen["inference_mode(False) inside"] = [t.is_grad_enabled(), t.is_inference_mode_enabled()]
        seen["back inside"] = [t.is_grad_enabled(), t.is_inference_mode_enabled()]
    with t.no_grad(), t.inference_mode(False):
        seen["inference_mode(False) under no_grad"] = [t.is_grad_enabled(), t.is_inference_mode_enabled()]
    seen["after"] = [t.is_grad_enabled(), t.is_inference_mode_enabled(), (x * 2).requires_grad]

    @t.inference_mode
    def bare(v):
        return [t.is_grad_enabled(), (v * 2).requires_grad]

    @t.inference_mode()
    def called(v):
        return [t.is_grad_enabled(), (v * 2).requires_grad]

    @t.inference_mode(mode=False)
    def switched_off(v):
        return [t.is_grad_enabled(), (v * 2).requires_grad]

    seen["decorators"] = [bare(x), called(x), switched_off(x), bare.__name__]
    return seen


def test_inference_mode_matches_torch(torch_oracle):
    torch_oracle.check_same(_flags)


def test_inference_mode_is_per_thread_and_restored_after_an_error():
    seen = []
    with autograd.inference_mode():
        thread = threading.Thread(target=lambda: seen.append(autograd.is_inference_mode_enabled()))
        thread.start()
        thread.join()
    assert seen == [False]
    try:
        with autograd.inference_mode():
            raise ValueError
    except ValueError:
        pass
    assert autograd.is_grad_enabled() and not autograd.is_inference_mode_enabled()
