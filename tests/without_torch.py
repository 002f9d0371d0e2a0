"""A pytest plugin that hides torch, to run the suite as CI does (torch is not installed there):

    PYTHONPATH=$PWD python -m pytest -p tests.without_torch

`import torch` then raises ModuleNotFoundError, so the torch comparisons use the recorded results
alone. (Setting sys.modules["torch"] = None would not do: SciPy looks torch up there.)
"""

import sys

if "torch" in sys.modules:
    raise RuntimeError("tests.without_torch: torch was imported before the plugin could hide it")


class _HideTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError(f"No module named {name!r} (hidden by tests.without_torch)", name=name)


sys.meta_path.insert(0, _HideTorch())
