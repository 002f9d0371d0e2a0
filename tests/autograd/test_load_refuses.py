"""What `autograd.load` refuses (issue 17, items 2 and 8): headers that claim more (or
less) data than the file holds, checked before anything is allocated; arrays that are
not real numbers; damaged zip directories; manifests nested too deep; bad safetensors
metadata. Every refusal is a ValueError naming the file; a damaged file never loads
as something else. Each class is drawn by Hypothesis, not only one example."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd

_REAL_DTYPES = [np.float32, np.float64, np.float16, np.int64, np.int32, np.int8, np.uint8, np.bool_]
_REFUSED = ["U3", "S4", "V8", "datetime64[s]", "timedelta64[ms]", "complex64", "complex128",
            [("a", "<i4"), ("b", "<f8")], object]


def _npy_bytes(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def _npy_with_shape(array, claimed_shape) -> bytes:
    """An .npy whose header claims `claimed_shape` (the data stays `array`'s)."""
    header = {"descr": np.lib.format.dtype_to_descr(array.dtype), "fortran_order": False, "shape": claimed_shape}
    text = repr(header)
    text += " " * (-(10 + len(text) + 1) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode("latin1") + array.tobytes()


def _zip(entries: dict, compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@given(
    shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
    dtype=st.sampled_from(_REAL_DTYPES),
    claim=st.one_of(st.integers(10**9, 10**13).map(lambda n: (n,)),
                    hnp.array_shapes(min_dims=1, max_dims=3, max_side=9)),
    container=st.sampled_from(["npy path", "npy stream", "npz stored", "npz deflated"]),
)
def test_a_header_that_disagrees_with_the_file_is_refused_before_allocating(tmp_path_factory, shape, dtype, claim,
                                                                           container):
    array = np.zeros(shape, dtype)
    if int(np.prod(claim)) == array.size:
        claim = claim + (2,)
    npy = _npy_with_shape(array, claim)
    if container.startswith("npz"):
        deflated = zipfile.ZIP_DEFLATED if container.endswith("deflated") else zipfile.ZIP_STORED
        data, where = _zip({"w.npy": npy}, deflated), "entry 'w.npy'"
    else:
        data, where = npy, ""
    path = tmp_path_factory.mktemp("claims") / "claims.npz"
    path.write_bytes(data)
    source = path if container == "npy path" else io.BytesIO(data)
    with pytest.raises(ValueError, match=rf"declares shape \({claim[0]}.*bytes.*{where}|{where}.*declares shape"):
        autograd.load(source)


def test_an_empty_shape_beyond_numpys_range_is_a_value_error_naming_the_file(tmp_path):
    path = tmp_path / "odd.npy"
    path.write_bytes(_npy_with_shape(np.zeros(0), (0, 2**40, 2**40)))
    with pytest.raises(ValueError, match=r"odd\.npy declares shape \(0, 1099511627776, 1099511627776\), which NumPy"):
        autograd.load(path)


def test_a_file_claiming_terabytes_fails_at_once_naming_the_file(tmp_path):
    path = tmp_path / "huge.npy"
    path.write_bytes(_npy_with_shape(np.zeros(4), (10**12,)))
    with pytest.raises(ValueError, match=r"huge\.npy declares shape \(1000000000000,\) of float64 \(8000000000000 "
                                         r"bytes\), but 32 bytes follow"):
        autograd.load(path)


@pytest.mark.parametrize("dtype", _REFUSED, ids=str)
@pytest.mark.parametrize("container", ["npz", "npy"])
def test_arrays_that_are_not_real_numbers_are_refused(tmp_path, dtype, container):
    array = np.zeros(2, dtype=dtype)
    path = tmp_path / f"a.{container}"
    if container == "npz":
        np.savez(path, ok=np.ones(2), bad=array)
    else:
        np.save(path, array, allow_pickle=True)
    with pytest.raises(ValueError, match=r"a\.np[yz].*(holds numbers|complex|pickled)"):
        autograd.load(path)


def _saved(obj) -> bytes:
    buffer = io.BytesIO()
    autograd.save(obj, buffer)
    return buffer.getvalue()


_STATE = {"w": autograd.tensor(np.arange(6, dtype=np.float32).reshape(2, 3)), "b": autograd.ones(3),
          "step": 7, "nested": {"m": autograd.zeros(2, dtype=autograd.float64)}}


def _same(a, b):
    if isinstance(a, autograd.Tensor):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a.numpy(), b.numpy())
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return a == b


@example(position=0.9083999841727824, value=64, kind="set")  # found by the intense profile: a flag in the directory
@example(position=0.9083999841727824, value=32, kind="set")  # says encrypted or patched (zipfile: RuntimeError, ...)
@given(position=st.floats(0, 1, exclude_max=True), value=st.integers(0, 255), kind=st.sampled_from(["set", "cut"]))
def test_a_damaged_file_raises_a_value_error_or_loads_unchanged(position, value, kind):
    """One byte changed anywhere (or the file cut there): either a ValueError, or the
    same state (a byte in a timestamp, say); never fewer arrays, other values, or
    another exception. The zip's CRC-32 covers each entry's bytes."""
    data = bytearray(_saved(_STATE))
    at = int(position * len(data))
    if kind == "set":
        data[at] = value
    else:
        del data[at:]
    try:
        loaded = autograd.load(io.BytesIO(bytes(data)))
    except ValueError as error:
        assert "load(): the file" in str(error)
    else:
        assert _same(_STATE, loaded)


def _eocd(data: bytes) -> int:
    return data.rfind(b"PK\x05\x06")


@pytest.mark.parametrize("damage", ["directory size 0", "directory cut out", "an entry dropped", "entries moved"])
@pytest.mark.parametrize("state", [_STATE, {"a": autograd.ones(2)}], ids=["manifest", "one array"])
def test_a_damaged_central_directory_is_refused_not_read_as_fewer_arrays(damage, state):
    data = bytearray(_saved(state))
    eocd = _eocd(bytes(data))
    start = int.from_bytes(data[eocd + 16 : eocd + 20], "little")
    size = int.from_bytes(data[eocd + 12 : eocd + 16], "little")
    if damage == "directory size 0":
        data[eocd + 12 : eocd + 16] = bytes(4)
        data[eocd + 8 : eocd + 12] = bytes(4)
    elif damage == "directory cut out":
        data = data[:start] + data[eocd:]
        eocd = start
        data[eocd + 8 : eocd + 16] = bytes(8)
    elif damage == "an entry dropped":  # the first central record removed, counts and size adjusted
        record = 46 + sum(int.from_bytes(data[start + o : start + o + 2], "little") for o in (28, 30, 32))
        data = data[:start] + data[start + record :]
        eocd -= record
        for offset in (8, 10):
            count = int.from_bytes(data[eocd + offset : eocd + offset + 2], "little")
            data[eocd + offset : eocd + offset + 2] = (count - 1).to_bytes(2, "little")
        data[eocd + 12 : eocd + 16] = (size - record).to_bytes(4, "little")
    else:  # the directory claims to start later: entries don't meet it
        data[eocd + 16 : eocd + 20] = (start + 4).to_bytes(4, "little")
    with pytest.raises(ValueError, match="not a complete .npz"):
        autograd.load(io.BytesIO(bytes(data)))


@pytest.mark.parametrize("compression", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_zip_entries_compressed_other_than_npz_does_are_refused(compression):
    data = _zip({"w.npy": _npy_bytes(np.ones(3))}, compression)
    with pytest.raises(ValueError, match="stored or deflated"):
        autograd.load(io.BytesIO(data))


def test_a_zip_of_other_files_is_refused():
    with pytest.raises(ValueError, match="not an .npz of arrays"):
        autograd.load(io.BytesIO(_zip({"data.pkl": b"\x80\x04K\x01."})))


@given(depth=st.integers(101, 5000))
def test_a_manifest_nested_too_deep_is_a_value_error_not_a_recursion_error(depth):
    text = '{"list": [' * depth + '{"value": 1}' + "]}" * depth
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, archive.open("__glassgrad__.npy", "w") as entry:
        np.lib.format.write_array(entry, np.array(text))
    with pytest.raises(ValueError, match="nested too deeply"):
        autograd.load(io.BytesIO(buffer.getvalue()))


def test_saving_what_load_would_refuse_fails_at_save():
    nested = 1
    for _ in range(150):
        nested = [nested]
    with pytest.raises(ValueError, match="nested more than 100 levels"):
        autograd.save(nested, io.BytesIO())
    with pytest.raises(TypeError, match="strings"):
        autograd.save({"names": np.array(["a", "b"])}, io.BytesIO())


@pytest.mark.parametrize("order", ["not json {", "[1, 2]", '{"a": 1}', "[" * 5000, '"w"'])
def test_damaged_safetensors_metadata_is_a_value_error_naming_the_file(tmp_path, order):
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "w.safetensors"
    safetensors_numpy.save_file({"w": np.ones(2, np.float32)}, str(path), metadata={"glassgrad.order": order})
    with pytest.raises(ValueError, match=r"w\.safetensors has damaged metadata"):
        autograd.load(path)


def test_plain_files_still_load_fortran_order_and_big_endian_included(tmp_path):
    fortran = np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))
    big_endian = np.arange(4, dtype=">f8")
    np.savez(tmp_path / "plain.npz", f=fortran, b=big_endian)
    np.savez_compressed(tmp_path / "small.npz", f=fortran)
    loaded = autograd.load(tmp_path / "plain.npz")
    np.testing.assert_array_equal(loaded["f"].numpy(), fortran)
    assert loaded["b"].dtype == np.float64 and loaded["b"].dtype.isnative
    np.testing.assert_array_equal(autograd.load(tmp_path / "small.npz")["f"].numpy(), fortran)
    np.save(tmp_path / "v2.npy", np.ones(3), allow_pickle=False)
    np.testing.assert_array_equal(autograd.load(tmp_path / "v2.npy").numpy(), np.ones(3))
