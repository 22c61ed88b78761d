"""``CleanImageDataset``: a folder of clean photographs as the ``gt`` of training samples."""
from pathlib import Path

from mmagic.datasets import BasicImageDataset
from mmagic.registry import DATASETS

SPLITS = ('train', 'val', 'all')


@DATASETS.register_module()
class CleanImageDataset(BasicImageDataset):
    """Clean photographs under ``data_root`` (sorted by name), split into train and val.

    Each sample carries only ``gt_path``; the pipeline loads ``gt`` and synthesises ``img``
    from it (e.g. with ``SynthesizeRain``). Every ``holdout_every``-th photograph (the last of
    each run of that many, in name order) is held out for validation, so the two splits never
    share a photograph and adding photographs keeps most of the split.

    Args:
        data_root (str): Folder of clean images (PNG, JPEG, ...; subfolders with
            ``recursive=True``).
        split (str): ``'train'``, ``'val'`` or ``'all'``.
        holdout_every (int): One photograph in this many goes to ``'val'``.
        **kwargs: Passed to MMagic's ``BasicImageDataset`` (``pipeline``, ``metainfo``,
            ``recursive``, ``img_suffix``, ...).
    """

    def __init__(self, data_root, split='train', holdout_every=10, **kwargs):
        if split not in SPLITS:
            raise ValueError(f'CleanImageDataset: split must be one of {SPLITS}, got {split!r}')
        if isinstance(holdout_every, bool) or not isinstance(holdout_every, int) \
                or holdout_every < 2:
            raise ValueError('CleanImageDataset: holdout_every must be an int >= 2, '
                             f'got {holdout_every!r}')
        if not Path(data_root).is_dir():
            raise FileNotFoundError(f'CleanImageDataset: data_root {data_root!r} is not a folder')
        self.split = split
        self.holdout_every = holdout_every
        kwargs.setdefault('data_prefix', dict(gt=''))
        super().__init__(data_root=data_root, **kwargs)

    def load_data_list(self):
        samples = sorted(super().load_data_list(), key=lambda sample: sample['key'])
        if not samples:
            raise FileNotFoundError(
                f'CleanImageDataset: no images with suffixes {self.img_suffix} in {self.data_root}')
        if self.split == 'all':
            return samples
        is_val = [(index + 1) % self.holdout_every == 0 for index in range(len(samples))]
        chosen = [s for s, val in zip(samples, is_val) if val == (self.split == 'val')]
        if not chosen:
            raise ValueError(
                f'CleanImageDataset: the {self.split!r} split of {self.data_root} is empty: '
                f'{len(samples)} images with holdout_every={self.holdout_every}')
        return chosen
