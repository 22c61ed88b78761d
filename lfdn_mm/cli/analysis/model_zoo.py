"""The models that the benchmark and the quality study compare, built from MMagic's registry.

LFDN comes from this package's ``LFDNPreset``; NAFNet and Restormer from the ``model.generator``
of the configs that ship with MMagic (``mmagic/.mim/configs``), so the comparison uses exactly
the architectures of MMagic's model zoo.
"""
import copy
from dataclasses import dataclass, field
from pathlib import Path

import mmagic
from mmengine.config import Config

from ...utils.project_files import project_root

MMAGIC_CONFIG_ROOT = Path(mmagic.__file__).parent / '.mim' / 'configs'
NAFNET_GOPRO_CONFIG = 'nafnet/nafnet_c64eb11128mb1db1111_8xb8-lr1e-3-400k_gopro.py'
RESTORMER_DERAIN_CONFIG = 'restormer/restormer_official_rain13k.py'

LFDN_METAFILE = project_root() / 'configs' / 'lfdn' / 'metafile.yml'
#: Where each model's published PSNR comes from: (metafile, model names in it). LFDN: the
#: paper's Tables 3-5 as recorded in this project's metafile; NAFNet and Restormer: MMagic's
#: own metafiles (its Restormer GoPro entry has the same architecture as the deraining one).
PUBLISHED_SOURCES = {
    'lfdn': (LFDN_METAFILE, ('lfdn_c50n4_1xb16-lr1e-4-1000k_gopro',
                             'lfdn_c50n4_1xb16-lr1e-4-1000k_rain14000')),
    'nafnet-w64': (MMAGIC_CONFIG_ROOT / 'nafnet' / 'metafile.yml',
                   ('nafnet_c64eb11128mb1db1111_8xb8-lr1e-3-400k_gopro', )),
    'restormer': (MMAGIC_CONFIG_ROOT / 'restormer' / 'metafile.yml',
                  ('restormer_official_rain13k', 'restormer_official_gopro')),
}


def result_psnr(metrics):
    """The PSNR of one metafile result, whatever its key (``PSNR``, ``PSNR (Y)``,
    ``PSNR (paper)``, or a ``PSNR/SSIM (RGB)`` group); None without one."""
    for key, value in metrics.items():
        if 'PSNR' in key and isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, dict) and 'PSNR' in value:
            return float(value['PSNR'])
    return None


def published_psnr(metafile, names):
    """``{dataset: PSNR}`` of the models ``names`` in an OpenMMLab ``metafile``."""
    import yaml
    models = yaml.safe_load(Path(metafile).read_text())['Models']
    scores = {}
    for model in (m for m in models if m['Name'] in names):
        for result in model.get('Results') or []:
            psnr = result_psnr(result.get('Metrics') or {})
            if psnr is not None:
                scores[result['Dataset'].split(' (')[0]] = psnr
    return scores


@dataclass(frozen=True)
class ModelSpec:
    """How to build one benchmarked generator.

    Args:
        name (str): Key used on the command line and in reports.
        family (str): ``'LFDN'``, ``'NAFNet'`` or ``'Restormer'``.
        generator (dict, optional): Generator config for MMagic's ``MODELS``.
        mmagic_config (str, optional): Config path under ``mmagic/.mim/configs`` whose
            ``model.generator`` is used when ``generator`` is not given.
        overrides (dict): Changes applied to the generator config.
        description (str): One line for the reports.
    """
    name: str
    family: str
    generator: dict = None
    mmagic_config: str = None
    overrides: dict = field(default_factory=dict)
    description: str = ''

    def generator_cfg(self, **extra):
        """The generator config dict, with ``overrides`` and then ``extra`` applied."""
        if self.generator is not None:
            cfg = copy.deepcopy(self.generator)
        else:
            cfg = Config.fromfile(MMAGIC_CONFIG_ROOT / self.mmagic_config).model.generator
            cfg = cfg.to_dict()
        cfg.update(copy.deepcopy(self.overrides))
        cfg.update(extra)
        return cfg

    @property
    def published_psnr(self):
        source = PUBLISHED_SOURCES.get(self.name)
        return published_psnr(*source) if source else {}


def lfdn_spec(preset, description):
    name = 'lfdn' if preset == 'paper' else f'lfdn-{preset}'
    return ModelSpec(name, 'LFDN', generator=dict(type='LFDNPreset', preset=preset),
                     description=description)


def nafnet_spec(width):
    return ModelSpec(
        f'nafnet-w{width}', 'NAFNet', mmagic_config=NAFNET_GOPRO_CONFIG,
        overrides=dict(mid_channels=width),
        description=f'MMagic NAFNetLocal GoPro config, width {width}')


MODEL_SPECS = {spec.name: spec for spec in [
    lfdn_spec('paper', 'LFDN, paper preset (N=4 FDNBs, C=50)'),
    lfdn_spec('fdnb_split', 'LFDN with the channel-split FDNB (Sec. 3.3.1 read literally)'),
    lfdn_spec('alfm_l2', 'LFDN with L2-normalised ALFM logits (size-independent Eq. 9)'),
    lfdn_spec('wo_mshf', 'LFDN Table 6: strided encoder instead of MSHF'),
    lfdn_spec('rfdb', 'LFDN Table 6: RFDB (no norm) instead of FDNB'),
    lfdn_spec('cnn', 'LFDN Table 6: plain conv blocks instead of FDNB'),
    lfdn_spec('wo_fusion', 'LFDN Table 6: concat fusion instead of ALFM + ACFM'),
    lfdn_spec('wo_all', 'LFDN Table 6: strided encoder, plain blocks, concat fusion'),
    nafnet_spec(64), nafnet_spec(32), nafnet_spec(16),
    ModelSpec('nafnet-w8-tiny', 'NAFNet',
              generator=dict(type='NAFNet', img_channels=3, mid_channels=8,
                             enc_blk_nums=[1, 1, 1, 1], middle_blk_num=1,
                             dec_blk_nums=[1, 1, 1, 1]),
              description='NAFNet width 8, one block per stage (smoke tests)'),
    ModelSpec('restormer', 'Restormer', mmagic_config=RESTORMER_DERAIN_CONFIG,
              description='MMagic Restormer Rain13k config (same network as its GoPro config)'),
]}

LFDN_TABLE6 = ('lfdn', 'lfdn-wo_mshf', 'lfdn-rfdb', 'lfdn-cnn', 'lfdn-wo_fusion', 'lfdn-wo_all')


def get_spec(name):
    """Return the :class:`ModelSpec` called ``name``; the error lists the known names."""
    if name not in MODEL_SPECS:
        raise KeyError(f'unknown model {name!r}; choose from {", ".join(MODEL_SPECS)}')
    return MODEL_SPECS[name]


def build_generator(name, **extra):
    """Build the generator of model ``name`` (``extra`` changes its config) in eval mode."""
    import mmagic.models  # noqa: F401  (registers NAFNet and Restormer)
    from mmagic.registry import MODELS

    import lfdn_mm.models  # noqa: F401  (registers LFDN)
    return MODELS.build(get_spec(name).generator_cfg(**extra)).eval()
