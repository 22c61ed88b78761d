"""Link the benchmarks, as their authors distribute them, into the layout the configs read:
absolute symbolic links ``<out>/{<img_dir>,<gt_dir>}/<name>``, validated (``validate_pairs``)
and removed again on failure (:func:`prepare`)."""
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


def index_images(root, folders, key=lambda path: path.name, layout=None, below=False):
    """``key(path)`` to each image in (or, with ``below``, anywhere below) ``folders``, but for
    None keys; a missing folder, or two images with one key, are a :class:`LayoutError`."""
    for folder in folders:
        if not folder.is_dir():
            raise LayoutError(f'{folder} is missing; expected {layout}')
    index, clashes = {}, []
    files = [path for folder in folders
             for path in (folder.rglob('*') if below else folder.iterdir())]
    for path in sorted(p for p in files if p.name.endswith(IMG_EXTENSIONS) and p.is_file()):
        name = key(path)
        if name in index:
            clashes.append(f'{rel(index[name], root)} and {rel(path, root)}')
        elif name is not None:
            index[name] = path
    if clashes:
        raise LayoutError(f'{root}: {len(clashes)} image(s) stand for the same pair:'
                          + listing(clashes))
    return index


def numbers(pattern):
    """A key: the integers of ``pattern`` matching a whole file stem (tuple), or None."""
    return lambda path: (found := re.fullmatch(pattern, path.stem)) and tuple(
        int(group) for group in found.groups() if group is not None)


def match(imgs, gts, root, rule, every_gt_used=True, name=lambda key, img: img.name):
    """The pairs ``name(key, img)`` of ``imgs`` and ``gts`` (key to degraded and clean image);
    no degraded image, or one without a partner, is a :class:`LayoutError` showing ``rule``."""
    if not imgs:
        raise LayoutError(f'{root} holds no degraded images ({rule})')
    lone = [('degraded', 'clean', [imgs[k] for k in sorted(imgs) if k not in gts]),
            ('clean', 'degraded', [gts[k] for k in sorted(gts) if k not in imgs])]
    problems = [f'{len(paths)} {kind} image(s) without a {other} image:'
                + listing(rel(path, root) for path in paths)
                for kind, other, paths in lone[:1 + every_gt_used] if paths]
    if problems:
        raise LayoutError(f'{root}: incomplete pairs ({rule})\n' + '\n'.join(problems))
    return [Pair(name(key, imgs[key]), imgs[key], gts[key]) for key in sorted(imgs)]


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
    """Scene to its pairs ``<scene>_<frame>.png`` (frame numbers repeat across scenes)."""
    layout, folder = f'GOPRO_Large/{split}/<scene>/{{{blur_dir},sharp}}/', root / split
    scenes = sorted(path for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []
    if not scenes:
        raise LayoutError(f'{folder} holds no scene folders; expected {layout}')
    pairs, rule = {}, f'<scene>/{blur_dir}/<frame> pairs with <scene>/sharp/<frame>'
    for scene in scenes:
        blur, sharp = (index_images(root, [scene / sub], layout=layout)
                       for sub in (blur_dir, 'sharp'))
        pairs[scene.name] = [Pair(f'{scene.name}_{name}', img, gt)
                             for name, img, gt in match(blur, sharp, root, rule)]
    return pairs


def gopro_splits(root, dst, check_counts, blur_dir='blur', num_val_scenes=GOPRO_VAL_SCENES):
    """``<dst>/{train,val,test}``; the last ``num_val_scenes`` training scenes validate."""
    scenes = gopro_scenes(root, 'train', blur_dir)
    check_count('GoPro/train', pick(scenes, sorted(scenes)), check_counts)  # train and val
    train, val = hold_out(scenes, sorted(scenes), num_val_scenes, 'training scenes')
    test = gopro_scenes(root, 'test', blur_dir)
    test = check_count('GoPro/test', pick(test, sorted(test)), check_counts)
    return [Split(dst / folder, pairs, 'blur', 'sharp') for folder, pairs in
            (('train', train), ('val', val), ('test', test)) if pairs or folder != 'val']


def hide_pairs(root):
    """``test/{test-close-ups,test-long-shot}/<name>`` with ``GT/<name>`` (training GT unused)."""
    layout = 'HIDE_dataset/{GT,test/test-close-ups,test/test-long-shot}/'
    blurred = index_images(root, [root / 'test' / f'test-{subset}'
                                  for subset in ('close-ups', 'long-shot')], layout=layout)
    return match(blurred, index_images(root, [root / 'GT'], layout=layout), root,
                 'test/<subset>/<name> pairs with GT/<name>', every_gt_used=False)


def kohler_pairs(root, frame='middle'):
    """``Blurry<i>_<k>.png`` with one frame (``'first'``, ``'middle'``, ``'last'`` or a
    number) of ``Image<i>/Kernel<k>/GroundTruth<i>_<k>_<frame>.png``."""
    blurry = index_images(root, [root], numbers(r'Blurry(\d+)_(\d+)'), below=True)
    recordings, chosen = defaultdict(dict), {}
    for key, path in index_images(root, [root], numbers(r'GroundTruth(\d+)_(\d+)_(\d+)'),
                                  below=True).items():
        recordings[key[:2]][key[2]] = path
    for key, frames in recordings.items():
        ids = sorted(frames)
        number = int({'first': ids[0], 'middle': ids[(len(ids) - 1) // 2],
                      'last': ids[-1]}.get(frame, frame))
        if number in frames:
            chosen[key] = frames[number]
    return match(blurry, chosen, root, f'Blurry<i>_<k>.png pairs with frame {frame!r} of '
                 'GroundTruth<i>_<k>_<frame>.png', every_gt_used=False)


def rain14000_splits(root, dst, check_counts, num_train_clean=RAIN14000_TRAIN_CLEAN,
                     num_val_clean=RAIN14000_VAL_CLEAN):
    """``rainy_image/<id>_<k>.jpg`` of ``ground_truth/<id>.jpg`` (in every folder holding both):
    the lowest clean ids train (``num_val_clean``, evenly spread, validate), the others test."""
    folders = [path.parent for path in sorted(root.rglob('rainy_image'))
               if path.is_dir() and (path.parent / 'ground_truth').is_dir()]
    if not folders:
        raise LayoutError(f'{root} holds no folder with rainy_image/ and ground_truth/')
    clean, rainy = (index_images(root, [folder / sub for folder in folders], numbers(pattern))
                    for sub, pattern in (('ground_truth', r'(\d+)'),
                                         ('rainy_image', r'(\d+)_(\d+)')))
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
    test = check_count('Test2800', pick(groups, ids[num_train_clean:]), check_counts)
    return [Split(dst / folder, pairs) for folder, pairs in (
        ('Rain14000/train', train), ('Rain14000/val', val), ('Test2800', test))
        if pairs or 'val' not in folder]


def rain100_pairs(root):
    """JORDER's ``rain/X2/norain-<k>x2.png`` with ``norain/norain-<k>.png`` or PReNet's
    ``rain-<k>.png`` with ``norain-<k>.png``, named ``<k>.png`` like Restormer's."""
    rainy, clean = (index_images(root, [root], numbers(pattern), below=True)
                    for pattern in (r'norain-(\d+)x2|rain-(\d+)', r'norain-(\d+)'))
    return match(rainy, clean, root, 'norain-<k>x2.png (JORDER) or rain-<k>.png (PReNet) pairs '
                 'with norain-<k>.png', name=lambda key, img: f'{key[0]}{img.suffix}')


def test100_pairs(root):
    """``rainy/<name>.*`` with ``ground_truth/<name>.*``, named like the rainy image."""
    rainy, clean = (index_images(root, [root / sub], lambda path: path.stem,
                                 'Test100/{rainy,ground_truth}/')
                    for sub in ('rainy', 'ground_truth'))
    return match(rainy, clean, root, 'rainy/<name>.* pairs with ground_truth/<name>.*')


#: dataset to the finder of its pairs and their name in EXPECTED_COUNTS, or of its splits
DATASETS = {'gopro': (gopro_splits, None), 'hide': (hide_pairs, 'HIDE'),
            'kohler': (kohler_pairs, 'Kohler'), 'rain14000': (rain14000_splits, None),
            'rain100h': (rain100_pairs, 'Rain100H'), 'rain100l': (rain100_pairs, 'Rain100L'),
            'test100': (test100_pairs, 'Test100')}


def check_output(root, overwrite):
    """Whether ``root`` is a non-empty folder of links to replace; FileExistsError if in doubt."""
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
    """Link ``dataset`` (of :data:`DATASETS`) from its release ``src`` into ``dst``, the configs'
    data_root (gopro, rain14000: its parent, docs/datasets.md), and validate it; ``options`` go
    to its finder. Returns the number of pairs per output folder."""
    src, dst = Path(src), Path(dst)
    if not src.is_dir():
        raise LayoutError(f'{src} is not a folder')
    if any((folder / 'input').is_dir() for folder in (src, src / 'train', src / 'test')):
        raise LayoutError(f'{src} is already paired (input/): point the config\'s data_root at '
                          'it instead (docs/datasets.md)')
    find, name = DATASETS[dataset]
    splits = (find(src, dst, check_counts, **options) if name is None else
              [Split(dst, check_count(name, find(src, **options), check_counts))])
    return write_splits(splits, overwrite)
