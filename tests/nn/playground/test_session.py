"""The playground's data, features, configuration checks and training, without a server."""

import numpy as np
import pytest

import autograd
from nn.playground import datasets, session
from nn.playground.config import FieldError, parse_config
from nn.playground.session import Session


@pytest.mark.parametrize("name", sorted(datasets.BUILT_IN))
@pytest.mark.parametrize("problem", ["classification", "regression"])
def test_every_dataset_serves_both_problems(name, problem):
    points, targets, extent = session.load_data(parse_config({"dataset": name, "problem": problem}), None,
                                                np.random.default_rng(0))
    assert points.shape == (datasets.SAMPLES, 2) and targets.shape == (datasets.SAMPLES,) and extent == 6
    assert np.abs(points).max() <= 6.5
    if problem == "classification":
        assert set(np.unique(targets)) == {-1.0, 1.0}
        assert 0.3 < (targets > 0).mean() < 0.7
    else:
        assert np.abs(targets).max() <= 1


def test_data_depend_on_the_seed_and_the_noise_only_as_asked():
    def data(**changes):
        rng = np.random.default_rng(changes.get("seed", 0))
        return session.load_data(parse_config(changes), None, rng)[0]

    np.testing.assert_array_equal(data(seed=3), data(seed=3))
    assert not np.array_equal(data(seed=3), data(seed=4))
    radius = np.hypot(*data().T)
    assert radius.max() <= 5 + 1e-9 and not ((2.5 < radius) & (radius < 3.5)).any()  # the circle's gap
    radius = np.hypot(*data(noise=0.5).T)
    assert ((2.5 < radius) & (radius < 3.5)).any()


def test_feature_columns_are_the_named_functions_of_x1_and_x2():
    points = np.array([[0.5, -2.0], [3.0, 1.5]], dtype=np.float32)
    columns = datasets.feature_columns(autograd.from_numpy(points), list(datasets.FEATURES)).numpy()
    x1, x2 = points.T
    expected = np.stack([x1, x2, x1 * x1, x2 * x2, x1 * x2, np.sin(x1), np.sin(x2)], 1)
    np.testing.assert_allclose(columns, expected, rtol=1e-6)


@pytest.mark.parametrize("kind, derivative", [("L2", lambda w: w), ("L1", np.sign)])
def test_regularization_adds_rate_times_its_derivative_to_the_weight_gradients(kind, derivative):
    plain = Session(parse_config({"hidden": [3], "seed": 1}))
    regular = Session(parse_config({"hidden": [3], "seed": 1, "regularization": kind,
                                    "regularization_rate": 0.3}))
    for (w, b), (w_reg, b_reg), linear in zip(plain.gradients(), regular.gradients(), regular.linears):
        np.testing.assert_allclose(w_reg - w, 0.3 * derivative(linear.weight.numpy()), atol=1e-6)
        np.testing.assert_allclose(b_reg, b, atol=1e-7)  # biases are not regularized


def test_regression_on_the_plane_learns():
    run = Session(parse_config({"dataset": "plane", "problem": "regression", "activation": "linear",
                                "hidden": [2], "learning_rate": 0.01}))
    start = run.losses()["test"]
    run.train(20)
    assert run.losses()["test"] < start / 10
    assert isinstance(run.model[-1], type(run.linears[-1]))  # a linear output for regression


def test_the_loss_curve_is_thinned_to_a_bounded_length(monkeypatch):
    monkeypatch.setattr(session, "MAX_HISTORY", 8)
    run = Session(parse_config({"hidden": [2]}))
    run.train(21)
    epochs = [entry[0] for entry in run.history]
    assert len(epochs) <= 8 and epochs[0] == 0 and epochs == sorted(epochs)
    assert all(e % run.history_stride == 0 for e in epochs) and run.history_stride == 4
    assert epochs[-1] == 20


def test_the_graph_example_names_the_input_and_the_target():
    run = Session(parse_config({"hidden": [2]}))
    loss, params = run.example_loss(5)
    assert loss.name == "loss" and set(params) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    with autograd.no_grad():
        expected = 0.5 * (run.model(run.inputs["train"][5:6]).item() - run.targets["train"][5]) ** 2
    assert loss.item() == pytest.approx(expected, rel=1e-5)


def test_an_upload_dataset_without_an_upload_names_the_field():
    with pytest.raises(FieldError) as caught:
        Session(parse_config({"dataset": "upload"}))
    assert caught.value.field == "dataset"


def test_csv_headers_blank_rows_and_row_numbers():
    points, values, rows = datasets.parse_csv("x1,x2,label\n\n1,2,1\n 3 , 4 ,0\n")
    np.testing.assert_array_equal(points, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(values, [1, 0])
    np.testing.assert_array_equal(rows, [3, 4])
    with pytest.raises(datasets.DataError, match="row 1, column x2"):
        datasets.parse_csv("1,b,1\n2,3,1\n")  # a first row with a number in it is data, not a header
    with pytest.raises(datasets.DataError, match="characters"):
        datasets.parse_csv("0,0,1\n" * 40000)


def test_class_labels_accept_0_1_or_minus_1_1():
    rows = np.arange(1, 4)
    np.testing.assert_array_equal(datasets.class_labels(np.array([0.0, 1, 0]), rows), [-1, 1, -1])
    np.testing.assert_array_equal(datasets.class_labels(np.array([-1.0, 1, 1]), rows), [-1, 1, 1])
    with pytest.raises(datasets.DataError, match="row 3, column label: -1"):
        datasets.class_labels(np.array([0.0, 1, -1]), rows)
    with pytest.raises(datasets.DataError, match="row 2, column label: 2"):
        datasets.class_labels(np.array([0.0, 2, 1]), rows)
