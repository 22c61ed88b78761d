"""MMagic's ``BaseEditModel`` with tiled and self-ensembled inference."""
from functools import partial

from mmagic.models import BaseEditModel
from mmagic.registry import MODELS
from mmagic.structures import DataSample

from .tiling import DEFAULT_TILE_OVERLAP, check_tile_settings, ensemble_name, restore_tensor


def options_from_test_cfg(test_cfg):
    """``tile_size``, ``tile_overlap``, ``tile_mode`` and ``ensemble`` of a ``test_cfg``
    (None allowed)."""
    test_cfg = test_cfg or {}
    options = dict(
        tile_size=test_cfg.get('tile_size'),
        tile_overlap=test_cfg.get('tile_overlap', DEFAULT_TILE_OVERLAP),
        tile_mode=test_cfg.get('tile_mode', 'exact'),
        ensemble=ensemble_name(test_cfg.get('ensemble', False)))
    if options['tile_size'] is not None:
        check_tile_settings(options['tile_size'], options['tile_overlap'], options['tile_mode'])
    return options


@MODELS.register_module()
class LFDNEditor(BaseEditModel):
    """An editor whose test-time forward can run on tiles and self-ensemble.

    Training and the ``'tensor'`` mode are those of :class:`BaseEditModel`; predictions
    (``'predict'`` mode, used by validation, testing and MMagic's inferencers) follow
    ``test_cfg``. With neither ``tile_size`` nor ``ensemble`` set, predictions are exactly
    those of ``BaseEditModel``.

    Args:
        generator (dict): Config of the network, e.g. ``dict(type='LFDN')``.
        pixel_loss (dict): Config of the pixel loss.
        train_cfg (dict, optional): Training options (unused).
        test_cfg (dict, optional): Inference options:

            - ``tile_size`` (int, optional): Restore in overlapping tiles of this side
              (rounded up to a multiple of the generator's stride); None: whole images.
            - ``tile_overlap`` (int): Pixels shared by neighbouring tiles (default 32).
            - ``tile_mode`` (str): ``'exact'`` (default): an LFDN generator gives the
              whole-image result in tiles (``tile_invariance``), other networks are blended;
              ``'blended'``: blended tiles for every network.
            - ``ensemble`` (bool | str): ``True``/``'x8'``: average the eight flips and
              transposes (x8 cost); ``'flips'``: the four flips (x4).
        init_cfg (dict, optional): MMEngine initialisation config.
        data_preprocessor (dict, optional): Config of the data preprocessor.
    """

    def __init__(self, generator, pixel_loss, train_cfg=None, test_cfg=None, init_cfg=None,
                 data_preprocessor=None):
        super().__init__(generator, pixel_loss, train_cfg, test_cfg, init_cfg,
                         data_preprocessor)
        self.test_time_options = options_from_test_cfg(test_cfg)

    @property
    def changes_inference(self):
        """Whether ``test_cfg`` asks for tiles or self-ensemble."""
        options = self.test_time_options
        return options['tile_size'] is not None or options['ensemble']

    def forward_inference(self, inputs, data_samples=None, **kwargs):
        """Predict with the tiles and ensemble of ``test_cfg``; see ``BaseEditModel``."""
        if not self.changes_inference:
            return super().forward_inference(inputs, data_samples, **kwargs)
        network = partial(self.generator, **kwargs) if kwargs else self.generator
        feats = restore_tensor(network, inputs, **self.test_time_options,
                               stride=getattr(self.generator, 'stride', 1),
                               pad=getattr(self.generator, 'pad', None))
        feats = self.data_preprocessor.destruct(feats, data_samples)
        return DataSample(pred_img=feats.cpu())
