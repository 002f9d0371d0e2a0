"""Datasets and batching, as `torch.utils.data`; toy and real datasets in
`nn.data.datasets`, image transforms in `nn.data.transforms`."""

from .dataloader import DataLoader, default_collate
from .dataset import Dataset, Subset, TensorDataset, random_split

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate", "random_split"]
