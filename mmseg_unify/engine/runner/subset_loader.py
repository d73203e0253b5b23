# Copyright (c) mmseg-unify contributors. All rights reserved.
"""A test dataloader restricted to given dataset indices (sharding, resume).

MMSeg's ``DefaultSampler`` pads the last shard with repeated images and
cannot skip finished ones; pseudo-labelling needs each image exactly once,
in a fixed order, minus those already done.
"""
from typing import List, Sequence

from torch.utils.data import DataLoader


def shard_indices(num: int, rank: int, world_size: int) -> List[int]:
    """Images ``rank, rank + w, rank + 2w, ...`` of ``num``: no image twice,
    none left out, whatever ``num`` and ``world_size``."""
    return list(range(rank, num, world_size))


def subset_loader(loader: DataLoader, indices: Sequence[int]) -> DataLoader:
    """A dataloader like ``loader`` that yields exactly ``indices`` of its
    dataset, in order (the sampler of a built loader cannot be swapped).

    Args:
        loader (DataLoader): The runner's test dataloader.
        indices (Sequence[int]): Dataset indices to yield.

    Returns:
        DataLoader: Same dataset, batch size, workers and collate function.
    """
    kwargs = dict(
        batch_size=loader.batch_size,
        sampler=list(indices),
        num_workers=loader.num_workers,
        collate_fn=loader.collate_fn,
        pin_memory=loader.pin_memory,
        worker_init_fn=loader.worker_init_fn,
        drop_last=False)
    if loader.num_workers > 0:
        kwargs.update(
            persistent_workers=loader.persistent_workers,
            prefetch_factor=loader.prefetch_factor)
    return DataLoader(loader.dataset, **kwargs)
