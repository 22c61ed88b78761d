"""``MMagicInferencer`` for configs that are not in MMagic's model table, such as LFDN's."""
from mmagic.apis import MMagicInferencer
from mmagic.apis.inferencers import Inferencers
from mmengine.registry import init_default_scope

RESTORATION_TASK = 'Image Restoration'
#: The keys MMagic's restoration inferencer reads its pipeline from, in order.
PIPELINE_KEYS = ('inference_pipeline', 'demo_pipeline', 'test_pipeline', 'val_pipeline')
#: Used when a config names none of ``PIPELINE_KEYS``: LFDN is trained on RGB images.
RGB_INFERENCE_PIPELINE = [
    dict(type='LoadImageFromFile', key='img', color_type='color', channel_order='rgb',
         imdecode_backend='cv2'),
    dict(type='PackInputs'),
]


class LFDNInferencer(MMagicInferencer):
    """MMagic's inferencer built from a config and checkpoint instead of a model name.

    ``MMagicInferencer`` looks ``model_name`` up in the metafiles of MMagic's own configs and
    fails for a model it does not ship. This class skips that look-up and hands the config
    to MMagic's restoration inferencer (``ImageSuperResolutionInferencer``), so the calls of
    ``MMagicInferencer`` work unchanged::

        inferencer = LFDNInferencer('configs/lfdn/<config>.py', 'iter_600.pth')
        result, image = inferencer.infer(img='rainy.png', result_out_dir='restored.png')

    ``image`` is the restored HxWx3 uint8 array in BGR order, as MMagic returns it. The
    images are loaded by the config's ``inference_pipeline`` (or ``demo_pipeline``,
    ``test_pipeline``, ``val_pipeline``), else by :data:`RGB_INFERENCE_PIPELINE`.

    Args:
        model_config (str | Config): The config.
        model_ckpt (str, optional): The checkpoint.
        device (str, optional): Default: a GPU when available.
        extra_parameters (dict, optional): Passed to the task inferencer.
        seed (int): Random seed of the task inferencer.
        task (str): A task name that ``mmagic.apis.inferencers.Inferencers`` knows.
    """

    def __init__(self, model_config, model_ckpt=None, device=None, extra_parameters=None,
                 seed=2022, task=RESTORATION_TASK):
        init_default_scope('mmagic')
        self.inferencer = Inferencers(task=task, config=model_config, ckpt=model_ckpt,
                                      device=device, extra_parameters=extra_parameters,
                                      seed=seed)
        cfg = self.inferencer.inferencer.model.cfg
        if not any(cfg.get(key) for key in PIPELINE_KEYS):
            cfg.inference_pipeline = RGB_INFERENCE_PIPELINE
