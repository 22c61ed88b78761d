"""The models the benchmark compares, built from MMagic's registry.

LFDN comes from this package's ``LFDNPreset``; NAFNet and Restormer from the ``model.generator``
of the configs that ship with MMagic (``mmagic/.mim/configs``), so the comparison uses exactly
the architectures of MMagic's model zoo. Published PSNRs are read from the metafiles.
"""
import copy
from dataclasses import dataclass, field
from pathlib import Path

import mmagic
import yaml
from mmengine.config import Config

from ...models.presets import PRESETS
from ...utils.project_files import project_root

MMAGIC_CONFIGS = Path(mmagic.__file__).parent / '.mim' / 'configs'
LFDN_METAFILE = project_root() / 'configs' / 'lfdn' / 'metafile.yml'
#: model -> (metafile, entries): LFDN's are the paper's Tables 3-5 as this project records
#: them; MMagic's Restormer GoPro entry has the same architecture as its deraining one.
PUBLISHED_SOURCES = {
    'lfdn': (LFDN_METAFILE, ('lfdn_c50n4_1xb16-lr1e-4-1000k_gopro',
                             'lfdn_c50n4_1xb16-lr1e-4-1000k_rain14000')),
    'nafnet-w64': (MMAGIC_CONFIGS / 'nafnet' / 'metafile.yml',
                   ('nafnet_c64eb11128mb1db1111_8xb8-lr1e-3-400k_gopro', )),
    'restormer': (MMAGIC_CONFIGS / 'restormer' / 'metafile.yml',
                  ('restormer_official_rain13k', 'restormer_official_gopro')),
}


def result_psnr(metrics):
    """The PSNR of one metafile result (``PSNR``, ``PSNR (Y)``, a ``PSNR/SSIM (RGB)`` group,
    ...), or None."""
    for key, value in metrics.items():
        if 'PSNR' in key and isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, dict) and 'PSNR' in value:
            return float(value['PSNR'])
    return None


def published_psnr(metafile, names):
    """``{dataset: PSNR}`` of the models ``names`` in an OpenMMLab ``metafile``."""
    scores = {}
    for model in yaml.safe_load(Path(metafile).read_text())['Models']:
        for result in (model.get('Results') or []) if model['Name'] in names else []:
            psnr = result_psnr(result.get('Metrics') or {})
            if psnr is not None:
                scores[result['Dataset'].split(' (')[0]] = psnr
    return scores


@dataclass(frozen=True)
class ModelSpec:
    """One benchmarked generator: its ``generator`` config for MMagic's ``MODELS``, or the
    ``mmagic_config`` whose ``model.generator`` it is, changed by ``overrides``."""
    name: str
    family: str
    generator: dict = None
    mmagic_config: str = None
    overrides: dict = field(default_factory=dict)
    description: str = ''

    def generator_cfg(self, **extra):
        if self.generator is not None:
            cfg = copy.deepcopy(self.generator)
        else:
            cfg = Config.fromfile(MMAGIC_CONFIGS / self.mmagic_config).model.generator.to_dict()
        return {**cfg, **copy.deepcopy(self.overrides), **extra}

    @property
    def published_psnr(self):
        source = PUBLISHED_SOURCES.get(self.name)
        return published_psnr(*source) if source else {}


def lfdn(preset):
    changes = ', '.join(f'{k}={v!r}' for k, v in PRESETS[preset].items()) or 'as in the paper'
    return ModelSpec('lfdn' if preset == 'paper' else f'lfdn-{preset}', 'LFDN',
                     generator=dict(type='LFDNPreset', preset=preset),
                     description=f'LFDN preset {preset!r}: {changes}')


def nafnet(width):
    return ModelSpec(f'nafnet-w{width}', 'NAFNet', overrides=dict(mid_channels=width),
                     mmagic_config='nafnet/nafnet_c64eb11128mb1db1111_8xb8-lr1e-3-400k_gopro.py',
                     description=f'MMagic NAFNetLocal GoPro config, width {width}')


MODEL_SPECS = {spec.name: spec for spec in [
    *map(lfdn, PRESETS),
    nafnet(64), nafnet(32), nafnet(16),
    ModelSpec('nafnet-w8-tiny', 'NAFNet', description='NAFNet width 8, one block per stage',
              generator=dict(type='NAFNet', img_channels=3, mid_channels=8,
                             enc_blk_nums=[1, 1, 1, 1], middle_blk_num=1,
                             dec_blk_nums=[1, 1, 1, 1])),
    ModelSpec('restormer', 'Restormer', mmagic_config='restormer/restormer_official_rain13k.py',
              description='MMagic Restormer Rain13k config (same network as its GoPro config)'),
]}
LFDN_TABLE6 = ('lfdn', 'lfdn-wo_mshf', 'lfdn-rfdb', 'lfdn-cnn', 'lfdn-wo_fusion', 'lfdn-wo_all')


def get_spec(name):
    """The :class:`ModelSpec` called ``name``; the error lists the known names."""
    if name not in MODEL_SPECS:
        raise KeyError(f'unknown model {name!r}; choose from {", ".join(MODEL_SPECS)}')
    return MODEL_SPECS[name]


def build_generator(name, **extra):
    """Build the generator of model ``name`` (``extra`` changes its config) in eval mode."""
    import mmagic.models  # noqa: F401  (registers NAFNet and Restormer)
    from mmagic.registry import MODELS

    import lfdn_mm.models  # noqa: F401  (registers LFDN)
    return MODELS.build(get_spec(name).generator_cfg(**extra)).eval()
