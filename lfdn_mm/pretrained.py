"""Starter checkpoints shipped inside the package: ``init_restorer(model='derain')``.

Each entry names a weights file in ``lfdn_mm/checkpoints/``, its SHA-256 (checked on every
load), the model it fits and its entry in ``configs/lfdn/metafile.yml``, where the recipe, the
training and the measured numbers are recorded (and read from by ``--list-models``). They are
CPU starters, trained briefly on synthesised degradations; the paper's recipe is in configs/lfdn.

Their weights are also reachable as ``lfdn://NAME`` wherever an OpenMMLab checkpoint is:
``load_from`` in a config, ``mmengine.runner.load_checkpoint``, ``init_restorer(config,
'lfdn://derain')`` and ``lfdn-restore CONFIG lfdn://derain ...`` (``import lfdn_mm`` registers
the scheme with mmengine's ``CheckpointLoader``). An entry may also carry a ``url``: a release
that does not ship a file in the package is then downloaded once into torch's hub cache
(``$TORCH_HOME/hub/checkpoints``) and checked against the same SHA-256.
"""
import functools
import hashlib
import re
from pathlib import Path

from mmengine.config import Config

from mmengine.runner.checkpoint import CheckpointLoader

from .utils.checkpoint_files import CheckpointError, load_checkpoint_file
from .utils.image_io import atomic_path
from .utils.project_files import project_root

CHECKPOINT_DIR = Path(__file__).parent / 'checkpoints'
#: ``lfdn://derain``: a shipped model's weights, as mmengine's loaders and init_restorer read them
SCHEME = 'lfdn://'

#: the model every starter fits: the paper preset with a global image residual, in an
#: LFDNEditor that reads [0, 255] images as [0, 1]
STARTER_MODEL = dict(
    type='LFDNEditor',
    generator=dict(type='LFDN', in_channels=3, out_channels=3, mid_channels=50, num_blocks=4,
                   global_residual=True),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'),
    train_cfg=dict(),
    test_cfg=dict(),
    data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))

PRETRAINED = {}


def register(name, **entry):
    PRETRAINED[name] = entry


def sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as file:
        for chunk in iter(lambda: file.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


def pretrained_entry(name):
    if name not in PRETRAINED:
        raise ValueError(f'no shipped model {name!r}; shipped: {", ".join(PRETRAINED) or "none"}')
    return PRETRAINED[name]


def pretrained_config(name):
    """The config (only ``model``) of shipped model ``name``."""
    return Config(dict(model=pretrained_entry(name)['model']))


def pretrained_checkpoint(name):
    """Path of the weights of shipped model ``name``, after checking its SHA-256.

    The file in the package is used when it is there; else, when the entry has a ``url``, the
    copy downloaded into :func:`download_dir` (fetched on first use).

    Raises:
        ValueError: No model of that name is shipped.
        CheckpointError: The file is missing (and no ``url`` is recorded), its download
            failed, or its checksum differs from the recorded one.
    """
    entry = pretrained_entry(name)
    path = CHECKPOINT_DIR / entry['file']
    if path.is_file():
        check_sha256(path, entry['sha256'], f'shipped checkpoint {path}', 'reinstall lfdn-mm')
        return path
    if not entry.get('url'):
        raise CheckpointError(f'shipped checkpoint {path} is missing; reinstall lfdn-mm (no '
                              f'download URL is recorded for {name!r})')
    cached = download_dir() / entry['file']
    if cached.is_file():
        check_sha256(cached, entry['sha256'], f'downloaded checkpoint {cached}',
                     'delete it to download it again')
    else:
        download_checkpoint(entry['url'], cached, entry['sha256'])
    return cached


def check_sha256(path, expected, what, advice):
    """Raise :class:`CheckpointError` (naming ``what``, advising ``advice``) unless the
    SHA-256 of ``path`` is ``expected``."""
    actual = sha256(path)
    if actual != expected:
        raise CheckpointError(f'{what} is damaged or was replaced: its SHA-256 is {actual}, '
                              f'expected {expected}; {advice}')


def download_dir():
    """Where downloaded starter weights are kept: torch's hub cache, as for any checkpoint
    URL (``$TORCH_HOME/hub/checkpoints``, by default ``~/.cache/torch/hub/checkpoints``)."""
    import torch
    return Path(torch.hub.get_dir()) / 'checkpoints'


def download_checkpoint(url, target, expected):
    """Download ``url`` to ``target`` with torch's hub download; ``target`` appears only once
    its SHA-256 is ``expected``."""
    import torch
    with atomic_path(target) as tmp:
        try:
            torch.hub.download_url_to_file(url, str(tmp), progress=False)
        except Exception as error:
            raise CheckpointError(f'could not download {url}: {error}') from error
        check_sha256(tmp, expected, f'the download of {url}', 'it was not kept')


def resolve_checkpoint(checkpoint):
    """The weights file of ``lfdn://NAME`` (checksum verified); any other value as given."""
    if isinstance(checkpoint, str) and checkpoint.startswith(SCHEME):
        try:
            return pretrained_checkpoint(checkpoint[len(SCHEME):])
        except ValueError as error:  # an unknown name
            raise ValueError(f'{checkpoint}: {error}') from None
    return checkpoint


@functools.lru_cache(maxsize=1)
def metafile_models():
    """``{name: entry}`` of ``configs/lfdn/metafile.yml``, read once."""
    import yaml
    metafile = project_root() / 'configs' / 'lfdn' / 'metafile.yml'
    return {m['Name']: m for m in yaml.safe_load(metafile.read_text())['Models']}


def metafile_entry(name):
    """The ``configs/lfdn/metafile.yml`` entry of shipped model ``name``."""
    return metafile_models()[pretrained_entry(name)['metafile_name']]


def score_text(metric, value):
    """``26.9`` -> ``'26.90'`` for a PSNR, three decimals for an SSIM."""
    if not isinstance(value, float):
        return str(value)
    return f'{value:.3f}' if 'SSIM' in metric else f'{value:.2f}'


def describe_pretrained(names=None):
    """One paragraph per shipped model (``names``, default all): what it restores, how it was
    trained, its numbers, as the metafile records them (``lfdn-restore --info``)."""
    lines = []
    for name in PRETRAINED if names is None else names:
        meta = metafile_entry(name)
        lines.append(f'{name}: {pretrained_entry(name)["summary"]}')
        lines.append(f'    recipe: {meta["Config"]}')
        lines.append(f'    training: {meta["Metadata"]["Training"]}')
        for result in meta['Results']:
            scores = ', '.join(f'{k} {score_text(k, v)}' for k, v in result['Metrics'].items())
            lines.append(f'    {result["Dataset"]}: {scores}')
    return '\n'.join(lines) if lines else 'no shipped models'


@functools.cache
def parameter_count(name):
    """Parameters of shipped model ``name``, counted on the model its config builds."""
    from mmagic.registry import MODELS
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(pretrained_config(name).model)
    return sum(parameter.numel() for parameter in model.parameters())


def trained_on(training):
    """The metafile's ``Training`` text in a few words: ``'162 photos + synthetic rain, 22000
    iters'``; its first clause where it does not say it that way."""
    data = re.search(r'(?:(\d+) )?clean photographs with (.+?) synthesised', training)
    iterations = re.search(r'(\d+) iterations', training)
    if not data:
        return training.split(',')[0][:40]
    photos = f'{data.group(1)} photos' if data.group(1) else 'photos'
    words = f'{photos} + synthetic {data.group(2)}'
    return f'{words}, {iterations.group(1)} iters' if iterations else words


def headline(meta):
    """The first result of a metafile entry: ``'Rain100L: PSNR (Y) 26.90 -> 31.19'``."""
    result = meta['Results'][0]
    metrics = result['Metrics']
    metric = next((k for k in metrics if 'restored' in k), next(iter(metrics)))
    scores = score_text(metric, metrics[metric])
    if 'restored' in metric and metric.replace('restored', 'input') in metrics:
        scores = f'{score_text(metric, metrics[metric.replace("restored", "input")])} -> {scores}'
    return f'{result["Dataset"].split(" (")[0]}: {metric.replace(", restored", "")} {scores}'


def pretrained_table():
    """The shipped models, a row each: name, task, parameters, training data, one number
    (``lfdn-restore --list-models``)."""
    rows = [('name', 'task', 'params', 'trained on', 'headline (input -> restored)')]
    for name, entry in PRETRAINED.items():
        meta = metafile_entry(name)
        task = re.split(r',| \(', entry['summary'])[0].removeprefix('removes ')
        rows.append((name, task, f'{parameter_count(name) / 1e6:.2f} M',
                     trained_on(meta['Metadata']['Training']), headline(meta)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = ['  '.join([*(cell.ljust(w) for cell, w in zip(row, widths)), row[-1]])
             for row in rows]
    lines.append(f'weights: {SCHEME}NAME; how each was trained and all its numbers: '
                 'lfdn-restore --model NAME --info')
    return '\n'.join(lines)


def result_scores(metrics, side):
    """``'31.19 / 0.917'``: the PSNR and SSIM of one side (``input`` or ``restored``) of a
    metafile result, ``'-'`` where it records none."""
    scores = [score_text(key, value) for key, value in metrics.items()
              if key.endswith(f', {side})') and key.split(' ')[0] in ('PSNR', 'SSIM')]
    return ' / '.join(scores) or '-'


def zoo_markdown():
    """The shipped models as a Markdown table generated from the metafile: a row per result
    (configs/lfdn/README.md holds it between ``ZOO_MARKERS``;
    ``tools/model_converters/model_zoo_table.py`` rewrites it)."""
    lines = ['| Model | Recipe | Trained on | Test set | input PSNR / SSIM '
             '| restored PSNR / SSIM |', '|---|---|---|---|---|---|']
    for name in PRETRAINED:
        meta = metafile_entry(name)
        config = Path(meta['Config']).name
        first = (f'`--model {name}` (`{SCHEME}{name}`)', f'[{Path(config).stem}](./{config})',
                 trained_on(meta['Metadata']['Training']))
        for index, result in enumerate(meta['Results']):
            cells = first if index == 0 else ('same', '', '')
            lines.append('| ' + ' | '.join([*cells, result['Dataset'],
                                            result_scores(result['Metrics'], 'input'),
                                            result_scores(result['Metrics'], 'restored')])
                         + ' |')
    return '\n'.join(lines) + '\n'


#: The generated table sits between these lines of configs/lfdn/README.md
ZOO_MARKERS = ('<!-- shipped models: generated by tools/model_converters/model_zoo_table.py -->',
               '<!-- end of shipped models -->')


def readme_with_zoo(text):
    """``text`` (configs/lfdn/README.md) with the block between ``ZOO_MARKERS`` regenerated."""
    begin, end = ZOO_MARKERS
    if begin not in text or end not in text:
        raise ValueError(f'the README has no block between {begin!r} and {end!r}')
    head, rest = text.split(begin, 1)
    return f'{head}{begin}\n{zoo_markdown()}{end}{rest.split(end, 1)[1]}'


def publish_checkpoint(source, target, meta=None, half=False):
    """Write the weights of training checkpoint ``source`` as a shippable file ``target``.

    Only ``state_dict`` (the model's registry form, ``generator.*`` keys) and ``meta`` are
    kept: no optimizer, scheduler or message hub. The write is atomic.

    Args:
        half (bool): Store floating-point tensors in fp16, half the size; loading copies
            them into the model's fp32 parameters (the shipped starters lose under 0.01 dB).

    Returns:
        str: SHA-256 of the written file.
    """
    import torch

    loaded = load_checkpoint_file(source)
    state_dict = loaded.get('state_dict', loaded)
    weights = {key: (value.half() if half and value.is_floating_point() else value).contiguous()
               for key, value in state_dict.items()}
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        torch.save({'state_dict': weights, 'meta': dict(meta or {})}, tmp)
    return sha256(target)


register(
    'derain',
    file='lfdn_starter_derain.pth',
    sha256='c3d5411c2a9ee5bc91653ce678ed65dd8e2b798d120c203782d87e59fb7e428f',
    summary='removes rain streaks, light rain first (CPU starter, not the paper recipe)',
    metafile_name='lfdn_c50n4-gres_1xb8-lr5e-4-22000i_synrain-photos',
    model=STARTER_MODEL)

register(
    'deblur',
    file='lfdn_starter_deblur.pth',
    sha256='6209d4e050c6e19e8f404584778031b6eb61971b53da0d4fd90e4c7903617b12',
    summary='removes camera shake and motion blur, leaves sharp photos alone (CPU starter)',
    metafile_name='lfdn_c50n4-gres_1xb8-lr5e-4-6000i_camblur-still-photos',
    model=STARTER_MODEL)


def load_from_lfdn_scheme(filename, map_location=None):
    """mmengine's loader for ``lfdn://NAME``: the weights of shipped model NAME, checksum
    verified (:func:`pretrained_checkpoint`), loaded as a local file (``weights_only``)."""
    return load_checkpoint_file(resolve_checkpoint(filename), map_location)


def register_lfdn_scheme():
    """Let mmengine resolve ``lfdn://NAME`` wherever a checkpoint goes (``load_from``,
    ``load_checkpoint``, ``mmagic.apis.init_model``)."""
    CheckpointLoader.register_scheme(SCHEME, load_from_lfdn_scheme, force=True)
