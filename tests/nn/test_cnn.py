"""Convolutional layers: against PyTorch with the same weights copied in, their reprs and
default initialisation, and two CNNs that learn (the 8x8 digits, a LeNet on IDX files)."""

from __future__ import annotations

import gzip
import math
import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from nn.data import DataLoader
from nn.data import transforms as T
from nn.data.datasets import MNIST, load_digits
from tests.nn.compare import assert_close, compare, compare_modules, seeded_normal, with_seeded_parameters

RNG = np.random.default_rng(4321)


TOL = {"rtol": 1e-4, "atol": 1e-5}


# --- layers against PyTorch --------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, kwargs, shape",
    [
        ((3, 4, 3), {}, (2, 3, 7, 6)),
        ((3, 6, (3, 2)), {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2), "groups": 3}, (2, 3, 8, 7)),
        ((2, 4, 4), {"padding": "same", "dilation": 2, "bias": False}, (1, 2, 7, 7)),
        ((2, 4, 3), {"padding": "valid"}, (2, 2, 5, 5)),
        ((2, 3, 3), {"padding": 2, "padding_mode": "reflect"}, (2, 2, 6, 5)),
        ((2, 3, 3), {"padding": (1, 2), "padding_mode": "replicate"}, (2, 2, 6, 5)),
        ((2, 3, 3), {"padding": "same", "padding_mode": "circular"}, (2, 2, 6, 5)),
        ((3, 4, 3), {"padding": 1}, (3, 7, 6)),  # unbatched
    ],
)
def test_conv2d_matches_torch(torch_oracle, args, kwargs, shape):
    ours = with_seeded_parameters(nn.Conv2d(*args, **kwargs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's note on 'same' with an even kernel
        compare_modules(
            torch_oracle, ours, lambda lib: lib.nn.Conv2d(*args, **kwargs), seeded_normal(1, *shape), **TOL
        )


@pytest.mark.parametrize(
    "args, kwargs, shape",
    [
        ((3, 4, 3), {}, (2, 3, 9)),
        ((4, 6, 2), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}, (2, 4, 11)),
        ((2, 2, 3), {"padding": "same", "padding_mode": "circular"}, (3, 2, 5)),
        ((2, 2, 3), {"padding": 1}, (2, 5)),  # unbatched
    ],
)
def test_conv1d_matches_torch(torch_oracle, args, kwargs, shape):
    ours = with_seeded_parameters(nn.Conv1d(*args, **kwargs))
    compare_modules(
        torch_oracle, ours, lambda lib: lib.nn.Conv1d(*args, **kwargs), seeded_normal(1, *shape), **TOL
    )


@pytest.mark.parametrize(
    "args, kwargs, shape",
    [
        ((3, 4, 3), {}, (2, 3, 4, 5)),
        ((4, 6, (3, 2)), {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2}, (2, 4, 3, 4)),
        ((2, 3, 3), {"stride": (1, 3), "dilation": 2, "output_padding": (1, 2), "bias": False}, (1, 2, 3, 3)),
        ((2, 3, 2), {"stride": 2}, (2, 3, 3)),  # unbatched
    ],
)
def test_conv_transpose2d_matches_torch(torch_oracle, args, kwargs, shape):
    ours = with_seeded_parameters(nn.ConvTranspose2d(*args, **kwargs))
    compare_modules(
        torch_oracle,
        ours,
        lambda lib: lib.nn.ConvTranspose2d(*args, **kwargs),
        seeded_normal(1, *shape),
        **TOL,
    )


def test_conv_transpose_output_size_matches_torch(torch_oracle):
    two = lambda m: m.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    one = lambda m: m.ConvTranspose1d(2, 3, 3, stride=3)
    for seed, make, shape, size in [
        (1, two, (1, 2, 4, 5), [8, 9]),
        (2, two, (1, 2, 4, 5), [1, 3, 8, 10]),
        (3, one, (2, 2, 4), [13]),
    ]:
        ours, x = with_seeded_parameters(make(nn)), seeded_normal(seed, *shape)
        compare_modules(torch_oracle, ours, lambda lib, make=make: make(lib.nn), x, case=f"{seed}", **TOL)
        ours.zero_grad()
        compare_modules(
            torch_oracle,
            ours,
            lambda lib, make=make: make(lib.nn),
            x,
            case=f"{seed} output_size={size}",
            call_kwargs={"output_size": size},
            **TOL,
        )
    with pytest.raises(
        ValueError,
        match=r"requested an output size of \[11, 9\], but valid sizes range from \[7, 9\] to \[8, 10\]",
    ):
        two(nn)(autograd.zeros(1, 2, 4, 5), output_size=[11, 9])


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda m: m.MaxPool2d(2), (2, 3, 8, 6)),
        (lambda m: m.MaxPool2d((3, 2), stride=(2, 1), padding=1, dilation=(1, 2), ceil_mode=True), (2, 3, 7, 8)),
        (lambda m: m.MaxPool2d(3, stride=2), (3, 7, 7)),  # unbatched
        (lambda m: m.MaxPool1d(3, stride=2, padding=1, ceil_mode=True), (2, 3, 10)),
        (lambda m: m.AvgPool2d(2), (2, 3, 8, 6)),
        (lambda m: m.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), (2, 3, 8, 7)),
        (lambda m: m.AvgPool2d((2, 3), divisor_override=4), (2, 3, 6, 6)),
        (lambda m: m.AvgPool1d(3, stride=2, padding=1), (2, 3, 10)),
        (lambda m: m.AdaptiveAvgPool2d((3, 4)), (2, 3, 8, 7)),
        (lambda m: m.AdaptiveAvgPool2d(1), (2, 3, 5, 5)),
        (lambda m: m.AdaptiveAvgPool2d((None, 2)), (3, 5, 5)),
        (lambda m: m.AdaptiveAvgPool1d(4), (2, 3, 10)),
        (lambda m: m.Upsample(scale_factor=2), (2, 3, 4, 5)),
        (lambda m: m.Upsample(scale_factor=(1.5, 3)), (2, 3, 4, 5)),
        (lambda m: m.Upsample(size=(7, 3)), (2, 3, 4, 5)),
        (lambda m: m.Upsample(scale_factor=3), (2, 3, 4)),
    ],
)
def test_pooling_and_upsampling_match_torch(torch_oracle, make, shape):
    x = (
        np.random.default_rng(0).permutation(math.prod(shape)).reshape(shape).astype(np.float32) / 10
    )  # no ties
    compare(torch_oracle, lambda lib: make(lib.nn), x, **TOL)


def test_max_pool_return_indices_match_torch(torch_oracle):
    x = seeded_normal(0, 2, 3, 9, 8)

    def run(lib):
        out, indices = lib.nn.MaxPool2d(3, stride=2, padding=1, return_indices=True)(lib.torch.tensor(x))
        return {"out": out, "indices": indices}

    torch_oracle.check_same(run, inputs={"x": x})


@pytest.mark.parametrize("shape", [(8, 3, 4, 4), (2, 3, 5, 1)])
@pytest.mark.parametrize(
    "options", [{}, {"momentum": None}, {"affine": False}, {"track_running_stats": False}], ids=str
)
def test_batchnorm2d_matches_torch_over_several_steps(torch_oracle, shape, options):
    ours = with_seeded_parameters(nn.BatchNorm2d(3, **options))
    twin = lambda lib: lib.nn.BatchNorm2d(3, **options)
    for step in range(3):
        compare_modules(
            torch_oracle, ours, twin, seeded_normal(step, *shape) * 2 + step, case=f"step {step}", **TOL
        )
        ours.zero_grad()
    ours.eval()
    compare_modules(torch_oracle, ours, twin, seeded_normal(3, *shape), case="eval", **TOL)


def test_batchnorm2d_gradcheck_and_errors():
    m = nn.BatchNorm2d(2).double()
    x = autograd.tensor(RNG.standard_normal((3, 2, 2, 2)), requires_grad=True)
    assert autograd.gradcheck(lambda x, w, b: m(x) * 1.0, (x, m.weight, m.bias))
    with pytest.raises(ValueError, match=r"BatchNorm2d\(2.*expected 4D input \(got 3D"):
        m(autograd.zeros(2, 2, 3, dtype=autograd.float64))
    with pytest.raises(RuntimeError, match=r"\(N, 2, H, W\), got \(2, 3, 4, 4\)"):
        m(autograd.zeros(2, 3, 4, 4, dtype=autograd.float64))


def test_dropout2d_zeroes_whole_channels():
    autograd.manual_seed(0)
    m = nn.Dropout2d(0.5)
    x = autograd.ones(64, 8, 3, 3, requires_grad=True)
    y = m(x)
    per_channel = y.numpy().reshape(64, 8, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1))
    assert 0.4 < (per_channel[..., 0] == 0).mean() < 0.6
    y.sum().backward()
    assert_close(x.grad, y.numpy())  # the gradient is the mask
    m.eval()
    assert m(x) is x
    with pytest.warns(UserWarning, match="3D input to dropout2d"):
        F.dropout2d(autograd.ones(2, 3, 4))
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout2d(1.5)


# --- reprs, initialisation and argument errors -----------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "Conv1d(2, 4, 3)",
        "Conv1d(2, 4, 3, stride=1, padding='same', dilation=2, groups=2, bias=False, padding_mode='circular')",
        "Conv2d(1, 6, 5, padding=2)",
        "Conv2d(3, 8, 3, padding='same')",
        "Conv2d(3, 8, (3, 5), stride=2, padding=(1, 2), dilation=2, bias=False, padding_mode='reflect')",
        "Conv2d(4, 8, 3, groups=4, padding='valid')",
        "ConvTranspose1d(2, 4, 3, stride=2, output_padding=1)",
        "ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=1, groups=2, bias=False, dilation=2)",
        "MaxPool1d(3)",
        "MaxPool2d(2)",
        "MaxPool2d((2, 3), stride=1, padding=1, dilation=2, return_indices=True, ceil_mode=True)",
        "AvgPool1d(3, stride=2, padding=1)",
        "AvgPool2d(2)",
        "AvgPool2d((2, 3), stride=(1, 2), padding=1, ceil_mode=True, count_include_pad=False, divisor_override=3)",
        "AdaptiveAvgPool1d(4)",
        "AdaptiveAvgPool2d((1, None))",
        "AdaptiveAvgPool2d(3)",
        "BatchNorm2d(4)",
        "BatchNorm2d(4, eps=1e-3, momentum=None, affine=False, track_running_stats=False)",
        "Dropout2d()",
        "Dropout2d(0.2, inplace=True)",
        "Upsample(scale_factor=2)",
        "Upsample(size=(4, 5))",
        "Upsample(scale_factor=(2, 3), mode='nearest')",
    ],
)
def test_reprs_match_torch(torch_oracle, expression):
    def run(lib):
        module = eval(expression, vars(lib.nn))
        weight = getattr(module, "weight", None)
        return {
            "repr": repr(module),
            "weight shape": None if weight is None else list(weight.shape),
            "parameters": [n for n, _ in module.named_parameters()],
        }

    torch_oracle.check_same(run)


@pytest.mark.parametrize(
    "layer, fan_in",
    [
        (lambda: nn.Conv2d(3, 8, 5), 75),
        (lambda: nn.Conv1d(4, 6, 3, groups=2), 6),
        (lambda: nn.ConvTranspose2d(4, 6, 3, groups=2), 27),
    ],
)
def test_default_init_is_uniform_within_one_over_sqrt_fan_in(layer, fan_in):
    autograd.manual_seed(0)
    m = layer()
    bound = 1 / math.sqrt(fan_in)
    for p in (m.weight, m.bias):
        assert p.dtype == np.float32
        assert np.abs(p.numpy()).max() <= bound
        assert np.abs(p.numpy()).max() > 0.5 * bound
    assert nn.Conv2d(1, 2, 3, dtype=autograd.float64).weight.dtype == np.float64


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: nn.Conv2d(3, 4, 3, groups=2), "in_channels must be divisible by groups"),
        (lambda: nn.Conv2d(4, 3, 3, groups=2), "out_channels must be divisible by groups"),
        (lambda: nn.Conv2d(4, 4, 3, groups=0), "groups must be a positive integer"),
        (lambda: nn.Conv2d(4, 4, 3, padding="full"), "Invalid padding string 'full'"),
        (lambda: nn.Conv2d(4, 4, 3, stride=2, padding="same"), "not supported for strided convolutions"),
        (lambda: nn.Conv2d(4, 4, 3, padding_mode="mirror"), "padding_mode must be one of"),
        (lambda: nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"), 'Only "zeros" padding mode'),
    ],
)
def test_layer_argument_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_layer_names_the_shapes_it_cannot_take():
    with pytest.raises(RuntimeError, match=r"expected input\[2, 2, 8, 8\] to have 3 channels, but got 2"):
        nn.Conv2d(3, 4, 3)(autograd.zeros(2, 2, 8, 8))
    with pytest.raises(RuntimeError, match=r"padded input size per channel: \(2 x 2\).*Kernel size: \(3 x 3\)"):
        nn.Conv2d(3, 4, 3)(autograd.zeros(1, 3, 2, 2))


# --- networks that learn ----------------------------------------------------------------------------


def test_small_cnn_reaches_98_percent_on_the_digits():
    pytest.importorskip("sklearn")
    autograd.manual_seed(0)
    train, test = load_digits()
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.2), nn.Linear(32 * 2 * 2, 10),
    )
    optimizer = nn.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    images, labels = train.tensors
    for epoch in range(10):
        model.train()
        order = np.random.default_rng(epoch).permutation(len(labels))
        for start in range(0, len(order), 64):
            batch = order[start : start + 64]
            optimizer.zero_grad()
            loss_fn(model(images[batch]), labels[batch]).backward()
            optimizer.step()
    model.eval()
    with autograd.no_grad():
        accuracy = (model(test.tensors[0]).argmax(1).numpy() == test.tensors[1].numpy()).mean()
    assert accuracy >= 0.98


def _write_idx(path, array):
    """An IDX file (MNIST's format) of uint8 data, gzipped."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    path.write_bytes(gzip.compress(header + array.astype(np.uint8).tobytes()))


def test_lenet_trains_on_mnist_format_idx_files(tmp_path):
    """Tiny synthetic MNIST files (a class is a bright square at one of ten places, plus
    noise), read by nn.data.datasets.MNIST, fed by a DataLoader to LeNet-5: the loss falls."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 320)
    images = rng.integers(0, 60, (320, 28, 28))
    for i, label in enumerate(labels):
        row, column = 3 + 8 * (label // 4), 3 + 6 * (label % 4)
        images[i, row : row + 6, column : column + 6] += 190
    folder = tmp_path / "MNIST" / "raw"
    folder.mkdir(parents=True)
    for prefix in ("train", "t10k"):
        _write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images)
        _write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", labels)
    data = MNIST(tmp_path, train=True, transform=T.Compose([T.ToTensor(), T.Normalize((0.2,), (0.3,))]))
    loader = DataLoader(data, batch_size=32, shuffle=True, generator=np.random.default_rng(0))

    autograd.manual_seed(0)
    lenet = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )
    optimizer = nn.optim.SGD(lenet.parameters(), lr=0.02, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    epochs = []
    for _ in range(4):
        losses = []
        for x, y in loader:
            assert x.shape[1:] == (1, 28, 28) and x.dtype == np.float32
            optimizer.zero_grad()
            loss = loss_fn(lenet(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        epochs.append(np.mean(losses))
    assert epochs[-1] < 0.3 * epochs[0], epochs
