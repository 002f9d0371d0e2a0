"""Hypothesis profiles: `ci` (the default: fast and derandomized), `dev`, `intense`, and the
`torch_oracle` fixture (tests/torch_oracle.py: PyTorch's recorded results, and live ones where
torch is installed).

Choose a profile with the HYPOTHESIS_PROFILE environment variable, e.g.
`HYPOTHESIS_PROFILE=intense python -m pytest tests`.
"""

import os

import pytest
from hypothesis import settings

from tests.torch_oracle import TorchOracle

settings.register_profile("ci", derandomize=True, max_examples=25, deadline=None)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("intense", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def torch_oracle(request):
    """PyTorch's results for this test: recorded (tests/fixtures/torch/), and live where torch is installed."""
    return TorchOracle(request.node.path, request.node.nodeid.split("::", 1)[1])
