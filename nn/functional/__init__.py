"""The functions behind the layers and losses (PyTorch's `torch.nn.functional`,
imported as `F`), by family:

    nn/functional/layers.py       linear, batch_norm, layer_norm, dropout, dropout2d, embedding, one_hot
    nn/functional/activations.py  relu, gelu, softmax, ...
    nn/functional/losses.py       mse_loss, cross_entropy, nll_loss, ...
    nn/functional/vision.py       interpolate
    autograd/conv.py              conv1d, conv2d, conv_transpose1d, conv_transpose2d
    autograd/pooling.py           max_pool1d / 2d, avg_pool1d / 2d, adaptive_avg_pool1d / 2d,
                                  adaptive_max_pool1d / 2d
    autograd/functional_forms.py  pad (constant, reflect, replicate, circular)

The convolutions and poolings are the engine's ops themselves, handed on as they
are (as `torch.nn.functional.conv2d` is `torch.conv2d`): they check their
arguments beside the ops, in autograd/conv_geometry.py. Everything else is
composed from differentiable Tensor ops, so gradients (and gradients of
gradients) come from the engine. Masks, class weights and random draws are
constants computed in NumPy.
"""

from autograd.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from autograd.functional_forms import pad
from autograd.pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from nn.functional.activations import (
    elu,
    gelu,
    leaky_relu,
    log_softmax,
    relu,
    relu_,
    sigmoid,
    silu,
    softmax,
    softplus,
    tanh,
)
from nn.functional.layers import batch_norm, dropout, dropout2d, embedding, layer_norm, linear, one_hot
from nn.functional.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_embedding_loss,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    multi_margin_loss,
    nll_loss,
    smooth_l1_loss,
)
from nn.functional.vision import interpolate

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "cross_entropy",
    "dropout",
    "dropout2d",
    "elu",
    "embedding",
    "gelu",
    "hinge_embedding_loss",
    "huber_loss",
    "interpolate",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "max_pool1d",
    "max_pool2d",
    "mse_loss",
    "multi_margin_loss",
    "nll_loss",
    "one_hot",
    "pad",
    "relu",
    "relu_",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softplus",
    "tanh",
]
