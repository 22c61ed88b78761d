"""Save every restored test image under its input file name."""
from pathlib import Path

from mmagic.registry import HOOKS
from mmengine.hooks import Hook

from ...utils import tensor_to_image, write_image


@HOOKS.register_module()
class RestoredImageSaverHook(Hook):
    """Write ``pred_img`` of each test sample to ``save_dir/<dataset>/<input name>.png``.

    MMagic's ``BasicVisualizationHook`` saves concatenated panels with step suffixes; this
    hook writes only the restored image, named as its input, atomically, in 8 bits. Every
    process of a distributed test writes the images of its own share of the test set.

    Args:
        save_dir (str): Output folder.
        suffix (str): File type of the written images.
    """

    def __init__(self, save_dir, suffix='.png'):
        self.save_dir = Path(save_dir)
        self.suffix = suffix

    @staticmethod
    def dataset_name(runner):
        """``dataset_type`` of the test set being run (MultiTestLoop runs several)."""
        dataloader = getattr(runner.test_loop, 'dataloader', None)
        metainfo = getattr(getattr(dataloader, 'dataset', None), 'metainfo', None) or {}
        return str(metainfo.get('dataset_type', ''))

    def after_test_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        dataset = self.dataset_name(runner)
        for sample in outputs or []:
            name = Path(sample.metainfo['img_path']).stem + self.suffix
            # MMagic's data preprocessor hands every prediction back in BGR
            image = tensor_to_image(sample.output.pred_img)
            write_image(self.save_dir / dataset / name, image, channel_order='bgr')
