"""Invalid loss, layer and DataLoader arguments raise as PyTorch's do (issue 17, items 6
and 8), each class drawn by Hypothesis: BCE targets and inputs outside [0, 1] (NaN
included), huber_loss delta <= 0 and smooth_l1_loss beta < 0, convolution geometry
(kernel_size, stride, dilation, padding, output_padding), class indices out of range or
of a float dtype, DataLoader batch sizes and samplers that are not integers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd
import nn
import nn.functional as F
from nn.data import DataLoader, TensorDataset

_OUTSIDE_UNIT = st.one_of(st.floats(1.0, 1e6, exclude_min=True, width=32),  # float32: what the tensor holds
                          st.floats(-1e6, 0.0, exclude_max=True, width=32), st.just(float("nan")))
_INSIDE_UNIT = st.floats(0.0, 1.0)


@given(good=st.lists(_INSIDE_UNIT, min_size=1, max_size=5), bad=_OUTSIDE_UNIT, at=st.integers(0, 4),
       where=st.sampled_from(["input", "target"]), module=st.booleans())
def test_binary_cross_entropy_refuses_values_outside_0_1(good, bad, at, where, module):
    values = list(good)
    values[at % len(values)] = bad
    probabilities = autograd.tensor([0.5] * len(values))
    input, target = (autograd.tensor(values), probabilities) if where == "input" else (probabilities,
                                                                                        autograd.tensor(values))
    loss = nn.BCELoss() if module else F.binary_cross_entropy
    with pytest.raises(RuntimeError, match=f"all elements of {where} should be between 0 and 1"):
        loss(input, target)


@given(input=st.lists(_INSIDE_UNIT, min_size=3, max_size=3), target=st.lists(_INSIDE_UNIT, min_size=3, max_size=3))
def test_binary_cross_entropy_accepts_probabilities_and_soft_labels(input, target):
    loss = F.binary_cross_entropy(autograd.tensor(input), autograd.tensor(target))
    assert np.isfinite(loss.item())


@given(delta=st.one_of(st.floats(max_value=0.0), st.sampled_from([float("nan"), None, "1", True, [1.0]])),
       module=st.booleans())
def test_huber_loss_refuses_a_non_positive_delta(delta, module):
    x, y = autograd.randn(3), autograd.randn(3)
    with pytest.raises(RuntimeError, match="huber_loss does not support non-positive values for delta"):
        nn.HuberLoss(delta=delta)(x, y) if module else F.huber_loss(x, y, delta=delta)


@given(beta=st.one_of(st.floats(max_value=0.0, exclude_max=True), st.sampled_from([float("nan"), None, "1", True])),
       module=st.booleans())
def test_smooth_l1_loss_refuses_a_negative_beta(beta, module):
    x, y = autograd.randn(3), autograd.randn(3)
    with pytest.raises(RuntimeError, match="smooth_l1_loss does not support negative values for beta"):
        nn.SmoothL1Loss(beta=beta)(x, y) if module else F.smooth_l1_loss(x, y, beta=beta)


@given(delta=st.floats(1e-3, 1e3))
def test_huber_loss_with_a_positive_delta_is_a_huber_loss(delta):
    d = np.array([0.0, delta / 2, 2 * delta], dtype=np.float64)
    got = F.huber_loss(autograd.tensor(d), autograd.zeros(3, dtype=autograd.float64), reduction="none", delta=delta)
    np.testing.assert_allclose(got.numpy(), [0.0, 0.5 * (delta / 2) ** 2, delta * 1.5 * delta], rtol=1e-12)


_NOT_POSITIVE = st.one_of(st.integers(-3, 0), st.sampled_from([1.5, 2.0, True, "2", None]))
_NOT_NON_NEGATIVE = st.one_of(st.integers(-3, -1), st.sampled_from([0.5, 1.0, False, "1"]))


@given(
    argument=st.sampled_from(["kernel_size", "stride", "dilation", "padding"]),
    data=st.data(),
    transposed=st.booleans(),
    pair=st.booleans(),
)
def test_convolutions_refuse_a_bad_geometry_when_built(argument, data, transposed, pair):
    """PyTorch accepts Conv2d(kernel_size=0) and fails at the first forward; here the
    layer refuses it, naming the argument."""
    bad = data.draw(_NOT_NON_NEGATIVE if argument == "padding" else _NOT_POSITIVE)
    value = (3, bad) if pair else bad
    kwargs = {"kernel_size": 3, argument: value}
    layer = nn.ConvTranspose2d if transposed else nn.Conv2d
    with pytest.raises((ValueError, TypeError), match=argument if not pair or bad is not None else ""):
        layer(2, 4, **kwargs)


@given(stride=st.integers(1, 3), dilation=st.integers(1, 3), extra=st.integers(0, 3))
def test_conv_transpose_refuses_output_padding_not_below_stride_or_dilation(stride, dilation, extra):
    output_padding = max(stride, dilation) + extra
    with pytest.raises(ValueError, match="output padding must be smaller"):
        nn.ConvTranspose2d(1, 1, 3, stride=stride, dilation=dilation, output_padding=output_padding)
    nn.ConvTranspose2d(1, 1, 3, stride=stride, dilation=dilation, output_padding=max(stride, dilation) - 1)


@given(
    n=st.integers(1, 5), classes=st.integers(1, 5), data=st.data(),
    loss=st.sampled_from(["cross_entropy", "nll_loss", "CrossEntropyLoss", "NLLLoss"]),
)
def test_class_indices_out_of_range_raise_index_error(n, classes, data, loss):
    targets = data.draw(st.lists(st.integers(0, classes - 1), min_size=n, max_size=n))
    bad = data.draw(st.one_of(st.integers(classes, classes + 10), st.integers(-10, -1).filter(lambda v: v != -100)))
    targets[data.draw(st.integers(0, n - 1))] = bad
    fn = getattr(F, loss) if loss[0].islower() else getattr(nn, loss)()
    with pytest.raises(IndexError, match=f"Target {bad} is out of bounds for {classes} classes"):
        fn(autograd.randn(n, classes), autograd.tensor(targets))


@given(n=st.integers(1, 5), classes=st.integers(2, 5), dtype=st.sampled_from([np.float32, np.float64, np.bool_]),
       loss=st.sampled_from(["cross_entropy", "nll_loss"]))
def test_float_or_bool_targets_where_class_indices_are_expected_raise(n, classes, dtype, loss):
    """A float target of the index shape (N,) is neither class indices (an int dtype)
    nor class probabilities (the input's shape (N, C))."""
    target = autograd.tensor(np.zeros(n, dtype=dtype))
    with pytest.raises(RuntimeError, match="integer|input's shape"):
        getattr(F, loss)(autograd.randn(n, classes), target)


def _dataset(n=6):
    return TensorDataset(autograd.arange(n).float(), autograd.arange(n))


@given(batch_size=st.one_of(st.integers(-5, 0), st.floats(0.1, 10.0), st.sampled_from([True, "2", [2]])))
def test_a_batch_size_that_is_not_a_positive_int_is_refused_when_the_loader_is_built(batch_size):
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        DataLoader(_dataset(), batch_size=batch_size)


@given(indices=st.lists(st.integers(0, 5), min_size=1, max_size=6), bad=st.floats(0.0, 5.0).filter(
       lambda v: not v.is_integer()) | st.sampled_from(["1", None]), at=st.integers(0, 5),
       container=st.sampled_from([list, tuple, np.array, iter]))
def test_a_sampler_giving_floats_is_refused_not_truncated(indices, bad, at, container):
    values = list(indices)
    values[at % len(values)] = bad
    try:
        sampler = container(values)
    except (TypeError, ValueError):
        return  # NumPy itself refuses the mix
    with pytest.raises(TypeError, match="sampler must give integer indices"):
        list(DataLoader(_dataset(), batch_size=2, sampler=sampler))


@given(indices=st.lists(st.integers(0, 5), max_size=8), batch_size=st.integers(1, 4))
def test_integer_samplers_give_those_samples(indices, batch_size):
    batches = list(DataLoader(_dataset(), batch_size=batch_size, sampler=indices))
    got = [int(i) for _, y in batches for i in y.numpy()]
    assert got == indices


def test_a_batch_sampler_of_floats_is_refused():
    with pytest.raises(TypeError, match="batch_sampler must give integer indices"):
        list(DataLoader(_dataset(), batch_sampler=[[0, 1], [2.5, 3]]))


# --- load_state_dict checks every entry before copying any (item 10) -----------------------


def _model():
    autograd.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def _corrupt(value, how):
    array = value.numpy()
    return {
        "shape": lambda: autograd.zeros(array.shape + (2,)),
        "broadcasts": lambda: autograd.zeros((1,) * array.ndim if array.ndim else (1, 1)),
        "strings": lambda: np.full(array.shape, "w"),
        "bytes": lambda: np.full(array.shape, b"w"),
        "objects": lambda: np.full(array.shape, None, dtype=object),
        "complex": lambda: np.zeros(array.shape, np.complex64),
        "datetimes": lambda: np.zeros(array.shape, "datetime64[s]"),
        "list": lambda: array.tolist(),
        "None": lambda: None,
        "float into int": lambda: np.full(array.shape, 2.7),
    }[how]()


@given(data=st.data(), how=st.sampled_from(["shape", "broadcasts", "strings", "bytes", "objects", "complex",
                                            "datetimes", "list", "None", "float into int"]),
       strict=st.booleans(), assign=st.booleans())
def test_load_state_dict_checks_every_entry_before_copying_any(data, how, strict, assign):
    assume(not (assign and how == "float into int"))  # assign takes the checkpoint's dtype, as in PyTorch
    model = _model()
    state = {k: v.clone() + 1 if v.dtype.kind == "f" else v.clone() for k, v in model.state_dict().items()}
    keys = [k for k, v in state.items() if (v.dtype.kind == "i") == (how == "float into int")]
    key = data.draw(st.sampled_from(keys))
    state[key] = _corrupt(state[key], how)
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    with pytest.raises(RuntimeError, match=f'(for|named) "?{key.replace(".", r"[.]")}'):
        model.load_state_dict(state, strict=strict, assign=assign)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])


def test_load_state_dict_with_assign_refuses_an_int_for_a_parameter_that_requires_grad():
    model = nn.Linear(2, 2)
    state = {"weight": np.ones((2, 2), np.int64), "bias": autograd.zeros(2)}
    weight = model.weight.numpy().copy()
    with pytest.raises(RuntimeError, match='"weight".*requires grad'):
        model.load_state_dict(state, assign=True)
    np.testing.assert_array_equal(model.weight.numpy(), weight)


# --- found by differential fuzzing against PyTorch ------------------------------------------


@given(weight=st.sampled_from([None, 1.5, "w", [[1.0, 2.0, 3.0]], np.ones((2, 3)), autograd.tensor(2.0),
                               autograd.ones(2, 3, 3)]))
def test_linear_refuses_a_weight_that_is_not_a_1d_or_2d_tensor(weight):
    """F.linear(x, None) raised AttributeError: 'NoneType' object has no attribute 'shape'."""
    with pytest.raises(TypeError, match="linear\\(\\): weight must be a Tensor"):
        F.linear(autograd.ones(2, 3), weight)


@given(p=st.sampled_from([float("nan"), None, "0.5", -0.1, 1.5, True, [0.5], float("inf")]),
       which=st.sampled_from(["F.dropout", "F.dropout2d", "nn.Dropout"]))
def test_dropout_refuses_a_probability_outside_0_1_nan_included(p, which):
    """dropout(p=nan) zeroed everything (NaN compares false with both bounds)."""
    x = autograd.ones(2, 3, 4, 4)
    calls = {"F.dropout": lambda: F.dropout(x, p), "F.dropout2d": lambda: F.dropout2d(x, p),
             "nn.Dropout": lambda: nn.Dropout(p)(x)}
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        calls[which]()


@pytest.mark.parametrize("sampler", [3, 1.5, object(), [[0, 1], [2]]])
def test_a_sampler_that_is_not_an_iterable_of_indices_is_refused(sampler):
    with pytest.raises(TypeError, match="sampler must (be an iterable|give integer)"):
        list(DataLoader(_dataset(), batch_size=2, sampler=sampler))
