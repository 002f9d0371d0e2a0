"""`Parameter` and `Module`, the base of every layer and model (PyTorch's `torch.nn.Module`).

A module registers what is assigned to its attributes: a `Parameter` becomes a
parameter, a `Module` a submodule; tensors registered with `register_buffer`
are buffers. Everything else (parameters(), state_dict(), train(), to(), repr)
walks those three registries, in the order of registration.

While a module's forward runs, it is on the module-scope stack:
`current_module_scope()` lists the active `(qualified name, module)` pairs, the
outermost first, so a tool (a graph drawer) can tell which layer made a node.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from autograd import no_grad
from autograd.device import check_device, parse_to
from autograd.grad_mode import node_metadata
from autograd.tensor import Tensor, _array_from, _check_requires_grad

__all__ = ["Module", "Parameter", "current_module_scope"]


class Parameter(Tensor):
    """A Tensor that a Module registers as a parameter when assigned to an attribute;
    it shares memory with the tensor it wraps and requires grad by default."""

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = np.empty((0,), dtype=np.float32)
        array = data._data if isinstance(data, Tensor) else _array_from(data)
        _check_requires_grad(array, requires_grad, "Parameter")
        param = cls._make(array, bool(requires_grad))
        if isinstance(data, Tensor):
            param._version = data._version  # the same memory: in-place changes show in both
        return param

    def __init__(self, data=None, requires_grad=True):
        pass  # everything happens in __new__ (Tensor.__init__ would copy the data)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


# --- the module-scope stack ------------------------------------------------------


def current_module_scope() -> list:
    """The modules whose forward is running in this thread, outermost first, as
    `(qualified name, module)` pairs; names are those of `named_modules()` of the
    outermost module ('' for itself). The engine records it on each graph node
    (`grad_fn.metadata['module_scope']`) for `draw_graph`'s module clusters."""
    return list(node_metadata.current().get("module_scope", ()))


def _scope_name(module, stack) -> str:
    """The qualified name of `module` under the module that is calling it."""
    if not stack:
        return ""
    parent_name, parent = stack[-1]
    found = next((n for n, m in parent._modules.items() if m is module), None)
    if found is None:  # a deeper descendant, called directly from the parent's forward
        found = next((n for n, m in parent.named_modules() if m is module and n), None)
    if found is None:  # not registered in the caller: name it by its class
        found = type(module).__name__
    return f"{parent_name}.{found}" if parent_name else found


# --- helpers ---------------------------------------------------------------------


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What `load_state_dict(strict=False)` returns."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class RemovableHandle:
    """Returned by the `register_*_hook` methods: `remove()` unregisters the hook."""

    _ids = itertools.count()

    def __init__(self, hooks: dict):
        self.hooks = hooks
        self.id = next(RemovableHandle._ids)

    def remove(self):
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join((" " * spaces + line) if line.strip() else "" for line in lines[1:])


def _typename(value) -> str:
    return type(value).__module__ + "." + type(value).__qualname__


def _check_device(device, layer: str) -> None:
    """Layers take PyTorch's `device=` argument; only the CPU computes here."""
    check_device(device, f"nn.{layer}()")


_CASTS_WITHOUT_LOSS = {"f": "fiub", "i": "iub", "u": "iub", "b": "b"}  # destination kind <- source kinds


def _entry_problem(key, current: Tensor, source: np.ndarray, assign: bool):
    """Why the state_dict entry `source` can't go into `current` (None if it can): its
    shape, a dtype that holds no numbers, or a cast that would lose values (floats into
    an int buffer), or an assigned Parameter that requires grad but wouldn't be float."""
    if source.shape != current.shape:
        return (f"size mismatch for {key}: copying a param with shape {source.shape} from checkpoint, "
                f"the shape in current model is {current.shape}.")
    if source.dtype.kind not in "fiub":
        return (f'While copying the parameter named "{key}", the checkpoint holds dtype {source.dtype}, '
                "not numbers (bool, int or float)")
    target_dtype = source.dtype if assign else current.dtype
    if not assign and source.dtype.kind not in _CASTS_WITHOUT_LOSS[current.dtype.kind]:
        return (f'While copying the parameter named "{key}", a {source.dtype} checkpoint value would be '
                f"truncated to the model's {current.dtype}; convert it explicitly if that is meant")
    if assign and isinstance(current, Parameter) and current.requires_grad and target_dtype.kind != "f":
        return (f'While assigning the parameter named "{key}": it requires grad, so it must be floating '
                f"point, but the checkpoint holds {source.dtype}")
    return None


# --- Module ------------------------------------------------------------------------


class Module:
    """Base class of layers and models: assign Parameters and Modules as attributes
    in `__init__` (after `super().__init__()`), compute in `forward`."""

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got unexpected arguments {args} {kwargs}: "
                "Module.__init__ takes none; pass your own arguments to your subclass only"
            )
        setattr_ = object.__setattr__
        setattr_(self, "training", True)
        setattr_(self, "_parameters", {})
        setattr_(self, "_buffers", {})
        setattr_(self, "_non_persistent_buffers_set", set())
        setattr_(self, "_modules", {})
        setattr_(self, "_forward_pre_hooks", OrderedDict())
        setattr_(self, "_forward_hooks", OrderedDict())

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{self._get_name()}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        outer = node_metadata.current().get("module_scope", ())
        with node_metadata(module_scope=outer + ((_scope_name(self, outer), self),)):
            for hook in list(self._forward_pre_hooks.values()):
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
            output = self.forward(*args, **kwargs)
            for hook in list(self._forward_hooks.values()):
                result = hook(self, args, output)
                if result is not None:
                    output = result
            return output

    def register_forward_pre_hook(self, hook) -> RemovableHandle:
        """`hook(module, args)` runs before forward; it may return new args."""
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    def register_forward_hook(self, hook) -> RemovableHandle:
        """`hook(module, args, output)` runs after forward; it may return a new output."""
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    # --- registration ---
    def _check_name(self, name, kind, registry):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in registry:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None, a declared but absent one) under `name`."""
        self._check_name(name, "parameter", self.__dict__.get("_parameters", {}))
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                "(nn.Parameter or None required); wrap it: nn.Parameter(tensor)"
            )
        if param is not None and param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be created "
                "explicitly; use nn.Parameter(tensor.detach())"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not a parameter (running statistics); a
        non-persistent buffer is left out of the state_dict."""
        self._check_name(name, "buffer", self.__dict__.get("_buffers", {}))
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{_typename(tensor)}' object to buffer '{name}' (Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a submodule under `name` (the attribute-assignment way: `self.name = module`)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        self._check_name(name, "module", self.__dict__.get("_modules", {}))
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path `target` ('' is self)."""
        module = self
        for item in target.split(".") if target else []:
            if item not in module._modules:
                raise AttributeError(
                    f"{module._get_name()} has no attribute `{item}` (looking up '{target}')"
                )
            module = module._modules[item]
        return module

    def get_parameter(self, target: str) -> Parameter:
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if name not in module._parameters:
            raise AttributeError(f"{module._get_name()} has no parameter `{name}`")
        return module._parameters[name]

    def get_buffer(self, target: str) -> Tensor:
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if name not in module._buffers:
            raise AttributeError(f"{module._get_name()} has no buffer `{name}`")
        return module._buffers[name]

    # --- attribute access ---
    def __getattr__(self, name):
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry in d and name in d[registry]:
                return d[registry][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        d = self.__dict__
        params, buffers, modules = d.get("_parameters"), d.get("_buffers"), d.get("_modules")

        def remove_from(*registries):
            for r in registries:
                if r is not None and name in r:
                    if isinstance(r, set):
                        r.discard(name)
                    else:
                        del r[name]

        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            remove_from(d, buffers, modules, d.get("_non_persistent_buffers_set"))
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as parameter '{name}' (nn.Parameter or None expected)"
                )
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            remove_from(d, params, buffers, d.get("_non_persistent_buffers_set"))
            modules[name] = value
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as child module '{name}' (nn.Module or None expected)"
                )
            modules[name] = value
        elif buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as buffer '{name}' (Tensor or None expected)"
                )
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __delattr__(self, name):
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        keys = list(dir(type(self))) + list(self.__dict__) + list(self._parameters)
        keys += list(self._modules) + list(self._buffers)
        return sorted(k for k in set(keys) if not k[0].isdigit())

    # --- iteration over the registries ---
    def named_modules(self, memo=None, prefix: str = "", remove_duplicate: bool = True):
        """(dotted name, module) for self and every descendant, depth first, each module once."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(
                    memo, prefix + ("." if prefix else "") + name, remove_duplicate
                )

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        """(name, module) for each direct submodule, each module once."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, prefix, recurse, remove_duplicate):
        seen = set()
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or id(value) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        """(dotted name, Parameter) in registration order; a shared parameter once."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True):
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    # --- state ---
    def _state_entries(self, prefix=""):
        """(key, module, name, tensor) for every entry of the state_dict, in its order:
        a module's parameters, then its persistent buffers, then each submodule's."""
        for name, param in self._parameters.items():
            if param is not None:
                yield prefix + name, self, name, param
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers_set:
                yield prefix + name, self, name, buffer
        for name, module in self._modules.items():
            if module is not None:
                yield from module._state_entries(prefix + name + ".")

    def state_dict(self, destination=None, prefix: str = "", keep_vars: bool = False):
        """An OrderedDict of every parameter and persistent buffer under its dotted
        name; the tensors are detached (sharing memory) unless `keep_vars`."""
        if destination is None:
            destination = OrderedDict()
        for key, _, _, tensor in self._state_entries(prefix):
            destination[key] = tensor if keep_vars else tensor.detach()
        return destination

    def load_state_dict(self, state_dict: Mapping, strict: bool = True, assign: bool = False):
        """Copy parameters and buffers from `state_dict` into this module, in place.
        Everything is checked before anything is copied: on an error (missing or
        unexpected keys with `strict`, a shape mismatch always) it raises and the
        module is unchanged. Returns `(missing_keys, unexpected_keys)`."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        entries = list(self._state_entries())
        expected = {key for key, *_ in entries}
        missing = [key for key, *_ in entries if key not in state_dict]
        unexpected = [key for key in state_dict if key not in expected]
        errors, updates = [], []
        for key, module, name, current in entries:
            if key not in state_dict:
                continue
            value = state_dict[key]
            if not isinstance(value, (Tensor, np.ndarray, np.generic)):
                errors.append(
                    f'While copying the parameter named "{key}", expected a Tensor (or a NumPy array) '
                    f"from checkpoint but received {type(value)}"
                )
                continue
            source = np.asarray(value._data if isinstance(value, Tensor) else value)
            if current.ndim == 0 and source.shape == (1,):
                source = source.reshape(())
            problem = _entry_problem(key, current, source, assign)
            if problem:
                errors.append(problem)
                continue
            updates.append((module, name, current, value, source))
        if strict and unexpected:
            errors.insert(
                0, "Unexpected key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in unexpected))
            )
        if strict and missing:
            errors.insert(
                0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing))
            )
        if errors:
            raise RuntimeError(
                "Error(s) in loading state_dict for {}:\n\t{}".format(self._get_name(), "\n\t".join(errors))
            )
        with no_grad():
            for module, name, current, value, source in updates:
                if not assign:
                    current.copy_(source)
                elif isinstance(current, Parameter):
                    setattr(module, name, Parameter(value, requires_grad=current.requires_grad))
                else:
                    setattr(module, name, value if isinstance(value, Tensor) else Tensor(source))
        return _IncompatibleKeys(missing, unexpected)

    # --- modes and bulk changes ---
    def train(self, mode: bool = True):
        """Set training mode (dropout active, batch statistics) on self and all submodules."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")  # noqa: TRY004 - as PyTorch
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        """Evaluation mode: `train(False)`."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True):
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the `.grad` of every parameter: to None, or to zeros in place."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad.detach_()
                with no_grad():
                    param.grad.zero_()

    def apply(self, fn):
        """Call `fn(module)` on every submodule (children first), then on self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def to(self, *args, **kwargs):
        """`to(dtype)`, `to(tensor)`, `to(device)`, `to(device, dtype)`: cast the floating
        parameters and buffers in place (the Parameter objects stay the same)."""
        dtype, _ = parse_to(args, kwargs, "Module.to()")
        if dtype is None:
            return self
        if dtype.kind != "f":
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}")
        return self._cast_floating(dtype)

    def _cast_floating(self, dtype):
        for module in self.modules():
            for tensor in list(module._parameters.values()) + list(module._buffers.values()):
                if tensor is not None and tensor._data.dtype.kind == "f" and tensor._data.dtype != dtype:
                    tensor._data = tensor._data.astype(dtype)
                    if tensor.grad is not None:
                        tensor.grad._data = tensor.grad._data.astype(dtype)
        return self

    def float(self):
        return self._cast_floating(np.dtype(np.float32))

    def double(self):
        return self._cast_floating(np.dtype(np.float64))

    def half(self):
        return self._cast_floating(np.dtype(np.float16))

    def cpu(self):
        return self

    def cuda(self, device=None):
        raise RuntimeError(
            "Module.cuda(): no GPU here; glassgrad computes on the CPU with NumPy. "
            "Pick the device with `'cuda' if autograd.cuda.is_available() else 'cpu'`"
        )

    # --- repr ---
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The layer's settings, shown inside its repr: override in layers."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(module), 2) for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if len(extra_lines) == 1 and not child_lines:
            body = extra_lines[0]
        elif lines:
            body = "\n  " + "\n  ".join(lines) + "\n"
        return self._get_name() + "(" + body + ")"
