"""A small JSON client for the playground's server, and issue 19's example configuration."""

import http.client
import json

ISSUE_CONFIG = {  # issue 19's example configuration: TensorFlow Playground's defaults on the circle
    "dataset": "circle", "noise": 0, "train_ratio": 0.5, "batch_size": 10, "features": ["x1", "x2"],
    "hidden": [4, 2], "activation": "tanh", "learning_rate": 0.03, "regularization": None,
    "regularization_rate": 0, "problem": "classification", "seed": 0,
}


class Client:
    """Requests to the server: `post` and `get` return (status, headers, body: decoded JSON or bytes)."""

    def __init__(self, port: int):
        self.port = port

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body, headers or {})
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        if response.getheader("Content-Type", "").startswith("application/json"):
            data = json.loads(data)
        return response.status, response, data

    def post(self, path, record, headers=None):
        body = record if isinstance(record, (bytes, str)) else json.dumps(record)
        return self.request("POST", path, body, {"Content-Type": "application/json", **(headers or {})})

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)
