"""Turn the benchmarks, as their authors distribute them, into the layout the configs read.

Every converter finds the pairs of one benchmark in its distributed layout (:class:`Pair`: a
name, a degraded image, a clean image), links them as ``<out>/<img_dir>/<name>`` and
``<out>/<gt_dir>/<name>`` with absolute symbolic links (nothing is copied) and checks the result
with :func:`~lfdn_mm.datasets.validation.validate_pairs`. An output that fails the checks is
removed again, and an existing non-empty output is only replaced with ``overwrite=True`` (and
only when it holds nothing but links). ``docs/datasets.md`` describes the layouts accepted.
"""
import argparse
import os
import re
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from mmagic.datasets.basic_image_dataset import IMG_EXTENSIONS

from .validation import PairValidationError, listing, validate_pairs

#: pairs in each benchmark as the papers use it
EXPECTED_COUNTS = {
    'GoPro/train': 2103,
    'GoPro/test': 1111,
    'HIDE': 2025,
    'Kohler': 48,
    'Rain14000/train': 11200,
    'Test2800': 2800,
    'Rain100H': 100,
    'Rain100L': 100,
    'Test100': 100,
}
#: Rain14000 renders 14 rain streak versions of each clean image
RAINY_PER_CLEAN = 14
#: Rain14000 ids (sorted) used for training; the others are Test2800
RAIN14000_TRAIN_CLEAN = 800
#: training clean ids of Rain14000 held out for validation (2 %), evenly spread over the ids
RAIN14000_VAL_CLEAN = 16
#: GoPro training scenes (the last ones in name order) held out for validation
GOPRO_VAL_SCENES = 2
HIDE_TEST_SUBSETS = ('test-close-ups', 'test-long-shot')
#: already paired releases (Restormer/MPRNet style and similar): (degraded, clean) folder names
PAIRED_FOLDERS = {
    'GoPro': (('input', 'target'), ('blur', 'sharp')),
    'HIDE': (('input', 'target'), ),
    'Kohler': (('input', 'target'), ('blur', 'sharp'), ('blurred', 'sharp')),
    'Rain100': (('input', 'target'), ),
    'Test100': (('input', 'target'), ('rainy', 'ground_truth')),
}
KOHLER_BLURRY = re.compile(r'Blurry(\d+)_(\d+)')
KOHLER_FRAME = re.compile(r'GroundTruth(\d+)_(\d+)_(\d+)')
RAIN14000_RAINY = re.compile(r'(\d+)_(\d+)')
RAIN14000_CLEAN = re.compile(r'(\d+)')
#: JORDER's ``rain/X2/norain-<k>x2.png`` and PReNet's ``rain-<k>.png``
RAIN100_RAINY = re.compile(r'norain-(\d+)x2|rain-(\d+)')
RAIN100_CLEAN = re.compile(r'norain-(\d+)')


class LayoutError(ValueError):
    """The source folder is not a complete copy of a layout the converter accepts."""


@dataclass(frozen=True)
class Pair:
    """One degraded/clean pair: its name in the output and its two source files."""
    name: str
    img: Path
    gt: Path


@dataclass
class Split:
    """The pairs of one config dataset and where they go.

    Args:
        root (Path): The dataset's ``data_root``.
        pairs (list[Pair]): Its pairs.
        img_dir (str): ``data_prefix.img``.
        gt_dir (str): ``data_prefix.gt``.
        expected_count (int, optional): Pairs required by the validation; None: any number.
    """
    root: Path
    pairs: list
    img_dir: str = 'input'
    gt_dir: str = 'target'
    expected_count: int = None


# --- finding files ---------------------------------------------------------------------------

def is_image(path):
    """Whether ``path`` is a file with one of MMagic's image extensions."""
    return path.name.endswith(IMG_EXTENSIONS) and path.is_file()


def index_images(paths, key, root):
    """Map ``key(path)`` to each image of ``paths`` whose key is not None.

    Raises:
        LayoutError: When two images share a key.
    """
    index, clashes = {}, []
    for path in sorted(paths):
        name = key(path) if is_image(path) else None
        if name is None:
            continue
        if name in index:
            clashes.append(f'{relative(index[name], root)} and {relative(path, root)}')
        index[name] = path
    if clashes:
        raise LayoutError(f'{root}: {len(clashes)} image(s) stand for the same pair:'
                          + listing(clashes))
    return index


def file_name(path):
    """``path``'s name with its extension."""
    return path.name


def stem(path):
    """``path``'s name without its extension."""
    return path.stem


def index_folder(folder, key=file_name):
    """:func:`index_images` of the files directly in ``folder``."""
    return index_images(Path(folder).iterdir(), key, folder)


def pattern_key(pattern):
    """A key function: the integer groups of ``pattern`` matching a whole file stem, or None."""
    def key(path):
        match = pattern.fullmatch(path.stem)
        if match is None:
            return None
        numbers = tuple(int(group) for group in match.groups() if group is not None)
        return numbers[0] if len(numbers) == 1 else numbers
    return key


def relative(path, root):
    """``path`` relative to ``root`` for messages."""
    return os.path.relpath(path, root)


def require_folder(folder, layout):
    """Raise a :class:`LayoutError` describing ``layout`` when ``folder`` is missing."""
    if not Path(folder).is_dir():
        raise LayoutError(f'{folder} is missing; expected {layout}')


def match_by_key(imgs, gts, root, rule, every_gt_used=True):
    """Pair the degraded images ``imgs`` with the clean images ``gts`` of the same key.

    Args:
        imgs (dict): Key to degraded image.
        gts (dict): Key to clean image.
        root (Path): Source folder, for messages.
        rule (str): How the two names correspond, for messages.
        every_gt_used (bool): Whether a clean image without a degraded one is an error.

    Returns:
        list[tuple]: ``(key, img, gt)`` sorted by key.

    Raises:
        LayoutError: When an image has no partner; the message names the first ones.
    """
    problems = []
    alone = [imgs[key] for key in sorted(imgs) if key not in gts]
    if alone:
        problems.append(f'{len(alone)} degraded image(s) without a clean image:'
                        + listing(relative(path, root) for path in alone))
    alone = [gts[key] for key in sorted(gts) if key not in imgs] if every_gt_used else []
    if alone:
        problems.append(f'{len(alone)} clean image(s) without a degraded image:'
                        + listing(relative(path, root) for path in alone))
    if problems:
        raise LayoutError(f'{root}: incomplete pairs ({rule})\n' + '\n'.join(problems))
    return [(key, imgs[key], gts[key]) for key in sorted(imgs)]


def find_paired_folders(root, candidates):
    """The first ``(img_dir, gt_dir)`` of ``candidates`` that are both folders in ``root``."""
    return next((names for names in candidates
                 if all((Path(root) / name).is_dir() for name in names)), None)


def paired_folder_pairs(root, img_dir, gt_dir):
    """Pairs of an already paired release: ``img_dir/<stem>.*`` with ``gt_dir/<stem>.*``.

    Both files of a pair are named after the degraded image (stem and extension).
    """
    root = Path(root)
    matched = match_by_key(index_folder(root / img_dir, key=stem),
                           index_folder(root / gt_dir, key=stem), root,
                           f'{img_dir}/<name> pairs with {gt_dir}/<name>')
    return [Pair(img.name, img, gt) for _, img, gt in matched]


# --- the benchmarks --------------------------------------------------------------------------

def find_gopro_pairs(root, split, blur_dir='blur'):
    """Pairs of one split of GOPRO_Large: ``<split>/<scene>/{blur,sharp}/<frame>.png``.

    Args:
        root (str | Path): The ``GOPRO_Large`` folder (or one with ``<split>/{input,target}``).
        split (str): ``'train'`` or ``'test'``.
        blur_dir (str): ``'blur'`` (the benchmark) or ``'blur_gamma'``.

    Returns:
        list[Pair]: Named ``<scene>_<frame>.png`` (frame numbers repeat across scenes).
    """
    split_root = Path(root) / split
    require_folder(split_root, f'GOPRO_Large/{split}/<scene>/{{{blur_dir},sharp}}/')
    paired = find_paired_folders(split_root, PAIRED_FOLDERS['GoPro'])
    if paired:
        return paired_folder_pairs(split_root, *paired)
    scenes = sorted(path for path in split_root.iterdir() if path.is_dir())
    if not scenes:
        raise LayoutError(f'{split_root} holds no scene folders <scene>/{{{blur_dir},sharp}}/')
    pairs = []
    for scene in scenes:
        for folder in (blur_dir, 'sharp'):
            require_folder(scene / folder, f'GOPRO_Large/{split}/<scene>/{{{blur_dir},sharp}}/')
        matched = match_by_key(index_folder(scene / blur_dir), index_folder(scene / 'sharp'),
                               Path(root), f'<scene>/{blur_dir}/<frame> pairs with '
                               '<scene>/sharp/<frame>')
        pairs += [Pair(f'{scene.name}_{name}', img, gt) for name, img, gt in matched]
    return pairs


def find_hide_pairs(root):
    """HIDE's test pairs: ``test/{test-close-ups,test-long-shot}/<name>`` with ``GT/<name>``.

    ``GT/`` also holds the clean images of the training split, which are left out.
    """
    root = Path(root)
    paired = find_paired_folders(root, PAIRED_FOLDERS['HIDE'])
    if paired:
        return paired_folder_pairs(root, *paired)
    layout = 'HIDE_dataset/{GT,test/test-close-ups,test/test-long-shot}/'
    require_folder(root / 'GT', layout)
    clean = index_folder(root / 'GT')
    pairs = []
    for subset in HIDE_TEST_SUBSETS:
        require_folder(root / 'test' / subset, layout)
        matched = match_by_key(index_folder(root / 'test' / subset), clean, root,
                               f'test/{subset}/<name> pairs with GT/<name>', every_gt_used=False)
        pairs += [Pair(name, img, gt) for name, img, gt in matched]
    return pairs


def select_frame(frames, frame):
    """Pick one of ``frames`` (frame number to path): ``'first'``, ``'middle'``, ``'last'`` or a
    frame number."""
    numbers = sorted(frames)
    chosen = {'first': numbers[0], 'middle': numbers[(len(numbers) + 1) // 2 - 1],
              'last': numbers[-1]}.get(frame, frame)
    return frames.get(int(chosen))


def find_kohler_pairs(root, frame='middle'):
    """Köhler et al.'s 48 blurry shots, each with one of the sharp frames of its recording.

    Accepts the authors' release (``Blurry<image>_<kernel>.png`` and
    ``Image<image>/Kernel<kernel>/GroundTruth<image>_<kernel>_<frame>.png``, anywhere below
    ``root``) or a paired release (``{blur,sharp}``, ``{blurred,sharp}`` or ``{input,target}``).

    Args:
        root (str | Path): Source folder.
        frame (str | int): Sharp frame used as the target in the authors' release:
            ``'first'``, ``'middle'``, ``'last'`` or a frame number.

    Returns:
        list[Pair]: Named after the blurry shots.
    """
    root = Path(root)
    paired = find_paired_folders(root, PAIRED_FOLDERS['Kohler'])
    if paired:
        return paired_folder_pairs(root, *paired)
    files = list(root.rglob('*'))
    blurry = index_images(files, pattern_key(KOHLER_BLURRY), root)
    if not blurry:
        raise LayoutError(f'{root} holds no Blurry<image>_<kernel>.png and no paired folders '
                          f'{", ".join("/".join(p) for p in PAIRED_FOLDERS["Kohler"])}')
    recordings = defaultdict(dict)
    for (image, kernel, number), path in index_images(files, pattern_key(KOHLER_FRAME),
                                                      root).items():
        recordings[image, kernel][number] = path
    chosen = {key: select_frame(frames, frame) for key, frames in recordings.items()}
    matched = match_by_key(blurry, {key: path for key, path in chosen.items() if path}, root,
                           f'Blurry<i>_<k>.png pairs with frame {frame!r} of '
                           'GroundTruth<i>_<k>_<frame>.png', every_gt_used=False)
    return [Pair(img.name, img, gt) for _, img, gt in matched]


def find_rain14000_groups(root):
    """Fu et al.'s Rain14000: ``rainy_image/<id>_<k>.jpg`` rendered from ``ground_truth/<id>.jpg``.

    Every folder below ``root`` holding both ``rainy_image/`` and ``ground_truth/`` is read (the
    release in one folder, or its ``training/`` and ``testing/`` parts together).

    Returns:
        dict: Clean id to ``(clean image, [its rainy images])``, sorted by id.
    """
    root = Path(root)
    folders = [path.parent for path in sorted(root.rglob('rainy_image'))
               if path.is_dir() and (path.parent / 'ground_truth').is_dir()]
    if not folders:
        raise LayoutError(f'{root} holds no folder with rainy_image/ and ground_truth/')
    clean = index_images([path for folder in folders
                          for path in (folder / 'ground_truth').iterdir()],
                         pattern_key(RAIN14000_CLEAN), root)
    rainy = index_images([path for folder in folders
                          for path in (folder / 'rainy_image').iterdir()],
                         pattern_key(RAIN14000_RAINY), root)
    rainy_ids = {number: path for (number, _), path in sorted(rainy.items())}
    match_by_key(rainy_ids, clean, root, 'rainy_image/<id>_<k> pairs with ground_truth/<id>')
    groups = {number: (path, []) for number, path in sorted(clean.items())}
    for (number, _), path in sorted(rainy.items()):
        groups[number][1].append(path)
    return groups


def check_rainy_per_clean(groups, root):
    """Raise when a clean image of Rain14000 does not have :data:`RAINY_PER_CLEAN` renderings."""
    wrong = [f'{relative(clean, root)}: {len(rainy)} rainy images'
             for clean, rainy in groups.values() if len(rainy) != RAINY_PER_CLEAN]
    if wrong:
        raise LayoutError(f'{root}: {len(wrong)} clean image(s) do not have {RAINY_PER_CLEAN} '
                          'rainy versions:' + listing(wrong))


def split_rain14000(groups, num_train_clean=RAIN14000_TRAIN_CLEAN,
                    num_val_clean=RAIN14000_VAL_CLEAN):
    """Split Rain14000 by clean id: the first ``num_train_clean`` ids train, the rest test;
    ``num_val_clean`` of the training ids, evenly spread, are held out for validation.

    Each rainy image is one pair named like it; its target is its clean image.

    Returns:
        tuple[list[Pair], list[Pair], list[Pair]]: Train, validation and test (Test2800) pairs.
    """
    ids = sorted(groups)
    train_ids = ids[:num_train_clean]
    if not 0 <= num_val_clean < len(train_ids):
        raise LayoutError(f'cannot hold out {num_val_clean} of {len(train_ids)} training clean '
                          'ids for validation')
    step = len(train_ids) // num_val_clean if num_val_clean else 0
    val_ids = set(train_ids[step - 1::step][:num_val_clean]) if num_val_clean else set()
    return (rain14000_pairs(groups, [i for i in train_ids if i not in val_ids]),
            rain14000_pairs(groups, sorted(val_ids)),
            rain14000_pairs(groups, ids[num_train_clean:]))


def hold_out_scenes(pairs, num_val_scenes=GOPRO_VAL_SCENES):
    """Split GoPro pairs named ``<scene>_<frame>`` into training and validation pairs: the
    last ``num_val_scenes`` scenes in name order validate, whole, so no frame of a validation
    scene is trained on."""
    scenes = sorted({pair.name.rsplit('_', 1)[0] for pair in pairs})
    if not 0 <= num_val_scenes < len(scenes):
        raise LayoutError(f'cannot hold out {num_val_scenes} of {len(scenes)} training scenes '
                          'for validation')
    val_scenes = set(scenes[len(scenes) - num_val_scenes:])
    in_val = [pair.name.rsplit('_', 1)[0] in val_scenes for pair in pairs]
    return ([pair for pair, val in zip(pairs, in_val) if not val],
            [pair for pair, val in zip(pairs, in_val) if val])


def check_count(name, pairs, check_counts):
    """Raise when a benchmark split that is divided further has not its published size."""
    if check_counts and len(pairs) != EXPECTED_COUNTS[name]:
        raise LayoutError(f'{name}: found {len(pairs)} pairs, expected '
                          f'{EXPECTED_COUNTS[name]} (the full benchmark)')


def rain14000_pairs(groups, ids):
    """One pair per rainy image of the clean ``ids``, named like the rainy image."""
    return [Pair(rainy.name, rainy, groups[number][0]) for number in ids
            for rainy in groups[number][1]]


def find_rain100_pairs(root):
    """Rain100H/Rain100L pairs from the JORDER, PReNet or Restormer release.

    JORDER: ``rain/X2/norain-<k>x2.png`` with ``norain/norain-<k>.png``; PReNet:
    ``rain-<k>.png`` with ``norain-<k>.png`` (in any folders below ``root``); Restormer:
    ``input/<name>`` with ``target/<name>``.

    Returns:
        list[Pair]: Named ``<k>.png`` as in the Restormer release (its names are kept).
    """
    root = Path(root)
    paired = find_paired_folders(root, PAIRED_FOLDERS['Rain100'])
    if paired:
        return paired_folder_pairs(root, *paired)
    files = list(root.rglob('*'))
    rainy = index_images(files, pattern_key(RAIN100_RAINY), root)
    clean = index_images(files, pattern_key(RAIN100_CLEAN), root)
    if not rainy:
        raise LayoutError(f'{root} holds neither input/ and target/ nor rainy images named '
                          'norain-<k>x2.png (JORDER) or rain-<k>.png (PReNet)')
    matched = match_by_key(rainy, clean, root, 'norain-<k>x2.png or rain-<k>.png pairs with '
                           'norain-<k>.png')
    return [Pair(f'{number}{img.suffix}', img, gt) for number, img, gt in matched]


def find_test100_pairs(root):
    """Test100 pairs from a paired release: ``input/`` and ``target/`` (or ``rainy/`` and
    ``ground_truth/``) with the same names."""
    root = Path(root)
    paired = find_paired_folders(root, PAIRED_FOLDERS['Test100'])
    if not paired:
        raise LayoutError(f'{root} holds neither input/ and target/ nor rainy/ and ground_truth/')
    return paired_folder_pairs(root, *paired)


# --- writing ---------------------------------------------------------------------------------

def refuse_regular_files(root):
    """Raise a ``FileExistsError`` naming the first files below ``root`` that are not links."""
    files = sorted(Path(folder) / name for folder, _, names in os.walk(root) for name in names
                   if not (Path(folder) / name).is_symlink())
    if files:
        raise FileExistsError(
            f'{root} holds files that are not links, which converters never delete; remove it '
            'yourself. First ones:' + listing(relative(path, root) for path in files))


def remove_links(root):
    """Delete ``root``, a folder that may only hold links and folders (else nothing is deleted
    and a ``FileExistsError`` is raised)."""
    refuse_regular_files(root)
    shutil.rmtree(root)


def check_output(root, overwrite):
    """Whether the existing output ``root`` has to be cleared before writing.

    Raises:
        FileExistsError: When ``root`` is not empty and ``overwrite`` is False, or cannot be
            replaced (a file, a link, or a folder holding regular files).
    """
    if not root.exists() and not root.is_symlink():
        return False
    if root.is_symlink() or not root.is_dir():
        raise FileExistsError(f'{root} exists and is not a folder; remove it yourself')
    if not any(root.iterdir()):
        return False
    if not overwrite:
        raise FileExistsError(f'{root} already exists and is not empty; pass --overwrite '
                              '(overwrite=True) to replace it')
    refuse_regular_files(root)
    return True


def link_pairs(split):
    """Link ``split.pairs`` into ``split.root`` with absolute links."""
    repeated = sorted(name for name, count in Counter(pair.name for pair in split.pairs).items()
                      if count > 1)
    if repeated:
        raise LayoutError(f'{split.root}: several pairs would be named the same:'
                          + listing(repeated))
    for folder in (split.img_dir, split.gt_dir):
        (split.root / folder).mkdir(parents=True, exist_ok=True)
    for pair in split.pairs:
        (split.root / split.img_dir / pair.name).symlink_to(pair.img.resolve())
        (split.root / split.gt_dir / pair.name).symlink_to(pair.gt.resolve())


def write_splits(splits, overwrite=False, num_workers=4):
    """Link every split and validate it; on any failure the new outputs are removed again.

    Args:
        splits (list[Split]): What to write.
        overwrite (bool): Replace outputs that exist (folders of links only).
        num_workers (int): Threads decoding images during validation.

    Returns:
        dict: Number of pairs per output folder.
    """
    for split in splits:
        split.root = Path(split.root)
    stale = [split.root for split in splits if check_output(split.root, overwrite)]
    for root in stale:
        remove_links(root)
    try:
        counts = {}
        for split in splits:
            link_pairs(split)
            counts[str(split.root)] = validate_pairs(split.root, split.img_dir, split.gt_dir,
                                                     split.expected_count, num_workers)
        return counts
    except BaseException:
        for split in splits:
            if split.root.is_dir():
                remove_links(split.root)
        raise


def expected(name, check_counts):
    """The expected pair count of ``name`` when counts are checked, else None."""
    return EXPECTED_COUNTS[name] if check_counts else None


def convert_gopro(root, out='data/gopro', blur_dir='blur', num_val_scenes=GOPRO_VAL_SCENES,
                  check_counts=True, overwrite=False):
    """GOPRO_Large to ``<out>/{train,val,test}/{blur,sharp}/<scene>_<frame>.png``.

    Args:
        root (str | Path): The ``GOPRO_Large`` folder.
        out (str | Path): Output folder (the configs read ``data/gopro``).
        blur_dir (str): ``'blur'`` or ``'blur_gamma'``.
        num_val_scenes (int): Training scenes held out, whole, for validation (``val/``);
            0: no validation split.
        check_counts (bool): Require 2,103 train (with the validation scenes) and 1,111 test
            pairs.
        overwrite (bool): Replace an existing output made of links.

    Returns:
        dict: Number of pairs per output folder.
    """
    train = find_gopro_pairs(root, 'train', blur_dir)
    check_count('GoPro/train', train, check_counts)
    train, val = hold_out_scenes(train, num_val_scenes)
    splits = [Split(Path(out) / 'train', train, 'blur', 'sharp')]
    if val:
        splits.append(Split(Path(out) / 'val', val, 'blur', 'sharp'))
    splits.append(Split(Path(out) / 'test', find_gopro_pairs(root, 'test', blur_dir), 'blur',
                        'sharp', expected('GoPro/test', check_counts)))
    return write_splits(splits, overwrite)


def convert_hide(root, out='data/HIDE', check_counts=True, overwrite=False):
    """HIDE's 2,025 test pairs to ``<out>/{input,target}/<name>`` (arguments as
    :func:`convert_gopro`)."""
    return write_splits([Split(out, find_hide_pairs(root),
                               expected_count=expected('HIDE', check_counts))], overwrite)


def convert_kohler(root, out='data/Kohler', frame='middle', check_counts=True, overwrite=False):
    """Köhler's 48 pairs to ``<out>/{input,target}/Blurry<i>_<k>.png``; ``frame`` as in
    :func:`find_kohler_pairs`, the rest as :func:`convert_gopro`."""
    return write_splits([Split(out, find_kohler_pairs(root, frame),
                               expected_count=expected('Kohler', check_counts))], overwrite)


def convert_rain14000(root, train_out='data/Rain14000/train', test_out='data/Test2800',
                      num_train_clean=RAIN14000_TRAIN_CLEAN, val_out='data/Rain14000/val',
                      num_val_clean=RAIN14000_VAL_CLEAN, check_counts=True, overwrite=False):
    """Rain14000 to ``<train_out>``, ``<val_out>`` and ``<test_out>``, each ``{input,target}``.

    Every rainy image ``<id>_<k>.jpg`` is a pair of that name whose target links to the clean
    image ``<id>.jpg``.

    Args:
        root (str | Path): Folder of the release (see :func:`find_rain14000_groups`).
        train_out (str | Path): Training output (the config reads ``data/Rain14000/train``).
        test_out (str | Path): Test output (the config reads ``data/Test2800``).
        num_train_clean (int): Clean ids, in increasing order, that go to training.
        val_out (str | Path): Validation output (the config reads ``data/Rain14000/val``).
        num_val_clean (int): Training clean ids held out for validation, all 14 renderings of
            each; 0: no validation split.
        check_counts (bool): Require 14 rainy images per clean one, 11,200 train (with the
            validation ids) and 2,800 test pairs.
        overwrite (bool): Replace existing outputs made of links.

    Returns:
        dict: Number of pairs per output folder.
    """
    groups = find_rain14000_groups(root)
    if check_counts:
        check_rainy_per_clean(groups, Path(root))
    train, val, test = split_rain14000(groups, num_train_clean, num_val_clean)
    check_count('Rain14000/train', train + val, check_counts)
    splits = [Split(train_out, train)]
    if val:
        splits.append(Split(val_out, val))
    splits.append(Split(test_out, test, expected_count=expected('Test2800', check_counts)))
    return write_splits(splits, overwrite)


def convert_rain100(root, out, name, check_counts=True, overwrite=False):
    """Rain100H or Rain100L (``name``) to ``<out>/{input,target}/<k>.png``."""
    return write_splits([Split(out, find_rain100_pairs(root),
                               expected_count=expected(name, check_counts))], overwrite)


def convert_rain100h(root, out='data/Rain100H', check_counts=True, overwrite=False):
    """Rain100H's 100 test pairs (arguments as :func:`convert_gopro`)."""
    return convert_rain100(root, out, 'Rain100H', check_counts, overwrite)


def convert_rain100l(root, out='data/Rain100L', check_counts=True, overwrite=False):
    """Rain100L's 100 test pairs (arguments as :func:`convert_gopro`)."""
    return convert_rain100(root, out, 'Rain100L', check_counts, overwrite)


def convert_test100(root, out='data/Test100', check_counts=True, overwrite=False):
    """Test100's 100 pairs (arguments as :func:`convert_gopro`)."""
    return write_splits([Split(out, find_test100_pairs(root),
                               expected_count=expected('Test100', check_counts))], overwrite)


# --- command line (tools/dataset_converters/) ------------------------------------------------

def converter_parser(description, default_out=None):
    """The arguments every converter tool takes: the source folder, ``--out``,
    ``--overwrite`` and ``--no-count-check``.

    Args:
        description (str): What the tool converts.
        default_out (str, optional): Default of ``--out``; no ``--out`` when None.

    Returns:
        argparse.ArgumentParser: To which a tool adds its own arguments.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('src', help='the benchmark as distributed (layouts: docs/datasets.md)')
    if default_out is not None:
        parser.add_argument('--out', default=default_out,
                            help=f'output folder, as the configs read it (default: {default_out})')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an existing output (only one that holds links alone)')
    parser.add_argument('--no-count-check', dest='check_counts', action='store_false',
                        help='accept any number of pairs (partial or tiny copies)')
    return parser


def run_conversion(convert, **kwargs):
    """Call ``convert(**kwargs)``, print the pairs per output and exit with the error message
    when the source or output is not usable.

    Returns:
        dict: Number of pairs per output folder.
    """
    if not Path(kwargs['root']).is_dir():
        raise SystemExit(f"error: {kwargs['root']} is not a folder")
    try:
        counts = convert(**kwargs)
    except (LayoutError, PairValidationError, FileExistsError) as error:
        raise SystemExit(f'error: {error}') from None
    for folder, count in counts.items():
        print(f'{folder}: {count} pairs')
    return counts
