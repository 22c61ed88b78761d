"""Link the benchmarks, as their authors distribute them, into the layout the configs read.

:func:`prepare` links one benchmark's pairs as ``<out>/{<img_dir>,<gt_dir>}/<name>`` (absolute
symbolic links), validates each output (``validate_pairs``) and removes it again on failure; a
non-empty output is only replaced with ``overwrite`` and only if it holds links alone. A release
already in ``input/`` and ``target/`` is refused: the configs read it where it is.
"""
import os
import re
import shutil
from collections import defaultdict, namedtuple
from pathlib import Path

from mmagic.datasets.basic_image_dataset import IMG_EXTENSIONS

from ..datasets.validation import listing, validate_pairs

#: pairs in each benchmark as the papers use it
EXPECTED_COUNTS = {'GoPro/train': 2103, 'GoPro/test': 1111, 'HIDE': 2025, 'Kohler': 48,
                   'Rain14000/train': 11200, 'Test2800': 2800, 'Rain100H': 100,
                   'Rain100L': 100, 'Test100': 100}
RAINY_PER_CLEAN = 14  #: Rain14000 renders 14 rain streak versions of each clean image
RAIN14000_TRAIN_CLEAN = 800  #: lowest Rain14000 clean ids that train; the others are Test2800
RAIN14000_VAL_CLEAN = 16  #: training clean ids held out for validation (2 %), evenly spread
GOPRO_VAL_SCENES = 2  #: GoPro training scenes (the last in name order) held out for validation

Pair = namedtuple('Pair', 'name img gt')  # name in the output, degraded and clean source file
Split = namedtuple('Split', 'root pairs img_dir gt_dir', defaults=('input', 'target'))  # an output
rel = os.path.relpath


class LayoutError(ValueError):
    """The source folder is not a complete copy of a layout the converter accepts."""


def index_images(paths, root, key=lambda path: path.name):
    """Map ``key(path)`` to each image file of ``paths`` whose key is not None; two images with
    one key are a :class:`LayoutError` that names both."""
    index, clashes = {}, []
    for path in sorted(p for p in paths if p.name.endswith(IMG_EXTENSIONS) and p.is_file()):
        name = key(path)
        if name in index:
            clashes.append(f'{rel(index[name], root)} and {rel(path, root)}')
        elif name is not None:
            index[name] = path
    if clashes:
        raise LayoutError(f'{root}: {len(clashes)} image(s) stand for the same pair:'
                          + listing(clashes))
    return index


def folder_images(folder, root, layout, key=lambda path: path.name):
    """:func:`index_images` of ``folder``, which must exist (else a LayoutError with ``layout``)."""
    if not folder.is_dir():
        raise LayoutError(f'{folder} is missing; expected {layout}')
    return index_images(folder.iterdir(), root, key)


def numbers(pattern):
    """A key: the integers (tuple) of the regular expression ``pattern`` matching a whole file
    stem, or None."""
    return lambda path: (found := re.fullmatch(pattern, path.stem)) and tuple(
        int(group) for group in found.groups() if group is not None)


def match(imgs, gts, root, rule, every_gt_used=True):
    """``(key, img, gt)`` for the keys of ``imgs`` (key to degraded image) in ``gts`` (key to
    clean image); an image without a partner is a :class:`LayoutError` showing ``rule``."""
    lone = [('degraded', 'clean', [imgs[k] for k in sorted(imgs) if k not in gts]),
            ('clean', 'degraded', [gts[k] for k in sorted(gts) if k not in imgs])]
    problems = [f'{len(paths)} {kind} image(s) without a {other} image:'
                + listing(rel(path, root) for path in paths)
                for kind, other, paths in lone[:1 + every_gt_used] if paths]
    if problems:
        raise LayoutError(f'{root}: incomplete pairs ({rule})\n' + '\n'.join(problems))
    return [(key, imgs[key], gts[key]) for key in sorted(imgs)]


def check_count(name, pairs, check_counts):
    """``pairs``, if they are the published number of benchmark ``name`` (or not checked)."""
    if check_counts and len(pairs) != EXPECTED_COUNTS[name]:
        raise LayoutError(f'{name}: found {len(pairs)} pairs, expected '
                          f'{EXPECTED_COUNTS[name]} (the full benchmark)')
    return pairs


def pick(groups, keys):
    return [pair for key in keys for pair in groups[key]]


def hold_out(groups, keys, count, what, spread=False):
    """Training and validation pairs of ``groups`` (key to pairs): ``count`` whole groups of
    ``keys`` validate, the last ones or, with ``spread``, evenly spread ones."""
    if not 0 <= count < len(keys):
        raise LayoutError(f'cannot hold out {count} of {len(keys)} {what} for validation')
    val = ([keys[(i + 1) * len(keys) // count - 1] for i in range(count)] if spread
           else keys[len(keys) - count:])
    return pick(groups, [key for key in keys if key not in val]), pick(groups, val)


def gopro_scenes(root, split, blur_dir):
    """GOPRO_Large's ``<split>/<scene>/{<blur_dir>,sharp}/<frame>.png``: scene to its pairs,
    named ``<scene>_<frame>.png`` (frame numbers repeat across scenes)."""
    layout, folder = f'GOPRO_Large/{split}/<scene>/{{{blur_dir},sharp}}/', root / split
    scenes = sorted(path for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []
    if not scenes:
        raise LayoutError(f'{folder} holds no scene folders; expected {layout}')
    return {scene.name: [Pair(f'{scene.name}_{name}', img, gt) for name, img, gt in match(
        folder_images(scene / blur_dir, root, layout), folder_images(scene / 'sharp', root, layout),
        root, f'<scene>/{blur_dir}/<frame> pairs with <scene>/sharp/<frame>')] for scene in scenes}


def gopro_splits(root, dst, check_counts, blur_dir='blur', num_val_scenes=GOPRO_VAL_SCENES):
    """``<dst>/{train,val,test}/{blur,sharp}``; the last ``num_val_scenes`` training scenes
    validate (the 2,103-pair count covers train and val)."""
    scenes = gopro_scenes(root, 'train', blur_dir)
    check_count('GoPro/train', pick(scenes, sorted(scenes)), check_counts)
    train, val = hold_out(scenes, sorted(scenes), num_val_scenes, 'training scenes')
    test = gopro_scenes(root, 'test', blur_dir)
    test = check_count('GoPro/test', pick(test, sorted(test)), check_counts)
    return [Split(dst / folder, pairs, 'blur', 'sharp') for folder, pairs in
            (('train', train), ('val', val), ('test', test)) if pairs or folder != 'val']


def hide_pairs(root):
    """HIDE's ``test/{test-close-ups,test-long-shot}/<name>`` with ``GT/<name>`` (``GT/`` also
    holds the training split's clean images, which are left out)."""
    layout = 'HIDE_dataset/{GT,test/test-close-ups,test/test-long-shot}/'
    blurred = index_images([path for subset in ('close-ups', 'long-shot') for path in folder_images(
        root / 'test' / f'test-{subset}', root, layout).values()], root)
    return [Pair(*found) for found in match(blurred, folder_images(root / 'GT', root, layout), root,
                                            'test/<subset>/<name> pairs with GT/<name>', False)]


def kohler_pairs(root, frame='middle'):
    """Köhler et al.'s ``Blurry<i>_<k>.png``, each with one sharp frame of
    ``Image<i>/Kernel<k>/GroundTruth<i>_<k>_<frame>.png``: ``frame`` is ``'first'``,
    ``'middle'``, ``'last'`` or a frame number."""
    files = list(root.rglob('*'))
    blurry = index_images(files, root, numbers(r'Blurry(\d+)_(\d+)'))
    if not blurry:
        raise LayoutError(f'{root} holds no Blurry<image>_<kernel>.png')
    recordings = defaultdict(dict)
    for key, path in index_images(files, root, numbers(r'GroundTruth(\d+)_(\d+)_(\d+)')).items():
        recordings[key[:2]][key[2]] = path
    chosen = {}
    for key, frames in recordings.items():
        ids = sorted(frames)
        number = int({'first': ids[0], 'middle': ids[(len(ids) - 1) // 2],
                      'last': ids[-1]}.get(frame, frame))
        chosen.update({key: frames[number]} if number in frames else {})
    return [Pair(img.name, img, gt) for _, img, gt in match(
        blurry, chosen, root, f'Blurry<i>_<k>.png pairs with frame {frame!r} of '
        'GroundTruth<i>_<k>_<frame>.png', every_gt_used=False)]


def rain14000_splits(root, dst, check_counts, num_train_clean=RAIN14000_TRAIN_CLEAN,
                     num_val_clean=RAIN14000_VAL_CLEAN):
    """Rain14000 (``rainy_image/<id>_<k>.jpg`` of ``ground_truth/<id>.jpg`` in every folder below
    ``root`` holding both) by clean id to ``<dst>/Rain14000/{train,val}`` and ``<dst>/Test2800``:
    the ``num_train_clean`` lowest ids train, ``num_val_clean`` of them (evenly spread) validate
    (the 11,200-pair count covers both), the others are Test2800; pairs take the rainy names."""
    folders = [path.parent for path in sorted(root.rglob('rainy_image'))
               if path.is_dir() and (path.parent / 'ground_truth').is_dir()]
    if not folders:
        raise LayoutError(f'{root} holds no folder with rainy_image/ and ground_truth/')
    clean, rainy = (index_images([path for folder in folders for path in (folder / sub).iterdir()],
                                 root, numbers(pattern)) for sub, pattern in
                    (('ground_truth', r'(\d+)'), ('rainy_image', r'(\d+)_(\d+)')))
    match({key[:1]: path for key, path in rainy.items()}, clean, root,
          'rainy_image/<id>_<k> pairs with ground_truth/<id>')
    groups = {key: [] for key in sorted(clean)}
    for key, path in sorted(rainy.items()):
        groups[key[:1]].append(Pair(path.name, path, clean[key[:1]]))
    wrong = [f'{rel(clean[key], root)}: {len(pairs)} rainy images'
             for key, pairs in groups.items() if len(pairs) != RAINY_PER_CLEAN]
    if check_counts and wrong:
        raise LayoutError(f'{root}: {len(wrong)} clean image(s) do not have {RAINY_PER_CLEAN} '
                          'rainy versions:' + listing(wrong))
    ids = sorted(groups)
    check_count('Rain14000/train', pick(groups, ids[:num_train_clean]), check_counts)
    train, val = hold_out(groups, ids[:num_train_clean], num_val_clean, 'training clean ids',
                          spread=True)
    test = pick(groups, ids[num_train_clean:])
    return [Split(dst / folder, pairs) for folder, pairs in (
        ('Rain14000/train', train), ('Rain14000/val', val),
        ('Test2800', check_count('Test2800', test, check_counts))) if pairs or 'val' not in folder]


def rain100_pairs(root):
    """Rain100H/L of JORDER (``rain/X2/norain-<k>x2.png`` with ``norain/norain-<k>.png``) or
    PReNet (``rain-<k>.png`` with ``norain-<k>.png``), named ``<k>.png`` like Restormer's."""
    files = list(root.rglob('*'))
    rainy = index_images(files, root, numbers(r'norain-(\d+)x2|rain-(\d+)'))
    if not rainy:
        raise LayoutError(f'{root} holds no rainy images named norain-<k>x2.png (JORDER) or '
                          'rain-<k>.png (PReNet)')
    return [Pair(f'{k[0]}{img.suffix}', img, gt) for k, img, gt in match(
        rainy, index_images(files, root, numbers(r'norain-(\d+)')), root,
        'norain-<k>x2.png or rain-<k>.png pairs with norain-<k>.png')]


def test100_pairs(root):
    """Test100's ``rainy/<name>.*`` with ``ground_truth/<name>.*``, named like the rainy image."""
    layout, stem = 'Test100/{rainy,ground_truth}/', lambda path: path.stem
    return [Pair(img.name, img, gt) for _, img, gt in match(*(
        folder_images(root / sub, root, layout, stem) for sub in ('rainy', 'ground_truth')),
        root, 'rainy/<name>.* pairs with ground_truth/<name>.*')]


#: dataset with one output to the finder of its pairs and its name in EXPECTED_COUNTS
SINGLE_OUTPUT = {'hide': (hide_pairs, 'HIDE'), 'kohler': (kohler_pairs, 'Kohler'),
                 'rain100h': (rain100_pairs, 'Rain100H'), 'rain100l': (rain100_pairs, 'Rain100L'),
                 'test100': (test100_pairs, 'Test100')}


def check_output(root, overwrite):
    """Whether ``root`` is a non-empty folder of links to replace; raise a ``FileExistsError``
    when it is not empty and ``overwrite`` is False, or when it holds other files."""
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        raise FileExistsError(f'{root} exists and is not a folder; remove it yourself')
    if not root.is_dir() or not any(root.iterdir()):
        return False
    if not overwrite:
        raise FileExistsError(f'{root} already exists and is not empty; pass --overwrite '
                              '(overwrite=True) to replace it')
    files = sorted(Path(folder) / name for folder, _, names in os.walk(root) for name in names
                   if not (Path(folder) / name).is_symlink())
    if files:
        raise FileExistsError(f'{root} holds files that are not links, which are never deleted; '
                              'remove it yourself. First ones:'
                              + listing(rel(path, root) for path in files))
    return True


def write_splits(splits, overwrite=False, num_workers=4):
    """Link and validate ``splits``, removing them all on any failure: pairs per output."""
    for root in [split.root for split in splits if check_output(split.root, overwrite)]:
        shutil.rmtree(root)
    try:
        counts = {}
        for root, pairs, img_dir, gt_dir in splits:
            for folder, side in ((img_dir, 1), (gt_dir, 2)):
                (root / folder).mkdir(parents=True, exist_ok=True)
                for pair in pairs:
                    (root / folder / pair.name).symlink_to(pair[side].resolve())
            counts[str(root)] = validate_pairs(root, img_dir, gt_dir, num_workers=num_workers)
        return counts
    except BaseException:
        for split in splits:
            if check_output(split.root, overwrite=True):
                shutil.rmtree(split.root)
        raise


def prepare(dataset, src, dst, check_counts=True, overwrite=False, **options):
    """Link ``dataset`` from its release ``src`` into the layout the configs read.

    Args:
        dataset (str): ``'gopro'``, ``'rain14000'`` or a key of :data:`SINGLE_OUTPUT`.
        src, dst (str | Path): The release (``docs/datasets.md``) and the ``data_root`` (gopro:
            of ``{train,val,test}``; rain14000: of ``Rain14000/{train,val}`` and ``Test2800``).
        check_counts (bool): Require the pair counts of :data:`EXPECTED_COUNTS`.
        overwrite (bool): Replace existing outputs that hold nothing but links.
        **options: gopro ``blur_dir``, ``num_val_scenes``; kohler ``frame``; rain14000
            ``num_train_clean``, ``num_val_clean``.

    Returns:
        dict: Number of pairs per output folder.
    """
    src, dst = Path(src), Path(dst)
    if not src.is_dir():
        raise LayoutError(f'{src} is not a folder')
    if any((folder / 'input').is_dir() for folder in (src, src / 'train', src / 'test')):
        raise LayoutError(f'{src} is already paired (input/): point the config\'s data_root at '
                          'it instead (docs/datasets.md)')
    if dataset in SINGLE_OUTPUT:
        find, name = SINGLE_OUTPUT[dataset]
        splits = [Split(dst, check_count(name, find(src, **options), check_counts))]
    else:
        splits = {'gopro': gopro_splits, 'rain14000': rain14000_splits}[dataset](
            src, dst, check_counts, **options)
    return write_splits(splits, overwrite)
