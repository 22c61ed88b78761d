import importlib.util
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config

from lfdn_mm.cli.converters import LayoutError, hold_out, kohler_pairs, prepare
from lfdn_mm.datasets.validation import PairValidationError, validate_pairs
from lfdn_mm.utils import write_image

ROOT = Path(__file__).resolve().parents[2]
SIZE = (8, 10)  # height, width


def image(path, size=SIZE, value=0):
    """Write a small RGB PNG/JPEG of one grey ``value``."""
    write_image(path, np.full((*size, 3), value, np.uint8))
    return path


def load_prepare():
    spec = importlib.util.spec_from_file_location(
        'prepare', ROOT / 'tools' / 'dataset_converters' / 'prepare.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PREPARE = load_prepare()


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


def make_test100(root):
    """The rainy/ground_truth release, whose two files of a pair may differ in extension."""
    for name, clean in (('a.jpg', 'a.png'), ('b.jpg', 'b.jpg')):
        image(root / 'rainy' / name)
        image(root / 'ground_truth' / clean)
    return root


def make_paired(root, img_dir='input', gt_dir='target', names=('1.png', '2.png')):
    for name in names:
        image(root / img_dir / name)
        image(root / gt_dir / name)
    return root


# every dataset on a tiny copy: its options, the links it must make (output path below data/ to
# source) and the pairs per output (named like the configs' data_root values below data/)
CASES = {
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
    'test100': (make_test100, [], {
        'Test100/input/b.jpg': 'rainy/b.jpg',
        'Test100/target/a.jpg': 'ground_truth/a.png',
    }, {'Test100': 2}),
}


def run_prepare(dataset, src, data, *options):
    """``prepare.py DATASET SRC DST`` with the DST that gives the configs' paths below ``data``."""
    dst = data.parent / PREPARE.CONFIG_DST[dataset]
    return PREPARE.main([dataset, str(src), str(dst), *options])


@pytest.mark.parametrize('dataset', sorted(CASES))
def test_prepare_links_the_authors_layout_into_the_config_layout(dataset, tmp_path, capsys,
                                                                 monkeypatch):
    make, options, expected_links, expected_counts = CASES[dataset]
    src, data = make(tmp_path / 'src'), tmp_path / 'data'
    monkeypatch.chdir(tmp_path)

    counts = run_prepare(dataset, 'src', data, '--no-check-counts', *options)  # a relative SRC

    assert counts == {str(data / folder): count for folder, count in expected_counts.items()}
    for output, source in expected_links.items():
        link = data / output
        assert link.is_symlink(), output
        assert os.readlink(link) == str((src / source).resolve())  # absolute, never a copy
    for folder, count in expected_counts.items():
        assert validate_pairs(data / folder, *(('blur', 'sharp') if dataset == 'gopro'
                                               else ('input', 'target'))) == count
    assert f'{data / next(iter(expected_counts))}: ' in capsys.readouterr().out


def test_config_dst_gives_the_config_data_roots():
    roots = set()
    for name in ('gopro', 'rain14000'):
        cfg = Config.fromfile(str(ROOT / 'configs' / 'lfdn' /
                                  f'lfdn_c50n4_1xb16-lr1e-4-1000k_{name}.py'))
        loaders = [cfg.train_dataloader, *cfg.val_dataloader, *cfg.test_dataloader]
        roots |= {loader.dataset.data_root for loader in loaders}
    outputs = {f'data/{folder}' for case in CASES.values() for folder in case[3]}
    assert set(CASES) == set(PREPARE.CONFIG_DST)
    assert roots == outputs


def test_prepare_checks_the_benchmark_counts_by_default(tmp_path):
    src, data = make_rain100_jorder(tmp_path / 'src'), tmp_path / 'data'
    with pytest.raises(SystemExit, match=r'Rain100L: found 3 pairs, expected 100'):
        run_prepare('rain100l', src, data)
    assert not (data / 'Rain100L').exists()


def test_rain14000_needs_fourteen_rainy_images_per_clean_one(tmp_path):
    src = make_rain14000(tmp_path / 'src')
    with pytest.raises(LayoutError, match=r'do not have 14 rainy versions:\n  '
                       r'training/ground_truth/1\.jpg: 2 rainy images'):
        prepare('rain14000', src, tmp_path / 'data')
    assert not (tmp_path / 'data').exists()


def test_gopro_blur_gamma(tmp_path):
    src = make_gopro(tmp_path / 'src')
    prepare('gopro', src, tmp_path / 'gamma', check_counts=False, blur_dir='blur_gamma',
            num_val_scenes=1)
    assert links(tmp_path / 'gamma' / 'test' / 'blur')['GOPR0384_11_00_000001.png'] == str(
        (src / 'test' / 'GOPR0384_11_00' / 'blur_gamma' / '000001.png').resolve())


@pytest.mark.parametrize('dataset, release', [('rain100h', ''), ('gopro', 'test')])
def test_an_already_paired_release_is_pointed_at_not_linked(dataset, release, tmp_path):
    src = tmp_path / 'Rain100H'
    make_paired(src / release)
    with pytest.raises(SystemExit, match=re.escape(f'{src} is already paired (input/): point '
                                                   "the config's data_root at it")):
        PREPARE.main([dataset, str(src), str(tmp_path / 'out'), '--no-check-counts'])
    assert not (tmp_path / 'out').exists()


def test_kohler_frame_choice(tmp_path):
    src = make_kohler(tmp_path / 'src')
    targets = {pair.name: pair.gt.name for pair in kohler_pairs(src, frame='last')}
    assert targets == {'Blurry1_1.png': 'GroundTruth1_1_3.png',
                       'Blurry1_2.png': 'GroundTruth1_2_2.png'}
    assert kohler_pairs(src, frame='first')[0].gt.name == 'GroundTruth1_1_1.png'
    with pytest.raises(LayoutError, match=r'BlurryImages/Blurry1_2\.png'):
        kohler_pairs(src, frame=3)  # recording 1_2 has two frames only
    with pytest.raises(SystemExit):
        PREPARE.parse_args(['kohler', 'src', 'dst', '--frame', 'centre'])
    with pytest.raises(SystemExit):  # an option of another dataset
        PREPARE.parse_args(['hide', 'src', 'dst', '--frame', 'last'])


# --- broken copies --------------------------------------------------------------------------

def test_missing_pair_is_named(tmp_path):
    src = make_gopro(tmp_path / 'src')
    (src / 'train' / 'GOPR0374_11_00' / 'sharp' / '000002.png').unlink()
    with pytest.raises(LayoutError, match=r'1 degraded image\(s\) without a clean image:\n  '
                       r'train/GOPR0374_11_00/blur/000002\.png'):
        prepare('gopro', src, tmp_path / 'out', check_counts=False)
    assert not (tmp_path / 'out').exists()


def test_missing_folder_is_named_with_the_layout(tmp_path):
    src = make_hide(tmp_path / 'src')
    (src / 'GT' / '1fromGOPR0950.png').unlink()
    with pytest.raises(LayoutError, match=r'test/test-close-ups/1fromGOPR0950\.png'):
        prepare('hide', src, tmp_path / 'out', check_counts=False)
    shutil.rmtree(src / 'GT')
    with pytest.raises(LayoutError, match=re.escape(
            f'{src / "GT"} is missing; expected HIDE_dataset/{{GT,test/test-close-ups,')):
        prepare('hide', src, tmp_path / 'out', check_counts=False)


def test_images_standing_for_one_pair_are_named(tmp_path):
    src = make_hide(tmp_path / 'src')
    image(src / 'test' / 'test-long-shot' / '1fromGOPR0950.png')
    with pytest.raises(LayoutError, match=r'1 image\(s\) stand for the same pair:\n  '
                       r'test/test-close-ups/1fromGOPR0950\.png and '
                       r'test/test-long-shot/1fromGOPR0950\.png'):
        prepare('hide', src, tmp_path / 'out', check_counts=False)
    src = make_rain100_prenet(tmp_path / 'rain')
    image(src / 'rainy' / 'rain-1.png')
    with pytest.raises(LayoutError, match=r'rainy/rain-001\.png and rainy/rain-1\.png'):
        prepare('rain100h', src, tmp_path / 'out', check_counts=False)
    assert not (tmp_path / 'out').exists()


def test_size_mismatch_is_named_with_both_sizes(tmp_path):
    src = make_rain100_jorder(tmp_path / 'src')
    image(src / 'rain_data_test_Light' / 'norain' / 'norain-2.png', size=(12, 10))
    with pytest.raises(PairValidationError, match=r'1 pair\(s\) differ in size') as error:
        prepare('rain100h', src, tmp_path / 'out', check_counts=False)
    message = str(error.value)
    assert '2.png: input 10x8' in message and 'target 10x12' in message
    assert 'norain/norain-2.png' in message  # the source file behind the link
    assert not (tmp_path / 'out').exists()


def test_a_failed_split_removes_every_output(tmp_path):
    src = make_gopro(tmp_path / 'src')
    image(src / 'test' / 'GOPR0384_11_00' / 'sharp' / '000002.png', size=(4, 4))
    with pytest.raises(PairValidationError, match=r'test: 1 pair\(s\) differ in size'):
        prepare('gopro', src, tmp_path / 'out', check_counts=False, num_val_scenes=1)
    assert not any((tmp_path / 'out' / split).exists() for split in ('train', 'val', 'test'))


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
        prepare('kohler', src, tmp_path / 'out', check_counts=False)
    assert not (tmp_path / 'out').exists()


def test_unrecognised_layout_says_what_was_expected(tmp_path):
    image(tmp_path / 'src' / 'photo.png')
    with pytest.raises(SystemExit, match=r'norain-<k>x2\.png \(JORDER\) or rain-<k>\.png'):
        PREPARE.main(['rain100h', str(tmp_path / 'src'), str(tmp_path / 'out')])
    with pytest.raises(SystemExit, match=r'error: .*missing is not a folder'):
        PREPARE.main(['hide', str(tmp_path / 'missing'), str(tmp_path / 'out')])


# --- outputs --------------------------------------------------------------------------------

def test_existing_output_is_kept_unless_overwrite(tmp_path):
    src, data = make_rain100_jorder(tmp_path / 'src'), tmp_path / 'data'
    run_prepare('rain100h', src, data, '--no-check-counts')
    with pytest.raises(SystemExit, match=r'already exists and is not empty; pass --overwrite'):
        run_prepare('rain100h', src, data, '--no-check-counts')
    assert sorted(links(data / 'Rain100H' / 'input')) == ['1.png', '2.png', '3.png']

    image(src / 'rain_data_test_Light' / 'rain' / 'X2' / 'norain-4x2.png')
    image(src / 'rain_data_test_Light' / 'norain' / 'norain-4.png')
    run_prepare('rain100h', src, data, '--no-check-counts', '--overwrite')
    assert sorted(links(data / 'Rain100H' / 'input')) == ['1.png', '2.png', '3.png', '4.png']


def test_overwrite_never_deletes_real_files(tmp_path):
    src, out = make_rain100_jorder(tmp_path / 'src'), tmp_path / 'Rain100H'
    kept = image(out / 'input' / 'mine.png')
    with pytest.raises(FileExistsError, match=r'not links.*\n  input/mine\.png'):
        prepare('rain100h', src, out, check_counts=False, overwrite=True)
    assert kept.is_file()
    (tmp_path / 'file').write_text('')
    with pytest.raises(FileExistsError, match=r'file exists and is not a folder'):
        prepare('rain100h', src, tmp_path / 'file', check_counts=False, overwrite=True)


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


def test_validation_splits_hold_out_whole_scenes_and_clean_ids(tmp_path):
    counts = prepare('gopro', make_gopro(tmp_path / 'gopro'), tmp_path / 'g', check_counts=False,
                     num_val_scenes=1)
    assert counts[str(tmp_path / 'g' / 'val')] == 2
    train_names = {p.name for p in (tmp_path / 'g' / 'train' / 'blur').iterdir()}
    val_names = {p.name for p in (tmp_path / 'g' / 'val' / 'blur').iterdir()}
    assert {n.rsplit('_', 1)[0] for n in val_names} == {'GOPR0374_11_00'}
    assert not {n.rsplit('_', 1)[0] for n in train_names} & {'GOPR0374_11_00'}
    with pytest.raises(LayoutError, match='cannot hold out 2 of 2 training scenes'):
        prepare('gopro', make_gopro(tmp_path / 'gopro2'), tmp_path / 'g2', check_counts=False,
                num_val_scenes=2)
    counts = prepare('gopro', tmp_path / 'gopro', tmp_path / 'g0', check_counts=False,
                     num_val_scenes=0)
    assert sorted(counts) == [str(tmp_path / 'g0' / 'test'), str(tmp_path / 'g0' / 'train')]

    src = make_rain14000(tmp_path / 'rain')
    prepare('rain14000', src, tmp_path / 'r', check_counts=False, num_train_clean=3,
            num_val_clean=1)
    ids = {split: {p.name.split('_')[0] for p in (tmp_path / 'r' / split / 'input').iterdir()}
           for split in ('Rain14000/train', 'Rain14000/val', 'Test2800')}
    assert ids == {'Rain14000/train': {'1', '2'}, 'Rain14000/val': {'3'},
                   'Test2800': {'4', '5'}}
    ids = list(range(1, 801))  # the benchmark's 800 training ids: every 50th validates
    train, val = hold_out({i: [i] for i in ids}, ids, 16, 'training clean ids', spread=True)
    assert val == list(range(50, 801, 50)) and len(train) == 784


def test_train_counts_are_checked_before_the_split(tmp_path):
    with pytest.raises(SystemExit, match='GoPro/train: found 4 pairs, expected 2103'):
        run_prepare('gopro', make_gopro(tmp_path / 'src'), tmp_path / 'data')
    src = make_rain14000(tmp_path / 'rain', rainy_per_clean=14)
    with pytest.raises(LayoutError, match='Rain14000/train: found 70 pairs, expected 11200'):
        prepare('rain14000', src, tmp_path / 'data')
    assert not (tmp_path / 'data').exists()


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
