"""A real playground server on a free port of 127.0.0.1, one per test module, and a client for it."""

import threading

import pytest

from nn.playground.server import PlaygroundServer
from tests.nn.playground.client import Client


@pytest.fixture(scope="module")
def server():
    """A PlaygroundServer on a free port, serving from a thread for the module's tests."""
    instance = PlaygroundServer(port=0)
    thread = threading.Thread(target=instance.serve_forever, daemon=True)
    thread.start()
    yield instance
    instance.shutdown()
    instance.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def client(server):
    return Client(server.server_address[1])
