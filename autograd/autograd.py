"""`torch.autograd`, for code that says `import autograd as torch`: the names a
PyTorch script reaches through `torch.autograd.` (`Function`, `grad`,
`backward`, `gradcheck`, `functional`, grad mode, anomaly detection)."""

from autograd import functional  # noqa: F401 - torch.autograd.functional
from autograd.anomaly import detect_anomaly, set_detect_anomaly  # noqa: F401
from autograd.backward import backward, grad  # noqa: F401
from autograd.function import Function  # noqa: F401
from autograd.grad_mode import enable_grad, no_grad, set_grad_enabled  # noqa: F401
from autograd.gradcheck import gradcheck, gradgradcheck  # noqa: F401
