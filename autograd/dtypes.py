"""The dtypes, under PyTorch's names (`autograd.float32` is `np.dtype('float32')`)."""

import numpy as np

float16 = half = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)

DTYPE_NAMES = {
    float16: "torch.float16",
    float32: "torch.float32",
    float64: "torch.float64",
    int8: "torch.int8",
    int16: "torch.int16",
    int32: "torch.int32",
    int64: "torch.int64",
    uint8: "torch.uint8",
    bool_: "torch.bool",
}
