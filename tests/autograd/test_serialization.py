"""autograd.save / autograd.load: .npz round trips, refusing pickles and damaged files,
and .safetensors files that PyTorch loads unchanged."""

import io
import math
import sys
from collections import OrderedDict

import numpy as np
import pytest

import autograd


def _state_dict():
    rng = np.random.default_rng(0)
    return OrderedDict(
        [
            ("0.weight", autograd.tensor(rng.standard_normal((4, 3)).astype(np.float32))),
            ("0.bias", autograd.tensor(rng.standard_normal(4).astype(np.float32))),
            ("2.weight", autograd.tensor(rng.standard_normal((2, 4)).astype(np.float32))),
            ("2.bias", autograd.tensor(rng.standard_normal(2).astype(np.float32))),
        ]
    )


def _assert_same(a, b):
    assert type(a) is type(b)
    if isinstance(a, autograd.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


def test_state_dict_round_trip_to_exact_path_and_plain_npz(tmp_path):
    sd = _state_dict()
    path = tmp_path / "model.weights"  # no .npz appended
    autograd.save(sd, path)
    assert [p.name for p in tmp_path.iterdir()] == ["model.weights"]
    _assert_same(autograd.load(path), sd)
    with np.load(path, allow_pickle=False) as npz:  # a plain npz under the state dict's own keys
        np.testing.assert_array_equal(npz["0.weight"], sd["0.weight"].numpy())
        assert list(npz.files)[:4] == list(sd)


def test_tensor_and_nested_structures_round_trip():
    obj = {
        "model": _state_dict(),
        "optimizer": {
            "state": {0: {"step": autograd.tensor(3.0), "exp_avg": autograd.zeros(2, 2)}, 5: {}},
            "param_groups": [
                {"lr": 1e-3, "betas": (0.9, 0.999), "amsgrad": False, "params": [0, 5], "name": None}
            ],
        },
        "epoch": 7,
        "best": math.inf,
        "nan": math.nan,
        "tag": "run/1",
        "ints": autograd.tensor([1, 2, 3]),
        "flags": autograd.tensor([True, False]),
        "half": autograd.tensor(np.arange(3, dtype=np.float16)),
        "f64": autograd.tensor(np.ones((2, 0))),
        "raw": np.arange(4, dtype=np.int32),
        "param": autograd.tensor([1.0, 2.0], requires_grad=True),
    }
    for target in (io.BytesIO(),):
        autograd.save(obj, target)
        target.seek(0)
        _assert_same(autograd.load(target), obj)
    t = autograd.randn(2, 3, dtype=autograd.float64)
    buffer = io.BytesIO()
    autograd.save(t, buffer)
    buffer.seek(0)
    _assert_same(autograd.load(buffer), t)


def test_unsupported_objects_are_refused_at_save():
    with pytest.raises(TypeError, match="cannot save a set"):
        autograd.save({"a": {1, 2}}, io.BytesIO())
    with pytest.raises(TypeError, match="Python objects"):
        autograd.save({"a": np.array([object()])}, io.BytesIO())
    with pytest.raises(TypeError, match="keys must be str or int"):
        autograd.save({(1, 2): autograd.zeros(1)}, io.BytesIO())


def test_plain_npz_and_npy_files_load(tmp_path):
    np.savez(tmp_path / "plain.npz", w=np.ones((2, 2), np.float32), b=np.zeros(2))
    loaded = autograd.load(tmp_path / "plain.npz")
    assert list(loaded) == ["w", "b"] and loaded["w"].dtype == np.float32
    np.save(tmp_path / "x.npy", np.arange(3))
    np.testing.assert_array_equal(autograd.load(tmp_path / "x.npy").numpy(), np.arange(3))


class Boom:
    def __reduce__(self):
        return (print, ("pickle payload ran",))


def test_pickled_objects_are_refused_without_running(tmp_path, capsys):
    path = tmp_path / "evil.npz"
    np.savez(path, ok=np.ones(2), evil=np.array([Boom()], dtype=object))
    with pytest.raises(ValueError, match="pickled Python objects"):
        autograd.load(path)
    import pickle

    (tmp_path / "evil.pkl").write_bytes(pickle.dumps({"w": Boom()}))
    with pytest.raises(ValueError, match="never unpickles"):
        autograd.load(tmp_path / "evil.pkl")
    assert "payload" not in capsys.readouterr().out


@pytest.mark.parametrize("keep", [0.3, 0.9, 0.999])
def test_truncated_file_raises_clear_error(tmp_path, keep):
    path = tmp_path / "model.npz"
    autograd.save(_state_dict(), path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ValueError, match="truncated"):
        autograd.load(path)


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        autograd.load(tmp_path / "nothing.npz")


# --- safetensors ---
def test_safetensors_round_trip_keeps_order(tmp_path):
    pytest.importorskip("safetensors")
    sd = OrderedDict([("z", autograd.ones(2)), ("a", autograd.tensor([1, 2])), ("m.weight", autograd.eye(3))])
    autograd.save(sd, tmp_path / "m.safetensors")
    loaded = autograd.load(str(tmp_path / "m.safetensors"))
    assert list(loaded) == ["z", "a", "m.weight"]
    for k in sd:
        assert loaded[k].dtype == sd[k].dtype
        np.testing.assert_array_equal(loaded[k].numpy(), sd[k].numpy())
    with pytest.raises(TypeError, match="flat dict"):
        autograd.save({"a": {"b": autograd.ones(1)}}, tmp_path / "nested.safetensors")
    (tmp_path / "bad.safetensors").write_bytes((tmp_path / "m.safetensors").read_bytes()[:-5])
    with pytest.raises(ValueError, match="not a valid .safetensors"):
        autograd.load(tmp_path / "bad.safetensors")


def test_safetensors_missing_package_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match=r"pip install 'glassgrad\[safetensors\]'"):
        autograd.save(_state_dict(), tmp_path / "m.safetensors")


def _file_bytes(path) -> np.ndarray:
    return np.frombuffer(path.read_bytes(), np.uint8)


def _mlp(nn):
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def test_safetensors_weights_load_into_torch_and_back(tmp_path, torch_oracle):
    """Our file loads into torch; a file torch wrote (recorded) loads into glassgrad."""
    pytest.importorskip("safetensors")
    sd = _state_dict()
    autograd.save(sd, tmp_path / "ours.safetensors")
    ours_file = _file_bytes(tmp_path / "ours.safetensors")
    x = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    h = np.maximum(x @ sd["0.weight"].numpy().T + sd["0.bias"].numpy(), 0)
    expected = h @ sd["2.weight"].numpy().T + sd["2.bias"].numpy()

    def theirs(torch):
        import safetensors.torch as st

        model = _mlp(torch.nn)
        model.load_state_dict(st.load(ours_file.tobytes()))
        torch.manual_seed(0)
        other = _mlp(torch.nn)
        written = {f"torch's {key}": value for key, value in other.state_dict().items()}
        return written | {
            "output": model(torch.tensor(x)),
            "torch's file": np.frombuffer(st.save(other.state_dict()), np.uint8),
        }

    inputs = {f"our {key}": value for key, value in sd.items()} | {
        "x": x
    }  # the file's bytes vary (metadata order)
    for source, results in torch_oracle.results(theirs, inputs=inputs):
        np.testing.assert_allclose(results["output"], expected, rtol=1e-5, atol=1e-6, err_msg=source)
        (tmp_path / "theirs.safetensors").write_bytes(results["torch's file"].tobytes())
        loaded = autograd.load(tmp_path / "theirs.safetensors")
        written = {
            key.removeprefix("torch's "): value
            for key, value in results.items()
            if key.startswith("torch's ")
        }
        del written["file"]
        assert set(loaded) == set(written), source
        for key, value in written.items():
            assert loaded[key].dtype == np.float32
            np.testing.assert_array_equal(loaded[key].numpy(), value, err_msg=source)


def test_module_state_dict_to_torch_and_back(tmp_path, torch_oracle):
    pytest.importorskip("safetensors")
    import nn

    model = _mlp(nn)
    model.load_state_dict(_state_dict())
    autograd.save(model.state_dict(), tmp_path / "ours.safetensors")
    ours_file = _file_bytes(tmp_path / "ours.safetensors")
    x = np.random.default_rng(2).standard_normal((5, 3)).astype(np.float32)

    def theirs(torch):
        import safetensors.torch as st

        twin = _mlp(torch.nn)
        twin.load_state_dict(st.load(ours_file.tobytes()))
        results = {"output": twin(torch.tensor(x))}
        with torch.no_grad():
            for p in twin.parameters():
                p.mul_(-2.0)
        file = np.frombuffer(st.save(twin.state_dict()), np.uint8)
        return results | {"torch's file": file, "output after loading torch's file": twin(torch.tensor(x))}

    output = model(autograd.tensor(x))
    inputs = {f"our {key}": value for key, value in model.state_dict().items()} | {"x": x}
    for source, results in torch_oracle.results(theirs, inputs=inputs):
        np.testing.assert_allclose(output.numpy(), results["output"], rtol=1e-5, atol=1e-6, err_msg=source)
        (tmp_path / "theirs.safetensors").write_bytes(results["torch's file"].tobytes())
        model.load_state_dict(autograd.load(tmp_path / "theirs.safetensors"))
        np.testing.assert_allclose(
            model(autograd.tensor(x)).numpy(),
            results["output after loading torch's file"],
            rtol=1e-5,
            atol=1e-6,
            err_msg=source,
        )
    autograd.save(model.state_dict(), tmp_path / "model.npz")
    loaded = autograd.load(tmp_path / "model.npz")
    assert list(loaded) == list(model.state_dict())
