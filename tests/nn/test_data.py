"""nn.data: datasets, DataLoader, collation, random_split, toy and real datasets,
IDX files, transforms and test-time augmentation."""

import gzip
import math
import os
import sys
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import autograd
from nn.data import DataLoader, Dataset, Subset, TensorDataset, datasets, default_collate, random_split
from nn.data import transforms as T


def _dataset(n=10):
    X = autograd.tensor(np.arange(n * 3, dtype=np.float32).reshape(n, 3))
    y = autograd.tensor(np.arange(n) % 2)
    return TensorDataset(X, y)


class Samples(Dataset):
    """A plain Dataset (no fast path) returning (ndarray, int) samples."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return np.full(3, i, dtype=np.float32), i

    def __len__(self):
        return self.n


# --- datasets and loaders ---
def test_tensor_dataset():
    ds = _dataset()
    x, y = ds[3]
    np.testing.assert_array_equal(x.numpy(), [9, 10, 11])
    assert int(y) == 1 and len(ds) == 10
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(autograd.zeros(3, 2), autograd.zeros(4))


@pytest.mark.parametrize("drop_last, sizes", [(False, [4, 4, 2]), (True, [4, 4])])
def test_dataloader_batches_in_order(drop_last, sizes):
    loader = DataLoader(_dataset(), batch_size=4, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(batches) == len(sizes)
    assert [len(b[1]) for b in batches] == sizes
    X, y = batches[0]
    assert (
        isinstance(batches[0], list) and X.shape == (4, 3) and X.dtype == np.float32 and y.dtype == np.int64
    )
    np.testing.assert_array_equal(
        np.concatenate([b[0].numpy() for b in batches]), _dataset().tensors[0].numpy()[: sum(sizes)]
    )


def test_fast_path_equals_sample_by_sample_collation():
    ds = _dataset(7)
    fast = list(DataLoader(ds, batch_size=3, shuffle=True, generator=5))
    slow = list(DataLoader(ds, batch_size=3, shuffle=True, generator=5, collate_fn=default_collate))
    for a, b in zip(fast, slow):
        for ta, tb in zip(a, b):
            assert ta.dtype == tb.dtype
            np.testing.assert_array_equal(ta.numpy(), tb.numpy())


def _order(loader):
    return np.concatenate([b[0].numpy()[:, 0] for b in loader]) / 3


def test_shuffle_is_a_permutation_and_reproducible():
    ds = _dataset(50)
    first = _order(DataLoader(ds, batch_size=8, shuffle=True, generator=0))
    assert sorted(first) == list(range(50)) and list(first) != list(range(50))
    np.testing.assert_array_equal(first, _order(DataLoader(ds, batch_size=8, shuffle=True, generator=0)))
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(first, _order(DataLoader(ds, batch_size=8, shuffle=True, generator=rng)))
    loader = DataLoader(ds, batch_size=8, shuffle=True, generator=0)
    assert list(_order(loader)) != list(_order(loader))  # a new order each epoch

    autograd.manual_seed(3)
    a = _order(DataLoader(ds, batch_size=8, shuffle=True))
    autograd.manual_seed(3)
    b = _order(DataLoader(ds, batch_size=8, shuffle=True))
    np.testing.assert_array_equal(a, b)


def test_generic_dataset_samplers_and_collate_fn():
    ds = Samples(5)
    X, y = next(iter(DataLoader(ds, batch_size=5)))
    assert X.shape == (5, 3) and y.dtype == np.int64
    np.testing.assert_array_equal(y.numpy(), np.arange(5))
    loader = DataLoader(ds, sampler=[4, 0, 2], batch_size=2)
    assert len(loader) == 2
    np.testing.assert_array_equal(next(iter(loader))[1].numpy(), [4, 0])
    loader = DataLoader(ds, batch_sampler=[[1, 2], [0]])
    assert [b[1].numpy().tolist() for b in loader] == [[1, 2], [0]]
    loader = DataLoader(ds, batch_size=2, collate_fn=lambda batch: [label for _, label in batch])
    assert list(loader) == [[0, 1], [2, 3], [4]]
    assert [s[1] for s in DataLoader(ds, batch_size=None)] == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(ds, sampler=[0], shuffle=True)
    with pytest.raises(ValueError, match="positive integer"):
        DataLoader(ds, batch_size=0)


Point = namedtuple("Point", "x y")


def test_default_collate_structures():
    batch = [
        {
            "image": np.ones((2, 2), np.uint8) * i,
            "label": i,
            "score": 0.5 * i,
            "name": f"s{i}",
            "p": Point(i, [i, 1.0]),
        }
        for i in range(3)
    ]
    out = default_collate(batch)
    assert out["image"].shape == (3, 2, 2) and out["image"].dtype == np.uint8
    assert out["label"].dtype == np.int64 and out["score"].dtype == np.float64
    assert out["name"] == ["s0", "s1", "s2"]
    assert isinstance(out["p"], Point) and isinstance(out["p"].y, list)
    np.testing.assert_array_equal(out["p"].y[1].numpy(), [1.0, 1.0, 1.0])
    assert default_collate([autograd.ones(2), autograd.zeros(2)]).shape == (2, 2)
    assert default_collate([True, False]).dtype == np.bool_
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate"):
        default_collate([object()])


def test_default_collate_matches_torch(torch_oracle):
    batch = [(np.full((2,), i, np.float32), i, 0.25 * i, {"a": np.int32(i)}) for i in range(4)]

    def described(collated):  # the values keep their dtypes, which the oracle compares
        values = collated[:3] + [collated[3]["a"]]
        named = {f"value {i}": value for i, value in enumerate(values)}
        return named | {"type": type(collated).__name__, "keys": list(collated[3])}

    def theirs(torch):
        from torch.utils.data import default_collate as torch_collate

        return described(torch_collate(batch))

    torch_oracle.check(described(default_collate(batch)), theirs)


def test_numpy_integer_indices_index_like_python_ints():
    """A Subset of NumPy ints (a permutation's) gives the samples of a list of ints: a
    label indexed with np.int64 is 0-d, as in PyTorch, and batches are (N,) not (N, 1)."""
    dataset = TensorDataset(autograd.randn(10, 1, 8, 8), autograd.arange(10))
    numpy_indices = Subset(dataset, list(np.random.default_rng(0).permutation(10)[:6]))
    images, labels = next(iter(DataLoader(numpy_indices, 4)))
    assert images.shape == (4, 1, 8, 8) and labels.shape == (4,)
    x = autograd.randn(3, 4, requires_grad=True)
    ours = x[np.int64(1), np.int32(2)]
    assert ours.shape == () and x[np.int64(1)].shape == (4,)  # as torch's: 0-d, and a row
    ours.backward()
    assert x.grad.numpy()[1, 2] == 1 and x.grad.numpy().sum() == 1


def test_subset_and_random_split():
    ds = _dataset(10)
    sub = Subset(ds, [7, 2, 5])
    assert len(sub) == 3 and int(sub[0][1]) == 1
    np.testing.assert_array_equal(next(iter(DataLoader(sub, batch_size=3)))[0].numpy()[:, 0], [21, 6, 15])
    parts = random_split(ds, [3, 7], generator=1)
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    assert parts[0].indices == random_split(ds, [3, 7], generator=1)[0].indices
    assert [len(p) for p in random_split(_dataset(11), [0.5, 0.5])] == [6, 5]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(ds, [3, 3])


@pytest.mark.parametrize("n, fractions", [(10, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]), (7, [0.1, 0.2, 0.7])])
def test_random_split_fraction_lengths_match_torch(torch_oracle, n, fractions):
    torch_oracle.check(
        {"lengths": [len(s) for s in random_split(_dataset(n), fractions, generator=0)]},
        lambda torch: {"lengths": [len(s) for s in torch.utils.data.random_split(range(n), fractions)]},
    )


# --- toy datasets ---
@pytest.mark.parametrize(
    "make, kwargs",
    [
        (datasets.make_moons, {"noise": 0.1}),
        (datasets.make_circles, {"noise": 0.05, "factor": 0.5}),
        (datasets.make_spirals, {"n_classes": 3}),
        (datasets.make_blobs, {"centers": 4}),
        (datasets.xor, {"noise": 0.1, "shuffle": True}),
    ],
)
def test_toy_datasets_shapes_and_seeding(make, kwargs):
    X, y = make(101, **kwargs, generator=0)
    assert X.shape == (101, 2) and X.dtype == np.float32 and y.shape == (101,) and y.dtype == np.int64
    counts = np.bincount(y.numpy())
    assert counts.max() - counts.min() <= 1
    X2, y2 = make(101, **kwargs, generator=0)
    np.testing.assert_array_equal(X.numpy(), X2.numpy())
    np.testing.assert_array_equal(y.numpy(), y2.numpy())
    assert not np.array_equal(X.numpy(), make(101, **kwargs, generator=1)[0].numpy())
    autograd.manual_seed(4)
    a = make(101, **kwargs)[0]
    autograd.manual_seed(4)
    np.testing.assert_array_equal(a.numpy(), make(101, **kwargs)[0].numpy())


def test_toy_dataset_geometry():
    X, y = datasets.xor()
    np.testing.assert_array_equal(X.numpy(), [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y.numpy(), [0, 1, 1, 0])
    X, y = datasets.make_moons(50, shuffle=False)
    upper, lower = X.numpy()[y.numpy() == 0], X.numpy()[y.numpy() == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1, rtol=1e-6)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1, rtol=1e-6)
    X, y = datasets.make_circles(40, factor=0.3, generator=0)
    np.testing.assert_allclose(np.hypot(*X.numpy().T), np.where(y.numpy() == 0, 1.0, 0.3), rtol=1e-6)
    X, y = datasets.make_spirals(60, n_classes=3, noise=0.0, generator=0)
    assert np.hypot(*X.numpy().T).max() <= 1 + 1e-6 and set(y.numpy().tolist()) == {0, 1, 2}
    centers = np.array([[5.0, 5.0], [-5.0, -5.0]])
    X, y = datasets.make_blobs(400, centers=centers, cluster_std=0.5, generator=0)
    for k in range(2):
        np.testing.assert_allclose(X.numpy()[y.numpy() == k].mean(0), centers[k], atol=0.1)


def test_load_digits():
    pytest.importorskip("sklearn")
    train, test = datasets.load_digits()
    assert len(train) + len(test) == 1797 and len(test) == round(0.2 * 1797)
    X, y = train.tensors
    assert X.shape[1:] == (1, 8, 8) and X.dtype == np.float32 and y.dtype == np.int64
    assert X.numpy().min() == 0 and X.numpy().max() == 1 and set(y.numpy().tolist()) == set(range(10))
    flat_train, _ = datasets.load_digits(flatten=True)
    assert flat_train.tensors[0].shape == (len(train), 64)
    np.testing.assert_array_equal(flat_train.tensors[1].numpy(), y.numpy())  # the same split by default
    assert not np.array_equal(datasets.load_digits(generator=1)[0].tensors[1].numpy(), y.numpy())


def test_load_digits_without_sklearn_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install 'glassgrad\[digits\]'"):
        datasets.load_digits()


# --- IDX files and MNIST ---
def _idx_bytes(array, code):
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


@pytest.mark.parametrize(
    "array, code",
    [
        (np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4), 0x08),
        (np.array([-70000, 1, 2], dtype=np.int32), 0x0C),
        (np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3), 0x0D),
        (np.array([-3, 4], dtype=np.int16), 0x0B),
    ],
)
@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_round_trip(tmp_path, array, code, compress):
    data = _idx_bytes(array, code)
    path = tmp_path / "file.idx"
    path.write_bytes(gzip.compress(data) if compress else data)
    out = datasets.read_idx(path)
    assert out.dtype == array.dtype and out.dtype.isnative and out.flags.writeable
    np.testing.assert_array_equal(out, array)


def test_read_idx_errors(tmp_path):
    data = _idx_bytes(np.zeros((3, 4, 4), np.uint8), 0x08)
    cases = {
        "magic.idx": (b"\x00\x01" + data[2:], "magic number"),
        "type.idx": (data[:2] + b"\x07" + data[3:], "magic number"),
        "data.idx": (data[:-5], "truncated"),
        "header.idx": (data[:9], "truncated"),
        "empty.idx": (b"", "magic number"),
        "long.idx": (data + b"\x00", "longer than its header"),
        "gz.idx": (gzip.compress(data)[:-10], "gzip"),
    }
    for name, (content, message) in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ValueError, match=message):
            datasets.read_idx(tmp_path / name)


_IDX_CODES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.int16, 0x0C: np.int32, 0x0D: np.float32, 0x0E: np.float64}


@example(code=8, shape=(0, 2**21, 2**21, 2**21), stored=0, compress=False)
@given(
    code=st.sampled_from(sorted(_IDX_CODES)),
    shape=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=4).map(tuple),
    stored=st.integers(0, 64),
    compress=st.booleans(),
)
def test_read_idx_checks_the_headers_sizes_against_the_file_before_reading(tmp_path_factory, code, shape, stored,
                                                                           compress):
    """Item 2: a header may claim anything (up to 2^32 - 1 per dim); the file holds
    `stored` bytes of data. Only an exact match loads; the rest is a ValueError
    naming the file and the sizes, at once (nothing of the claimed size is allocated)."""
    header = bytes([0, 0, code, len(shape)]) + np.asarray(shape, ">u4").tobytes()
    data = header + bytes(stored)
    path = tmp_path_factory.mktemp("idx") / "claims.idx"
    path.write_bytes(gzip.compress(data) if compress else data)
    needed = math.prod(shape) * np.dtype(_IDX_CODES[code]).itemsize
    if needed == stored and math.prod(s for s in shape if s) < 2**62:
        assert datasets.read_idx(path).shape == shape
    elif needed == stored:  # empty, but the other sides are beyond NumPy's index range
        with pytest.raises(ValueError, match=r"claims\.idx declares shape .* NumPy cannot represent"):
            datasets.read_idx(path)
    else:
        with pytest.raises(ValueError, match=rf"claims\.idx is (truncated|longer).*shape \({shape[0]}.* needs "
                                             rf"{len(header) + needed} bytes"):
            datasets.read_idx(path)


@pytest.mark.parametrize("extra", [1, 10, 10**6])
def test_read_idx_never_decompresses_past_what_the_header_promises(tmp_path, monkeypatch, extra):
    """A gzip bomb: a header claiming 3 bytes, followed by many more. Decompression
    stops one byte past the promise."""
    header = bytes([0, 0, 0x08, 1]) + np.asarray([3], ">u4").tobytes()
    path = tmp_path / "bomb.idx.gz"
    path.write_bytes(gzip.compress(header + bytes(3 + extra)))
    served = []

    class CountingGzip(gzip.GzipFile):
        def read(self, size=-1):
            chunk = super().read(size)
            served.append(len(chunk))
            return chunk

    monkeypatch.setattr("nn.data.idx.gzip.GzipFile", CountingGzip)
    with pytest.raises(ValueError, match="longer than its header says"):
        datasets.read_idx(path)
    assert sum(served) == len(header) + 3 + 1


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_read_idx_of_a_device_fails_fast(device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    with pytest.raises(ValueError, match="not an IDX file|truncated|longer"):
        datasets.read_idx(device)


@given(content=st.binary(max_size=64), compress=st.booleans())
def test_read_idx_of_random_bytes_is_a_value_error_or_an_array(tmp_path_factory, content, compress):
    path = tmp_path_factory.mktemp("idx") / "noise.idx"
    path.write_bytes(gzip.compress(content) if compress else content)
    try:
        assert isinstance(datasets.read_idx(path), np.ndarray)
    except ValueError as error:
        assert "noise.idx" in str(error)


@pytest.mark.parametrize("which, code, values", [
    ("labels", 0x0D, np.array([0.5, 1.5, 2.0, 3.0, 4.0, 5.0])),  # float labels
    ("labels", 0x09, np.array([-1, 2, 3, 4, 5, 6])),  # negative labels
    ("labels", 0x0C, np.array([0, 1, 2, 3, 4, 300])),  # int32 labels
    ("labels", 0x0B, np.arange(6)),
    ("images", 0x0D, np.zeros((6, 28, 28))),  # float images
    ("images", 0x09, np.zeros((6, 28, 28))),
])
def test_mnist_refuses_files_that_are_not_bytes_as_torchvision_does(tmp_path, which, code, values):
    _write_mnist(tmp_path)
    name = "train-labels-idx1-ubyte.gz" if which == "labels" else "train-images-idx3-ubyte.gz"
    array = values.astype(_IDX_CODES[code])
    (tmp_path / name).write_bytes(gzip.compress(_idx_bytes(array, code)))
    with pytest.raises(ValueError, match="expected uint8 images and labels"):
        datasets.MNIST(tmp_path)


def _write_mnist(folder, n=6, compress=True):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    for prefix in ("train", "t10k"):
        for name, array, code in (
            (f"{prefix}-images-idx3-ubyte", images, 0x08),
            (f"{prefix}-labels-idx1-ubyte", labels, 0x08),
        ):
            data = _idx_bytes(array, code)
            (folder / (name + ".gz" if compress else name)).write_bytes(
                gzip.compress(data) if compress else data
            )
    return images, labels


def test_mnist_dataset(tmp_path):
    images, labels = _write_mnist(tmp_path / "MNIST" / "raw")
    ds = datasets.MNIST(tmp_path, train=False)
    assert len(ds) == 6 and ds.data.shape == (6, 28, 28) and ds.targets.dtype == np.int64
    image, label = ds[2]
    np.testing.assert_array_equal(image, images[2])
    assert label == labels[2] and isinstance(label, int)
    ds = datasets.MNIST(tmp_path, transform=T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))]))
    X, y = next(iter(DataLoader(ds, batch_size=4)))
    assert X.shape == (4, 1, 28, 28) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_allclose(X.numpy()[0, 0], (images[0] / 255 - 0.1307) / 0.3081, rtol=1e-5, atol=1e-5)
    _write_mnist(tmp_path / "flat", compress=False)
    assert len(datasets.MNIST(tmp_path / "flat")) == 6
    with pytest.raises(FileNotFoundError, match="never downloads"):
        datasets.MNIST(tmp_path / "nowhere", download=True)


# --- transforms ---
def _image(c=3, h=6, w=8, dtype=np.float32):
    return np.arange(c * h * w, dtype=dtype).reshape(c, h, w)


def test_to_tensor_and_normalize():
    hw = np.array([[0, 255], [51, 102]], np.uint8)
    t = T.ToTensor()(hw)
    assert isinstance(t, autograd.Tensor) and t.shape == (1, 2, 2) and t.dtype == np.float32
    np.testing.assert_allclose(t.numpy()[0], hw / 255, rtol=1e-6)
    assert T.ToTensor()(np.zeros((4, 5, 3), np.uint8)).shape == (3, 4, 5)
    img = _image()
    out = T.Normalize((1.0, 2.0, 3.0), (2.0, 4.0, 8.0))(img)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_allclose(
        out, (img - [[[1.0]], [[2.0]], [[3.0]]]) / [[[2.0]], [[4.0]], [[8.0]]], rtol=1e-6
    )
    assert T.Normalize(0.5, 0.5)(img[0]).shape == (6, 8)
    with pytest.raises(ValueError, match="zero"):
        T.Normalize((0.0,), (0.0,))(img)


def test_flips():
    img = _image()
    np.testing.assert_array_equal(T.hflip(img), img[:, :, ::-1])
    np.testing.assert_array_equal(T.vflip(img), img[:, ::-1, :])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(img), img[:, :, ::-1])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=0.0)(img), img)
    rng = np.random.default_rng(0)
    flips = [T.RandomHorizontalFlip(generator=rng)(img)[0, 0, 0] != 0 for _ in range(200)]
    assert 60 < sum(flips) < 140
    t = T.hflip(autograd.tensor(img))
    assert isinstance(t, autograd.Tensor)
    np.testing.assert_array_equal(t.numpy(), img[:, :, ::-1])


def test_crops_with_padding():
    img = _image(h=8, w=8)
    out = T.RandomCrop(8, padding=2, generator=0)(img)
    assert out.shape == (3, 8, 8)
    padded = np.pad(img, [(0, 0), (2, 2), (2, 2)])
    windows = [padded[:, i : i + 8, j : j + 8] for i in range(5) for j in range(5)]
    assert any(np.array_equal(out, w) for w in windows)
    seen = {T.RandomCrop(8, padding=2, generator=7)(img).tobytes() for _ in range(3)}
    assert len(seen) == 1  # an int seed: the same draw each call
    rng = np.random.default_rng(1)
    draws = [T.RandomCrop(4, generator=rng)(img) for _ in range(30)]
    assert len({d.tobytes() for d in draws}) > 5
    np.testing.assert_array_equal(T.crop(img, 1, 2, 3, 4), img[:, 1:4, 2:6])
    np.testing.assert_array_equal(T.CenterCrop(4)(img), img[:, 2:6, 2:6])
    assert T.RandomCrop((10, 12), pad_if_needed=True, generator=0)(img).shape == (3, 10, 12)
    np.testing.assert_array_equal(T.pad(img[0], (1, 2), fill=-1)[:2, 0], [-1, -1])
    assert T.pad(img, (1, 2, 3, 4), padding_mode="reflect").shape == (3, 14, 12)
    with pytest.raises(ValueError, match="larger"):
        T.RandomCrop(9)(img)


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_rotation(interpolation):
    img = _image(h=6, w=6)
    np.testing.assert_array_equal(T.rotate(img, 0.0, interpolation), img)
    np.testing.assert_array_equal(T.RandomRotation(0, interpolation)(img), img)
    np.testing.assert_allclose(T.rotate(img, 90.0, interpolation), np.rot90(img, axes=(1, 2)), atol=1e-4)
    np.testing.assert_allclose(T.rotate(img, 180.0, interpolation), img[:, ::-1, ::-1], atol=1e-4)
    small = T.rotate(img, 30.0, interpolation, fill=-1)
    assert small.shape == img.shape and small.dtype == img.dtype
    assert (
        (small[:, 0, 0] == -1).all() if interpolation == "nearest" else (small[:, 0, 0] < img[:, 0, 0]).all()
    )
    u8 = T.rotate(np.full((5, 5), 200, np.uint8), 15.0, interpolation)
    assert u8.dtype == np.uint8 and u8[2, 2] == 200
    a = T.RandomRotation(15, interpolation, generator=3)(img)
    np.testing.assert_array_equal(a, T.RandomRotation(15, interpolation, generator=3)(img))
    batch = np.stack([img, img + 1])  # NCHW: one draw for the whole batch
    out = T.rotate(batch, 30.0, interpolation)
    np.testing.assert_array_equal(out[1] - out[0] != 0, T.rotate(np.ones_like(img), 30.0, interpolation) != 0)


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_rotation_matches_torch_grid_sample(torch_oracle, interpolation):
    """torchvision's rotate is affine_grid + grid_sample (zero fill) with this matrix."""
    img = np.random.default_rng(0).standard_normal((2, 3, 9, 9)).astype(np.float32)
    angles = (7.0, 37.0, -23.0, 135.0)

    def theirs(torch):
        results = {}
        for angle in angles:
            a = np.deg2rad(angle)
            theta = torch.tensor([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0]], dtype=torch.float32)
            grid = torch.nn.functional.affine_grid(theta.expand(2, 2, 3), (2, 3, 9, 9), align_corners=False)
            results[f"rotated by {angle}"] = torch.nn.functional.grid_sample(
                torch.tensor(img), grid, interpolation, "zeros", align_corners=False
            )
        return results

    ours = {f"rotated by {angle}": T.rotate(img, angle, interpolation) for angle in angles}
    torch_oracle.check(ours, theirs, inputs={"image": img}, rtol=0, atol=1e-5)


def test_compose_lambda_and_tta():
    pipeline = T.Compose([T.Lambda(lambda a: a * 2), T.RandomHorizontalFlip(p=1.0), T.CenterCrop((2, 4))])
    img = _image(h=4, w=6)
    np.testing.assert_array_equal(pipeline(img), (img * 2)[:, 1:3, ::-1][:, :, 1:5])
    assert "RandomHorizontalFlip" in repr(pipeline)

    x = autograd.tensor(np.random.default_rng(0).standard_normal((2, 1, 4, 4)).astype(np.float32))

    def model(batch):
        return batch[:, 0, 0, :] * 3  # the first row of each image

    out = T.tta_predict(model, x)
    np.testing.assert_allclose(out.numpy(), 3 * (x.numpy()[:, 0, 0] + x.numpy()[:, 0, 0, ::-1]) / 2, rtol=1e-6)
    rotations = [lambda b, a=a: T.rotate(b, a) for a in (-15, 0, 15)]
    out = T.tta_predict(model, x, rotations, activation=lambda o: o.softmax(1))
    assert out.shape == (2, 4) and out.dtype == np.float32
    np.testing.assert_allclose(out.numpy().sum(1), 1, rtol=1e-5)
