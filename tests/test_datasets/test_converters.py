import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config

from lfdn_mm.datasets.converters import (LayoutError, convert_gopro, convert_hide,
                                         convert_kohler, convert_rain100h, convert_rain14000,
                                         find_kohler_pairs)
from lfdn_mm.datasets.validation import PairValidationError, validate_pairs
from lfdn_mm.utils import write_image

ROOT = Path(__file__).resolve().parents[2]
SIZE = (8, 10)  # height, width


def image(path, size=SIZE, value=0):
    """Write a small RGB PNG/JPEG of one grey ``value``."""
    write_image(path, np.full((*size, 3), value, np.uint8))
    return path


def load_tool(name):
    spec = importlib.util.spec_from_file_location(
        name, ROOT / 'tools' / 'dataset_converters' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def links(folder):
    """Name to (absolute) link target of every entry of ``folder``."""
    entries = sorted(Path(folder).iterdir())
    assert all(path.is_symlink() for path in entries)
    return {path.name: os.readlink(path) for path in entries}


# --- fake copies of the layouts the authors distribute --------------------------------------

def make_gopro(root):
    for split, scenes in (('train', ('GOPR0372_07_00', 'GOPR0374_11_00')),
                          ('test', ('GOPR0384_11_00', ))):
        for scene in scenes:
            for frame in ('000001.png', '000002.png'):
                for folder in ('blur', 'blur_gamma', 'sharp'):
                    image(root / split / scene / folder / frame, value=len(folder))
    return root


def make_hide(root):
    for subset, name in (('test-close-ups', '1fromGOPR0950.png'),
                         ('test-long-shot', '3fromGOPR1096.MP4.png')):
        image(root / 'test' / subset / name)
        image(root / 'GT' / name, value=200)
    image(root / 'train' / '5fromGOPR0372.png')
    image(root / 'GT' / '5fromGOPR0372.png')
    return root


def make_kohler(root):
    for image_index, kernel, frames in ((1, 1, 3), (1, 2, 2)):
        image(root / 'BlurryImages' / f'Blurry{image_index}_{kernel}.png')
        for frame in range(1, frames + 1):
            image(root / f'Image{image_index}' / f'Kernel{kernel}'
                  / f'GroundTruth{image_index}_{kernel}_{frame}.png', value=frame)
    return root


def make_rain14000(root, rainy_per_clean=2):
    """DDN's release in its training/ and testing/ parts: ids 1-3 and 4-5."""
    for part, ids in (('training', (1, 2, 3)), ('testing', (4, 5))):
        for number in ids:
            image(root / part / 'ground_truth' / f'{number}.jpg')
            for k in range(1, rainy_per_clean + 1):
                image(root / part / 'rainy_image' / f'{number}_{k}.jpg', value=100)
    return root


def make_rain100_jorder(root):
    for k in (1, 2, 3):
        image(root / 'rain_data_test_Light' / 'rain' / 'X2' / f'norain-{k}x2.png', value=k)
        image(root / 'rain_data_test_Light' / 'norain' / f'norain-{k}.png')
        image(root / 'rain_data_test_Light' / 'rainstreak' / f'rainstreak-{k}.png')
    return root


def make_rain100_prenet(root):
    for k in (1, 2):
        image(root / 'rainy' / f'rain-{k:03d}.png')
        image(root / f'norain-{k:03d}.png')
    return root


def make_paired(root, img_dir='input', gt_dir='target', names=('1.png', '2.png')):
    for name in names:
        image(root / img_dir / name)
        image(root / gt_dir / name)
    return root


# every tool on a tiny copy: its arguments and the links it must make (output path to source)
TOOL_CASES = {
    'gopro': (make_gopro, ['--blur-dir', 'blur', '--val-scenes', '1'], {
        'gopro/train/blur/GOPR0372_07_00_000001.png': 'train/GOPR0372_07_00/blur/000001.png',
        'gopro/val/sharp/GOPR0374_11_00_000002.png': 'train/GOPR0374_11_00/sharp/000002.png',
        'gopro/test/blur/GOPR0384_11_00_000002.png': 'test/GOPR0384_11_00/blur/000002.png',
    }, {'gopro/train': 2, 'gopro/val': 2, 'gopro/test': 2}),
    'hide': (make_hide, [], {
        'HIDE/input/1fromGOPR0950.png': 'test/test-close-ups/1fromGOPR0950.png',
        'HIDE/target/3fromGOPR1096.MP4.png': 'GT/3fromGOPR1096.MP4.png',
    }, {'HIDE': 2}),
    'kohler': (make_kohler, [], {
        'Kohler/input/Blurry1_1.png': 'BlurryImages/Blurry1_1.png',
        'Kohler/target/Blurry1_1.png': 'Image1/Kernel1/GroundTruth1_1_2.png',
        'Kohler/target/Blurry1_2.png': 'Image1/Kernel2/GroundTruth1_2_1.png',
    }, {'Kohler': 2}),
    'rain14000': (make_rain14000, ['--num-train-clean', '3', '--num-val-clean', '1'], {
        'Rain14000/train/input/1_2.jpg': 'training/rainy_image/1_2.jpg',
        'Rain14000/train/target/2_2.jpg': 'training/ground_truth/2.jpg',
        'Rain14000/val/input/3_2.jpg': 'training/rainy_image/3_2.jpg',
        'Rain14000/val/target/3_1.jpg': 'training/ground_truth/3.jpg',
        'Test2800/input/4_1.jpg': 'testing/rainy_image/4_1.jpg',
        'Test2800/target/5_2.jpg': 'testing/ground_truth/5.jpg',
    }, {'Rain14000/train': 4, 'Rain14000/val': 2, 'Test2800': 4}),
    'rain100h': (make_rain100_prenet, [], {
        'Rain100H/input/1.png': 'rainy/rain-001.png',
        'Rain100H/target/2.png': 'norain-002.png',
    }, {'Rain100H': 2}),
    'rain100l': (make_rain100_jorder, [], {
        'Rain100L/input/3.png': 'rain_data_test_Light/rain/X2/norain-3x2.png',
        'Rain100L/target/3.png': 'rain_data_test_Light/norain/norain-3.png',
    }, {'Rain100L': 3}),
    'test100': (lambda root: make_paired(root, 'rainy', 'ground_truth', ('a.jpg', 'b.jpg')),
                [], {'Test100/input/b.jpg': 'rainy/b.jpg',
                     'Test100/target/a.jpg': 'ground_truth/a.jpg'}, {'Test100': 2}),
}


def output_arguments(tool, data):
    if tool == 'rain14000':
        return ['--train-out', str(data / 'Rain14000' / 'train'),
                '--val-out', str(data / 'Rain14000' / 'val'), '--test-out', str(data / 'Test2800')]
    folder = {'gopro': 'gopro', 'hide': 'HIDE', 'kohler': 'Kohler', 'rain100h': 'Rain100H',
              'rain100l': 'Rain100L', 'test100': 'Test100'}[tool]
    return ['--out', str(data / folder)]


@pytest.mark.parametrize('tool', sorted(TOOL_CASES))
def test_tool_links_the_authors_layout_into_the_config_layout(tool, tmp_path, capsys):
    make, arguments, expected_links, expected_counts = TOOL_CASES[tool]
    src, data = make(tmp_path / 'src'), tmp_path / 'data'

    counts = load_tool(tool).main([str(src), '--no-count-check', *arguments,
                                   *output_arguments(tool, data)])

    assert counts == {str(data / folder): count for folder, count in expected_counts.items()}
    for output, source in expected_links.items():
        link = data / output
        assert link.is_symlink(), output
        assert os.readlink(link) == str((src / source).resolve())  # absolute, never a copy
    for folder, count in expected_counts.items():
        assert validate_pairs(data / folder, *(('blur', 'sharp') if tool == 'gopro'
                                               else ('input', 'target'))) == count
    assert f'{data / next(iter(expected_counts))}: ' in capsys.readouterr().out


def test_tool_checks_the_benchmark_counts_by_default(tmp_path):
    src, out = make_rain100_jorder(tmp_path / 'src'), tmp_path / 'data' / 'Rain100L'
    with pytest.raises(SystemExit, match=r'found 3 pairs, expected 100'):
        load_tool('rain100l').main([str(src), '--out', str(out)])
    assert not out.exists()  # a rejected output is removed


def test_rain14000_needs_fourteen_rainy_images_per_clean_one(tmp_path):
    src = make_rain14000(tmp_path / 'src')
    with pytest.raises(LayoutError, match=r'do not have 14 rainy versions:\n  '
                       r'training/ground_truth/1\.jpg: 2 rainy images'):
        convert_rain14000(src, tmp_path / 'train', tmp_path / 'test')
    assert not (tmp_path / 'train').exists() and not (tmp_path / 'test').exists()


def test_gopro_blur_gamma_and_paired_release(tmp_path):
    src = make_gopro(tmp_path / 'src')
    convert_gopro(src, tmp_path / 'gamma', blur_dir='blur_gamma', num_val_scenes=1,
                  check_counts=False)
    assert links(tmp_path / 'gamma' / 'test' / 'blur')['GOPR0384_11_00_000001.png'] == str(
        (src / 'test' / 'GOPR0384_11_00' / 'blur_gamma' / '000001.png').resolve())

    paired = tmp_path / 'paired'
    for split in ('train', 'test'):
        make_paired(paired / split, names=('GOPR0372_07_00-000047.png', ))
    counts = convert_gopro(paired, tmp_path / 'out', num_val_scenes=0, check_counts=False)
    assert counts == {str(tmp_path / 'out' / 'train'): 1, str(tmp_path / 'out' / 'test'): 1}


def test_kohler_frame_choice(tmp_path):
    src = make_kohler(tmp_path / 'src')
    targets = {pair.name: pair.gt.name for pair in find_kohler_pairs(src, frame='last')}
    assert targets == {'Blurry1_1.png': 'GroundTruth1_1_3.png',
                       'Blurry1_2.png': 'GroundTruth1_2_2.png'}
    with pytest.raises(LayoutError, match=r'BlurryImages/Blurry1_2\.png'):
        find_kohler_pairs(src, frame=3)  # recording 1_2 has two frames only


# --- broken copies --------------------------------------------------------------------------

def test_missing_pair_is_named(tmp_path):
    src = make_gopro(tmp_path / 'src')
    (src / 'train' / 'GOPR0374_11_00' / 'sharp' / '000002.png').unlink()
    with pytest.raises(LayoutError, match=r'1 degraded image\(s\) without a clean image:\n  '
                       r'train/GOPR0374_11_00/blur/000002\.png'):
        convert_gopro(src, tmp_path / 'out', check_counts=False)
    assert not (tmp_path / 'out').exists()


def test_missing_hide_ground_truth_is_named(tmp_path):
    src = make_hide(tmp_path / 'src')
    (src / 'GT' / '1fromGOPR0950.png').unlink()
    with pytest.raises(LayoutError, match=r'test/test-close-ups/1fromGOPR0950\.png'):
        convert_hide(src, tmp_path / 'out', check_counts=False)


def test_size_mismatch_is_named_with_both_sizes(tmp_path):
    src = make_rain100_jorder(tmp_path / 'src')
    image(src / 'rain_data_test_Light' / 'norain' / 'norain-2.png', size=(12, 10))
    with pytest.raises(PairValidationError, match=r'1 pair\(s\) differ in size') as error:
        convert_rain100h(src, tmp_path / 'out', check_counts=False)
    message = str(error.value)
    assert '2.png: input 10x8' in message and 'target 10x12' in message
    assert 'norain/norain-2.png' in message  # the source file behind the link
    assert not (tmp_path / 'out').exists()


@pytest.mark.parametrize('damage', ['garbage', 'truncated'])
def test_unreadable_file_is_named(damage, tmp_path):
    src = make_kohler(tmp_path / 'src')
    broken = src / 'BlurryImages' / 'Blurry1_2.png'
    if damage == 'garbage':
        broken.write_bytes(b'not an image')
    else:
        image(broken, size=(64, 64))
        broken.write_bytes(broken.read_bytes()[:60])
    with pytest.raises(PairValidationError, match=r'1 file\(s\) cannot be read as images:\n  '
                       r'input/Blurry1_2\.png -> .*BlurryImages/Blurry1_2\.png'):
        convert_kohler(src, tmp_path / 'out', check_counts=False)
    assert not (tmp_path / 'out').exists()


def test_unrecognised_layout_says_what_was_expected(tmp_path):
    image(tmp_path / 'src' / 'photo.png')
    with pytest.raises(LayoutError, match=r'norain-<k>x2\.png \(JORDER\) or rain-<k>\.png'):
        convert_rain100h(tmp_path / 'src', tmp_path / 'out', check_counts=False)


# --- outputs --------------------------------------------------------------------------------

def test_existing_output_is_kept_unless_overwrite(tmp_path):
    src, out = make_paired(tmp_path / 'src'), tmp_path / 'Rain100H'
    convert_rain100h(src, out, check_counts=False)
    with pytest.raises(FileExistsError, match=r'already exists and is not empty; pass '
                       r'--overwrite'):
        convert_rain100h(src, out, check_counts=False)

    image(src / 'input' / '3.png')
    image(src / 'target' / '3.png')
    convert_rain100h(src, out, check_counts=False, overwrite=True)
    assert sorted(links(out / 'input')) == ['1.png', '2.png', '3.png']


def test_overwrite_never_deletes_real_files(tmp_path):
    src, out = make_paired(tmp_path / 'src'), tmp_path / 'Rain100H'
    kept = image(out / 'input' / 'mine.png')
    with pytest.raises(FileExistsError, match=r'not links.*\n  input/mine\.png'):
        convert_rain100h(src, out, check_counts=False, overwrite=True)
    assert kept.is_file()


# --- validate_pairs on the config layout ---------------------------------------------------

def test_validate_pairs_reports_names_counts_and_dangling_links(tmp_path):
    root = make_paired(tmp_path / 'set', names=('1.png', '2.png', '3.png'))
    assert validate_pairs(root, expected_count=3) == 3
    with pytest.raises(PairValidationError, match=r'found 3 pairs, expected 4'):
        validate_pairs(root, expected_count=4)

    (root / 'target' / '3.png').rename(root / 'target' / '3.jpg')
    with pytest.raises(PairValidationError) as error:
        validate_pairs(root)
    assert 'in input/ have no file of the same name' in str(error.value)
    assert 'input/3.png' in str(error.value) and 'target/3.jpg' in str(error.value)

    (root / 'target' / '3.jpg').rename(root / 'target' / '3.png')
    (root / 'input' / '3.png').unlink()
    (root / 'input' / '3.png').symlink_to(tmp_path / 'gone.png')
    with pytest.raises(PairValidationError, match=r'input/3\.png -> .*gone\.png'):
        validate_pairs(root)
    with pytest.raises(PairValidationError, match=r'expected the folders input/ and gt/'):
        validate_pairs(root, gt_dir='gt')


def test_default_outputs_are_the_config_data_roots():
    roots = set()
    for name in ('gopro', 'rain14000'):
        cfg = Config.fromfile(str(ROOT / 'configs' / 'lfdn' /
                                  f'lfdn_c50n4_1xb16-lr1e-4-1000k_{name}.py'))
        loaders = [cfg.train_dataloader, *cfg.val_dataloader, *cfg.test_dataloader]
        roots |= {loader.dataset.data_root for loader in loaders}
    defaults = [load_tool(tool).parse_args(['src']) for tool in TOOL_CASES]
    outputs = {args.out for args in defaults if 'out' in args}
    outputs.discard('data/gopro')
    outputs |= {'data/gopro/train', 'data/gopro/val', 'data/gopro/test'}
    outputs |= {out for args in defaults if 'train_out' in args
                for out in (args.train_out, args.val_out, args.test_out)}
    assert roots == outputs


def test_validation_splits_hold_out_whole_scenes_and_clean_ids(tmp_path):
    counts = convert_gopro(make_gopro(tmp_path / 'gopro'), tmp_path / 'g', num_val_scenes=1,
                           check_counts=False)
    assert counts[str(tmp_path / 'g' / 'val')] == 2
    train_names = {p.name for p in (tmp_path / 'g' / 'train' / 'blur').iterdir()}
    val_names = {p.name for p in (tmp_path / 'g' / 'val' / 'blur').iterdir()}
    assert {n.rsplit('_', 1)[0] for n in val_names} == {'GOPR0374_11_00'}
    assert not {n.rsplit('_', 1)[0] for n in train_names} & {'GOPR0374_11_00'}
    with pytest.raises(LayoutError, match='cannot hold out 2 of 2 training scenes'):
        convert_gopro(make_gopro(tmp_path / 'gopro2'), tmp_path / 'g2', num_val_scenes=2,
                      check_counts=False)
    src = make_rain14000(tmp_path / 'rain')
    convert_rain14000(src, tmp_path / 'r' / 'train', tmp_path / 'r' / 'test', num_train_clean=3,
                      val_out=tmp_path / 'r' / 'val', num_val_clean=1, check_counts=False)
    val_ids = {p.name.split('_')[0] for p in (tmp_path / 'r' / 'val' / 'input').iterdir()}
    train_ids = {p.name.split('_')[0] for p in (tmp_path / 'r' / 'train' / 'input').iterdir()}
    assert val_ids == {'3'} and train_ids == {'1', '2'}


def test_gopro_train_count_is_checked_before_the_split(tmp_path):
    with pytest.raises(LayoutError, match='GoPro/train: found 4 pairs, expected 2103'):
        convert_gopro(make_gopro(tmp_path / 'src'), tmp_path / 'out')
    assert not (tmp_path / 'out').exists()


def test_no_config_validates_or_selects_checkpoints_on_a_test_set():
    test_roots = {'data/gopro/test', 'data/HIDE', 'data/Kohler', 'data/Test2800',
                  'data/Rain100H', 'data/Rain100L', 'data/Test100'}
    for path in sorted((ROOT / 'configs').rglob('*.py')):
        if '_base_' in path.parts:
            continue
        cfg = Config.fromfile(str(path))
        loaders = cfg.get('val_dataloader') or []
        loaders = loaders if isinstance(loaders, list) else [loaders]
        roots = {loader.dataset.data_root.removeprefix('./') for loader in loaders}
        assert not roots & test_roots, (path.name, roots)
