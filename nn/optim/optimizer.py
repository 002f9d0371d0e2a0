"""`Optimizer`: parameter groups, per-parameter state and PyTorch's state_dict format.

A subclass gives its hyperparameters' `defaults` and an `_update(p, grad, group)`
that changes `p` in place; `step()` runs it, under `no_grad()`, for every
parameter that has a gradient.
"""

from __future__ import annotations

import copy
import warnings
from collections import defaultdict

import numpy as np

from autograd import Tensor, enable_grad, from_numpy, no_grad


class Optimizer:
    """Base class: `Optimizer(params, defaults)`, where `params` is an iterable of
    tensors or of dicts (parameter groups, each with a "params" list and optional
    per-group hyperparameters overriding `defaults`)."""

    def __init__(self, params, defaults: dict):
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, "
                "but got a Tensor; wrap it in a list: [tensor]"
            )
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"

    def add_param_group(self, param_group: dict) -> None:
        """Add a group (a dict with "params"); missing hyperparameters come from `defaults`."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering "
                "of tensors in sets will change between runs. Please use a list instead."
            )
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}"
                )
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        param_group["params"] = params
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; they will be updated twice",
                stacklevel=3,
            )
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        if taken.intersection(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: set `.grad` to None (default) or fill it with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.detach_()
                    p.grad.zero_()

    def step(self, closure=None):
        """One update of every parameter that has a gradient. `closure()`, if
        given, re-evaluates the model (with grad enabled) and returns the loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        updates = self._checked_updates()
        with no_grad():
            for p, grad, group in updates:
                self._update(p, grad, group)
        return loss

    def _checked_updates(self) -> list:
        """(parameter, its gradient as an array of its dtype, group) for every parameter
        with a gradient, all checked before any update: a gradient of another shape
        (even one that broadcasts) or not floating point, or a hyperparameter that is
        not a number, raises, and no parameter or state has changed."""
        name, updates = type(self).__name__, []
        for k, group in enumerate(self.param_groups):
            _check_hyperparameters(group, self.defaults, name)
            for i, p in enumerate(group["params"]):
                grad = p.grad
                if grad is None:
                    continue
                where = f"{name}.step(): the gradient of parameter {i} in param group {k}"
                if not isinstance(grad, Tensor) or grad.dtype.kind != "f":
                    raise TypeError(f"{where} is {type(grad).__name__} of dtype {getattr(grad, 'dtype', None)}, not a "
                                    "floating point Tensor; nothing was updated")
                if grad.shape != p.shape:
                    raise RuntimeError(f"{where} has shape {grad.shape}, but the parameter has shape {p.shape}; "
                                       "nothing was updated")
                updates.append((p, grad._data.astype(p.dtype, copy=False), group))  # p keeps its dtype
        return updates

    def _update(self, p: Tensor, grad: np.ndarray, group: dict) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement step() or _update(p, grad, group)")

    # --- state dicts: parameters are replaced by their position (0, 1, ...) across groups ---
    def state_dict(self) -> dict:
        """{"state": {param id: {name: value}}, "param_groups": [{..., "params": [ids]}]},
        the ids numbering the parameters in group order. Values are the live tensors."""
        index = {}
        groups = []
        for group in self.param_groups:
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)] if isinstance(p, Tensor) else p: s for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a `state_dict()`: groups must match in number and sizes. State
        tensors are copied (floating ones cast to their parameter's dtype)."""
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
            )
        params = {
            saved: p
            for g, s in zip(self.param_groups, saved_groups)
            for saved, p in zip(s["params"], g["params"])
        }
        state = defaultdict(dict)  # built aside: a bad entry raises with the optimizer as it was
        for key, value in state_dict["state"].items():
            if key in params:
                p = params[key]
                state[p] = {name: _cast(p, v, name) for name, v in value.items()}
            else:
                state[key] = copy.deepcopy(value)
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
        self.state, self.param_groups = state, saved_groups


def _cast(p: Tensor, value, name):
    """A copy of a saved state value; tensors take `p`'s float dtype (except "step")."""
    if isinstance(value, (Tensor, np.ndarray)):
        array = np.array(value._data if isinstance(value, Tensor) else value)
        if name != "step" and p.dtype.kind == "f" and array.dtype.kind == "f":
            array = array.astype(p.dtype, copy=False)
        return from_numpy(array)
    return copy.deepcopy(value)


def _check_hyperparameters(group: dict, defaults: dict, name: str) -> None:
    """The numeric hyperparameters of a group (lr, momentum, betas, ...) must still be
    numbers when step() runs: a group is a plain dict that anyone can change."""
    for key, default in defaults.items():
        if isinstance(default, bool) or not isinstance(default, (int, float, tuple)):
            continue
        value = group.get(key)
        pair = isinstance(default, tuple) and isinstance(value, (tuple, list))  # betas (a list once saved)
        for v in value if pair else (value,):
            number = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
            if not (number or (isinstance(v, Tensor) and v.numel() == 1 and v.dtype.kind in "iuf")):
                raise TypeError(f"{name}.step(): the param group's {key!r} is {value!r}, not a number; "
                                "nothing was updated")


def _zeros_like(p: Tensor, fill=0.0) -> Tensor:
    return from_numpy(np.full_like(p._data, fill))


def _step_counter() -> Tensor:
    """The step count, a 0-d float32 tensor as in PyTorch's state dicts."""
    return from_numpy(np.zeros((), np.float32))


def _check(name: str, value, ok: bool) -> None:
    if not ok:
        raise ValueError(f"Invalid {name}: {value}")
