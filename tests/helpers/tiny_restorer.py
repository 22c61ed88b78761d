"""A small LFDN editor config and checkpoint, for fast inference, restore and export tests."""
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.registry import DefaultScope
from mmengine.runner import save_checkpoint

#: A one-block, 16-channel LFDN: the full topology at a fraction of the cost.
SMALL_GENERATOR = dict(type='LFDN', num_blocks=1, encoder_channels=16, mid_channels=16,
                       global_residual=True, identity_init=False)

CONFIG_TEXT = """default_scope = 'mmagic'
custom_imports = dict(imports=['lfdn_mm', 'lfdn_mm.safe_checkpoints'], allow_failed_imports=False)
model = dict(
    type='LFDNEditor',
    generator={generator!r},
    pixel_loss=dict(type='L1Loss'),
    test_cfg={test_cfg!r},
    data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))
"""


def build_model(config):
    """The model of ``config`` (a path or ``Config``) with random weights, in eval mode."""
    from mmagic.registry import MODELS

    cfg = Config.fromfile(str(config)) if not isinstance(config, Config) else config
    with DefaultScope.overwrite_default_scope('mmagic'):
        return MODELS.build(cfg.model).eval()


def write_tiny_restorer(folder, test_cfg=None, generator=SMALL_GENERATOR):
    """Write ``folder/tiny_lfdn.py`` and a checkpoint of it as mmengine saves them.

    The attention scales theta and alpha are set away from their initial zero, so the
    attention modules affect the output. Returns ``(config_path, checkpoint_path, model)``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / 'tiny_lfdn.py'
    config.write_text(CONFIG_TEXT.format(generator=generator, test_cfg=test_cfg or {}))
    torch.manual_seed(0)
    model = build_model(config)
    with torch.no_grad():
        model.generator.alfm.theta.fill_(0.01)
        model.generator.acfm.alpha.fill_(0.3)
    message_hub = MessageHub.get_instance('tiny_restorer')
    message_hub.update_scalar('train/loss', 0.5)
    checkpoint = folder / 'tiny_lfdn.pth'
    save_checkpoint(dict(meta=dict(iter=1), state_dict=model.state_dict(),
                         message_hub=message_hub.state_dict()), str(checkpoint))
    return config, checkpoint, model
