"""The playground's JSON API, through a real server on a free port (issue 19)."""

import json
import os
import runpy
import subprocess
import sys

import numpy as np
import pytest

from nn.cli import main
from nn.playground import config as limits
from nn.playground.server import MAX_BODY
from tests.nn.playground.client import ISSUE_CONFIG, Client


def test_the_issue_config_learns_the_circle_in_300_epochs(client):
    status, _, state = client.post("/api/reset", ISSUE_CONFIG)
    assert status == 200
    assert state["epoch"] == 0 and state["config"]["hidden"] == [4, 2] and state["sizes"] == [2, 4, 2, 1]
    assert len(state["train"]) == len(state["test"]) == 250
    start = state["test_loss"]
    status, _, frame = client.post("/api/step", {"epochs": 300})
    assert status == 200 and frame["epoch"] == 300
    assert frame["test_loss"] < 0.1 < start, (start, frame["test_loss"])
    status, _, state = client.get("/api/state")
    assert status == 200
    assert state["epoch"] == 300 and state["test_loss"] == frame["test_loss"]
    boundary = np.array(state["boundary"])
    assert boundary.shape == (50, 50) and np.abs(boundary).max() <= 1
    assert boundary[25, 25] > 0.5 and boundary[0, 0] < -0.5  # class +1 in the middle, -1 in the corners
    epochs = [entry[0] for entry in state["history"]]
    assert epochs == list(range(301))


def test_a_step_trains_the_given_number_of_epochs_and_returns_the_frame(client):
    client.post("/api/reset", {**ISSUE_CONFIG, "hidden": [3], "grid": 12})
    status, _, frame = client.post("/api/step", {"epochs": 2})
    assert status == 200 and frame["epoch"] == 2
    assert np.array(frame["boundary"]).shape == (12, 12)
    neurons = frame["neurons"]  # the features, the hidden layer, the output: 20x20 heatmaps
    assert [len(layer) for layer in neurons] == [2, 3, 1]
    assert all(len(m) == 400 and -100 <= min(m) and max(m) <= 100 for layer in neurons for m in layer)
    network = frame["network"]
    assert np.array(network[0]["weights"]).shape == (3, 2)
    assert np.array(network[1]["weight_grads"]).shape == (1, 3)
    assert client.post("/api/step", {})[2]["epoch"] == 3  # one epoch by default


@pytest.mark.parametrize(
    "body, field",
    [
        ({"hidden": [1, 2, 3, 4, 5, 6, 7]}, "hidden"),
        ({"hidden": [4, 9]}, "hidden[1]"),
        ({"hidden": [0]}, "hidden[0]"),
        ({"hidden": "4,2"}, "hidden"),
        ({"grid": 101}, "grid"),
        ({"grid": 100000}, "grid"),
        ({"colour": "red"}, "colour"),
        ({"dataset": "moons"}, "dataset"),
        ({"features": ["x1", "x3"]}, "features[1]"),
        ({"features": []}, "features"),
        ({"features": ["x1", "x1"]}, "features"),
        ({"activation": "gelu"}, "activation"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": "fast"}, "learning_rate"),
        ({"noise": -0.1}, "noise"),
        ({"train_ratio": 1}, "train_ratio"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"batch_size": limits.MAX_BATCH + 1}, "batch_size"),
        ({"seed": True}, "seed"),
        ({"regularization": "L3"}, "regularization"),
        ({"problem": "ranking"}, "problem"),
        ([1, 2], "body"),
    ],
)
def test_a_bad_configuration_is_a_400_naming_the_field_and_changes_nothing(client, body, field):
    client.post("/api/reset", ISSUE_CONFIG)
    client.post("/api/step", {"epochs": 1})
    status, _, error = client.post("/api/reset", {**ISSUE_CONFIG, **body} if isinstance(body, dict) else body)
    assert status == 400
    assert error["field"] == field and error["error"]
    state = client.get("/api/state")[2]
    assert state["epoch"] == 1 and state["config"] == {**ISSUE_CONFIG, "grid": 50}


@pytest.mark.parametrize(
    "body, field",
    [({"epochs": limits.MAX_EPOCHS + 1}, "epochs"), ({"epochs": 0}, "epochs"), ({"epochs": "10"}, "epochs"),
     ({"epochs": 1, "fast": True}, "fast")],
)
def test_a_bad_step_is_a_400_naming_the_field(client, body, field):
    status, _, error = client.post("/api/step", body)
    assert status == 400 and error["field"] == field


@pytest.mark.parametrize("path", ["/api/reset", "/api/step", "/api/upload", "/api/backprop"])
def test_malformed_json_is_a_400(client, path):
    status, _, error = client.post(path, b'{"epochs": ')
    assert status == 400 and error["field"] == "body" and "malformed JSON" in error["error"]


def test_oversized_bodies_wrong_content_types_and_foreign_hosts_are_refused(client):
    status, _, error = client.post("/api/upload", b"x" * (MAX_BODY + 1))
    assert status == 413 and error["field"] == "body"
    status, _, error = client.request("POST", "/api/step", b'{"epochs": 1}', {"Content-Type": "text/plain"})
    assert status == 415 and error["field"] == "Content-Type"
    status, _, error = client.get("/api/state", headers={"Host": f"attacker.example:{client.port}"})
    assert status == 403 and error["field"] == "Host"
    assert client.get("/api/state", headers={"Host": f"localhost:{client.port}"})[0] == 200


def test_the_server_binds_loopback_only(server):
    assert server.server_address[0] == "127.0.0.1"


@pytest.mark.parametrize(
    "path",
    ["/static/../server.py", "/static/..%2fserver.py", "/static/%2e%2e/server.py",
     "/../nn/playground/server.py",
     "/static/", "/static//etc/passwd", "/etc/passwd", "/static/app.js/..", "/index.html/../../session.py",
     "/static/.%2e/config.py", "/static/__init__.py"],
)
def test_nothing_outside_the_static_folder_is_served(client, path):
    status, _, body = client.get(path)
    assert status == 404 and body["field"] == "path"


def test_the_page_and_its_files_are_served_with_a_content_security_policy(client):
    status, response, body = client.get("/")
    assert status == 200 and b'src="/static/app.js"' in body
    assert "script-src 'self'" in response.getheader("Content-Security-Policy")
    files = [("app.js", "text/javascript"), ("style.css", "text/css"), ("favicon.svg", "image/svg+xml")]
    for name, kind in files:
        status, response, _ = client.get(f"/static/{name}")
        assert status == 200 and response.getheader("Content-Type").startswith(kind)


def test_an_uploaded_csv_becomes_the_dataset(client):
    rows = ["x1,x2,label"] + [f"{x:.2f},{y:.2f},{int(x * y > 0)}" for x, y in
                                 np.random.default_rng(0).uniform(-3, 3, (40, 2))]
    status, _, result = client.post("/api/upload", {"csv": "\n".join(rows)})
    assert status == 200 and result["rows"] == 40
    status, _, state = client.post("/api/reset", {**ISSUE_CONFIG, "dataset": "upload", "train_ratio": 0.75})
    assert status == 200 and len(state["train"]) == 30 and len(state["test"]) == 10
    assert {point[2] for point in state["train"] + state["test"]} == {-1.0, 1.0}
    largest = max(abs(float(v)) for row in rows[1:] for v in row.split(",")[:2])
    assert state["domain"][1] == pytest.approx(1.1 * largest)


@pytest.mark.parametrize(
    "text, message",
    [("x1,x2,label\n1,2,1\n3,abc,0\n", "row 3, column x2"),
     ("1,2,1\n3,4\n", "row 2: expected 3 columns"),
     ("1,2,1\n3,4,nan\n", "row 2, column label"),
     ("1,2,1\n", "at least 2 rows"),
     ("0,0,1\n" * (2001), "more than the 2,000 rows")],
)
def test_a_bad_csv_is_a_400_naming_the_row_and_column(client, text, message):
    status, _, error = client.post("/api/upload", {"csv": text})
    assert status == 400 and error["field"] == "csv" and message in error["error"], error


def test_a_csv_of_numbers_is_a_regression_dataset_not_classes(client):
    assert client.post("/api/upload", {"csv": "0,0,0.5\n1,1,2\n2,2,1\n"})[0] == 200
    status, _, error = client.post("/api/reset", {**ISSUE_CONFIG, "dataset": "upload"})
    assert status == 400 and error["field"] == "problem" and "row 1, column label" in error["error"]
    status, _, _ = client.post("/api/reset", {**ISSUE_CONFIG, "dataset": "upload", "problem": "regression"})
    assert status == 200


def test_the_exported_code_and_weights_reproduce_the_predictions(client, tmp_path):
    config = {**ISSUE_CONFIG, "features": ["x1", "x2", "x1_x2", "sin_x2"], "hidden": [5, 3],
              "activation": "relu", "grid": 20}
    client.post("/api/reset", config)
    client.post("/api/step", {"epochs": 20})
    status, response, weights = client.get("/api/export/weights")
    assert status == 200 and "playground_weights.npz" in response.getheader("Content-Disposition")
    status, response, code = client.get("/api/export/code")
    assert status == 200 and "playground_model.py" in response.getheader("Content-Disposition")
    (tmp_path / "playground_weights.npz").write_bytes(weights)
    (tmp_path / "playground_model.py").write_bytes(code)
    assert {"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"} <= set(
        np.load(tmp_path / "playground_weights.npz", allow_pickle=False))
    module = runpy.run_path(str(tmp_path / "playground_model.py"))
    state = client.get("/api/state")[2]
    low, high = state["domain"]
    xs = np.linspace(low, high, 20)
    x1, x2 = np.meshgrid(xs, xs[::-1])
    predicted = module["predict"](np.stack([x1.ravel(), x2.ravel()], 1)).numpy().reshape(20, 20)
    np.testing.assert_allclose(predicted, np.array(state["boundary"]), atol=1e-4)
    assert "nn.Sequential(" in code.decode() and "nn.ReLU()" in code.decode()


def test_the_graph_and_the_backprop_steps_are_drawn(client):
    client.post("/api/reset", {**ISSUE_CONFIG, "hidden": [2]})
    status, response, svg = client.get("/api/graph")
    assert status == 200 and response.getheader("Content-Type") == "image/svg+xml"
    assert b"<svg" in svg and b"0.weight" in svg and b"loss" in svg
    status, _, result = client.post("/api/backprop", {"index": 3})
    assert status == 200 and result["index"] == 3
    frames = result["frames"]
    assert len(frames) > 5 and all(f["svg"].lstrip().startswith("<?xml") for f in frames)
    assert [f["step"] for f in frames] == list(range(1, len(frames) + 1))
    assert "backprop step 1 of" in frames[0]["svg"]
    status, _, error = client.post("/api/backprop", {"index": 250})
    assert status == 400 and error["field"] == "index"


def test_a_diverging_network_still_sends_valid_json(client):
    config = {**ISSUE_CONFIG, "dataset": "plane", "problem": "regression", "learning_rate": 10,
              "activation": "relu", "hidden": [8, 8, 8]}
    assert client.post("/api/reset", config)[0] == 200
    status, _, frame = client.post("/api/step", {"epochs": 5})
    assert status == 200 and frame["diverged"] is True and frame["train_loss"] is None


def test_unknown_routes_are_404_in_json(client):
    assert client.get("/api/nothing")[0] == 404
    assert client.post("/api/state", {})[0] == 404


def test_the_command_starts_the_server_and_prints_its_url():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen([sys.executable, "-m", "nn.cli", "playground", "--no-browser", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline()
        assert line.startswith("glassgrad playground: http://127.0.0.1:"), line + process.stderr.read()
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        status, _, state = Client(port).get("/api/state")
        assert status == 200 and json.loads(json.dumps(state))["config"]["dataset"] == "circle"
    finally:
        process.terminate()
        process.wait(10)


def test_the_command_refuses_a_bad_port():
    assert main(["playground", "--port", "70000"]) == 2
