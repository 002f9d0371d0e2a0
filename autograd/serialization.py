"""`save` / `load`: tensors and (nested) state dicts as plain `.npz` files, never pickle.

The file is a zip of `.npy` arrays that `numpy.load(f, allow_pickle=False)` reads:
a flat dict of tensors is stored under its own keys (`np.load(f)["fc.weight"]`),
nested entries under their key path joined with "/". One more entry,
`__glassgrad__`, holds a JSON description of the structure, so that `load` gives
back the same object:

- a Tensor (dtype, shape, requires_grad) or an ndarray;
- dicts and OrderedDicts (str or int keys, order kept), lists and tuples of these;
- ints, floats (inf and nan too), bools, strings and None, as in optimizer and
  scheduler state dicts.

A file written by someone else without that entry loads as an OrderedDict of
tensors, one per array. `load` never unpickles: a file holding pickled objects is
refused with a ValueError, as is a truncated or corrupted file.

A path ending in `.safetensors` is written and read with the `safetensors`
package instead (`pip install 'glassgrad[safetensors]'`): a flat dict of str keys
to tensors, loadable by `safetensors.torch.load_file` into a PyTorch model.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections import OrderedDict

import numpy as np

from autograd.device import check_device


from autograd.dtypes import check_dtype
from autograd.npz_reader import damaged, read_arrays
from autograd.tensor import Tensor

__all__ = ["load", "save"]

MANIFEST = "__glassgrad__"
MAX_DEPTH = 100  # levels of nested dicts and lists; a state dict has a handful
_SAFETENSORS_HINT = "pip install 'glassgrad[safetensors]'"


def save(obj, f) -> None:
    """Write `obj` (a tensor, or a nested dict/list of tensors and plain values) to
    the path or binary file object `f` (the path is used exactly as given)."""
    if _is_safetensors(f):
        return _save_safetensors(obj, f)
    arrays = {}
    tree = _encode(obj, (), arrays)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as file:
            _write_npz(file, arrays, tree)
    else:
        _write_npz(f, arrays, tree)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Read what `save` wrote (or any .npz / .npy of plain arrays) from a path or
    binary file object. Raises ValueError for pickled contents and damaged files.
    torch.load's arguments are accepted: loading never unpickles (as weights_only=True)
    and every tensor lands on the CPU, which is all `map_location` may ask for."""
    _check_load_arguments(map_location, pickle_module, weights_only, mmap, pickle_load_args)
    if _is_safetensors(f):
        return _load_safetensors(f)
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "the file")
    arrays = _read_arrays(f, name)
    if isinstance(arrays, np.ndarray):  # a bare .npy
        return Tensor._make(arrays, False)
    if MANIFEST not in arrays:
        return OrderedDict((key, Tensor._make(array, False)) for key, array in arrays.items())
    try:
        tree = json.loads(str(arrays.pop(MANIFEST)))
        return _decode(tree, arrays, 0)
    except RecursionError:
        raise ValueError(f"load(): {name}'s structure is nested too deeply (at most {MAX_DEPTH} levels)") from None
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        if str(error).startswith("load():"):
            raise
        raise damaged(name, error) from None


def _check_load_arguments(map_location, pickle_module, weights_only, mmap, pickle_load_args):
    """torch.load's arguments, checked: map_location None, 'cpu', a CPU device, a dict whose
    values name the CPU, or a callable (called once on an empty tensor, as torch.load calls
    it on each storage: one that moves to another device raises)."""
    if isinstance(map_location, dict):
        for target in map_location.values():
            check_device(target, "load(map_location=...)")
    elif callable(map_location):
        map_location(Tensor._make(np.zeros(0, np.float32), False), "cpu")
    else:
        check_device(map_location, "load(map_location=...)")
    if pickle_module is not None:
        raise ValueError("load(): pickle_module is not used: glassgrad never unpickles (leave it out)")
    for name, value in (("weights_only", weights_only), ("mmap", mmap)):
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"load(): {name} must be a bool or None, got {type(value).__name__}")
    unknown = set(pickle_load_args) - {"encoding"}  # the unpickler's encoding: nothing to decode here
    if unknown:
        raise TypeError(f"load(): unexpected keyword argument {min(unknown)!r}")


def _read_arrays(f, name):
    """The arrays of an .npz (a dict) or .npy (an array): see npz_reader.py."""
    file = open(f, "rb") if isinstance(f, (str, os.PathLike)) else f  # noqa: SIM115 - closed below
    try:
        return read_arrays(file, name, text_entries=(MANIFEST,))
    finally:
        if file is not f:
            file.close()


# --- the structure, as JSON-able nodes; arrays go to `arrays` under their key path ---
def _encode(obj, path: tuple, arrays: dict):
    if len(path) > MAX_DEPTH:
        raise ValueError(f"save(): the object is nested more than {MAX_DEPTH} levels deep (at {_where(path[:3])}...)")
    if isinstance(obj, Tensor):
        return {"tensor": _put(arrays, path, obj._data), "requires_grad": bool(obj.requires_grad)}
    if isinstance(obj, np.ndarray):
        return {"ndarray": _put(arrays, path, obj)}
    if isinstance(obj, dict):
        items = []
        for key, value in obj.items():
            if type(key) not in (str, int):  # bool keys would come back as ints
                raise TypeError(f"save(): dict keys must be str or int, got {key!r} at {_where(path)}")
            items.append([key, _encode(value, path + (str(key),), arrays)])
        return {"dict": items, "ordered": isinstance(obj, OrderedDict)}
    if isinstance(obj, (list, tuple)):
        values = [_encode(v, path + (str(i),), arrays) for i, v in enumerate(obj)]
        return {"tuple" if isinstance(obj, tuple) else "list": values}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"value": obj}
    if isinstance(obj, (np.generic,)) and obj.dtype.kind in "biuf":
        return {"value": obj.item()}
    raise TypeError(
        f"save(): cannot save a {type(obj).__name__} at {_where(path)}; only tensors, arrays, dicts, lists, "
        "tuples, numbers, strings and None can be saved (never pickled objects)"
    )


def _put(arrays: dict, path: tuple, array: np.ndarray) -> str:
    if array.dtype.hasobject:
        raise TypeError(
            f"save(): the array at {_where(path)} holds Python objects; only plain dtypes are saved"
        )
    check_dtype(array.dtype, f"save(): the array at {_where(path)}")  # what load would refuse
    name = "/".join(path) or "tensor"
    unique, n = name, 1
    while unique in arrays or unique == MANIFEST:
        unique, n = f"{name}~{n}", n + 1
    arrays[unique] = array
    return unique


def _decode(node, arrays: dict, depth: int):
    if depth > MAX_DEPTH:
        raise RecursionError  # a manifest no save() writes: load() names the file
    if "tensor" in node:
        array = arrays[node["tensor"]]
        return Tensor._make(array, bool(node["requires_grad"]) and array.dtype.kind == "f")
    if "ndarray" in node:
        return arrays[node["ndarray"]]
    if "dict" in node:
        pairs = [(key, _decode(value, arrays, depth + 1)) for key, value in node["dict"]]
        return OrderedDict(pairs) if node["ordered"] else dict(pairs)
    if "list" in node:
        return [_decode(v, arrays, depth + 1) for v in node["list"]]
    if "tuple" in node:
        return tuple(_decode(v, arrays, depth + 1) for v in node["tuple"])
    return node["value"]


def _where(path: tuple) -> str:
    return repr("/".join(path)) if path else "the top level"


def _write_npz(file, arrays: dict, tree) -> None:
    """`np.savez`, without its reserved argument names and with allow_pickle=False."""
    arrays = {**arrays, MANIFEST: np.array(json.dumps(tree))}
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(name + ".npy", "w", force_zip64=True) as entry:
                np.lib.format.write_array(entry, np.asanyarray(array), allow_pickle=False)


# --- safetensors ---
def _is_safetensors(f) -> bool:
    return isinstance(f, (str, os.PathLike)) and os.fspath(f).endswith(".safetensors")


def _safetensors():
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError(
            f"saving or loading a .safetensors file needs the safetensors package: {_SAFETENSORS_HINT}"
        ) from None
    return safetensors


def _save_safetensors(obj, f) -> None:
    if not isinstance(obj, dict) or not all(
        isinstance(k, str) and isinstance(v, (Tensor, np.ndarray)) for k, v in obj.items()
    ):
        raise TypeError(
            "save(): a .safetensors file holds a flat dict of str keys to tensors (a state_dict); "
            "save nested dicts and other values to a .npz path instead"
        )
    safetensors = _safetensors()
    arrays = {k: np.ascontiguousarray(v._data if isinstance(v, Tensor) else v) for k, v in obj.items()}
    metadata = {"format": "pt", "glassgrad.order": json.dumps(list(arrays))}
    safetensors.numpy.save_file(arrays, os.fspath(f), metadata=metadata)


def _load_safetensors(f) -> dict:
    safetensors = _safetensors()
    try:
        with safetensors.safe_open(os.fspath(f), framework="np") as file:
            metadata = file.metadata() or {}
            keys = list(file.keys())
            arrays = {k: file.get_tensor(k) for k in keys}
    except FileNotFoundError:
        raise
    except Exception as error:  # noqa: BLE001 - safetensors raises its own SafetensorError for bad headers and sizes
        raise ValueError(
            f"load(): {os.fspath(f)} is not a valid .safetensors file ({type(error).__name__}: {error}); it may be "
            "truncated or corrupted"
        ) from None
    for key, array in arrays.items():
        try:
            check_dtype(array.dtype, f"load(): {os.fspath(f)}, tensor {key!r}")
        except TypeError as error:
            raise ValueError(str(error)) from None
    order = _saved_order(metadata, f)
    if sorted(order) == sorted(keys):
        keys = order
    return OrderedDict((k, Tensor._make(arrays[k], False)) for k in keys)


def _saved_order(metadata: dict, f) -> list:
    """The key order `save` noted in the metadata (safetensors sorts keys)."""
    try:
        order = json.loads(metadata.get("glassgrad.order", "[]"))
    except (ValueError, RecursionError) as error:
        raise ValueError(
            f"load(): {os.fspath(f)} has damaged metadata: 'glassgrad.order' is not JSON ({error}); "
            "save the file again"
        ) from None
    if not isinstance(order, list) or not all(isinstance(k, str) for k in order):
        raise ValueError(f"load(): {os.fspath(f)} has damaged metadata: 'glassgrad.order' is not a list of keys")
    return order
