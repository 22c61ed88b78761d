"""Fixed-seed fuzzing of the restore command and of ``validate_pairs`` with garbage files.

A folder holds valid images (some under the other format's extension), random bytes, image
headers followed by random bytes, truncated PNGs and JPEGs, empty files, text named like an
image, images with a few random bytes changed and a folder named like an image. No exception
may escape; every bad file must be reported by name, every valid one processed; a damaged
image that still decodes may go either way but must be accounted for once.
"""
import re

import cv2
import numpy as np
import pytest
from helpers.tiny_restorer import write_tiny_restorer

from lfdn_mm.cli import restore as restore_cli
from lfdn_mm.datasets import validation
from lfdn_mm.datasets.validation import PairValidationError, validate_pairs

SEED = 20240917
GOOD, BAD, EITHER, FOLDER = 'good', 'bad', 'either', 'folder'
EXTENSIONS = ('.png', '.jpg', '.bmp', '.tif')  # read by both the restore command and MMagic
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
JPEG_SIGNATURE = b'\xff\xd8\xff\xe0'


def random_image(rng):
    """A smooth random RGB image of random size, as an encoder would see a photograph."""
    height, width = rng.integers(8, 33, size=2)
    small = rng.integers(0, 256, (4, 4, 3)).astype(np.float32)
    return cv2.resize(small, (int(width), int(height))).clip(0, 255).astype(np.uint8)


def encode(image, extension):
    return cv2.imencode(extension, image)[1].tobytes()


def cut(data, rng):
    return data[:rng.integers(len(data) // 10, len(data) * 9 // 10)]


def change_bytes(data, rng, count=4):
    data = np.frombuffer(data, np.uint8).copy()
    data[rng.integers(0, len(data), count)] = rng.integers(0, 256, count)
    return data.tobytes()


def fuzz_cases(rng):
    """``{name: (content, expectation, image)}``; ``image`` is the valid image behind it."""
    cases = {}

    def add(name, expectation, content, image=None):
        cases[name] = (content, expectation, random_image(rng) if image is None else image)

    for extension in EXTENSIONS:
        image = random_image(rng)
        add(f'valid{extension}', GOOD, encode(image, extension), image)
        add(f'random{extension}', BAD, rng.bytes(int(rng.integers(1, 4096))))
        add(f'empty{extension}', BAD, b'')
        image = random_image(rng)
        add(f'changed{extension}', EITHER, change_bytes(encode(image, extension), rng), image)
    image = random_image(rng)
    add('png_named.jpg', GOOD, encode(image, '.png'), image)
    image = random_image(rng)
    add('jpeg_named.png', GOOD, encode(image, '.jpg'), image)
    add('png_header.png', BAD, PNG_SIGNATURE + rng.bytes(512))
    add('jpeg_header.jpg', BAD, JPEG_SIGNATURE + rng.bytes(512))
    for index in range(2):
        add(f'truncated_{index}.png', BAD, cut(encode(random_image(rng), '.png'), rng))
        add(f'truncated_{index}.jpg', BAD, cut(encode(random_image(rng), '.jpg'), rng))
    add('text.jpg', BAD, b'these are not the pixels you are looking for\n')
    add('folder.png', FOLDER, None)
    return cases


def write_cases(folder, cases):
    folder.mkdir(parents=True)
    for name, (content, _, _) in cases.items():
        if content is None:
            (folder / name).mkdir()
        else:
            (folder / name).write_bytes(content)
    return folder


def names(cases, *expectations):
    return {name for name, (_, expectation, _) in cases.items() if expectation in expectations}


@pytest.fixture(scope='module')
def cases():
    return fuzz_cases(np.random.default_rng(SEED))


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    config, checkpoint, _ = write_tiny_restorer(tmp_path_factory.mktemp('tiny'))
    return str(config), str(checkpoint)


def test_restore_command_reports_every_bad_file_and_restores_the_rest(cases, tiny, tmp_path,
                                                                      capsys, one_thread):
    folder = write_cases(tmp_path / 'in', cases)
    out = tmp_path / 'out'
    code = restore_cli.main([*tiny, str(folder), '-o', str(out), '--no-progress'])
    output = capsys.readouterr().out
    failed = set(re.findall(rf'^failed: {re.escape(str(folder))}/([^/:]+): \S', output,
                            re.MULTILINE))
    restored = {path.name for path in out.iterdir()}
    assert code == 1
    assert names(cases, BAD) <= failed and not names(cases, GOOD) & failed
    assert restored == names(cases, GOOD, EITHER) - failed  # no temporary files left either
    assert f'restored {len(restored)} of {len(restored) + len(failed)} images' in output
    assert f'skipped (folder, not read recursively): {folder / "folder.png"}' in output
    for name in names(cases, GOOD):
        shape = cases[name][2].shape
        assert cv2.imread(str(out / name)).shape == shape, name


def test_validate_pairs_names_every_bad_file_and_accepts_the_rest(cases, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setattr(validation, 'SHOWN_IN_ERRORS', len(cases))
    root = tmp_path / 'set'
    write_cases(root / 'input', cases)
    (root / 'target').mkdir()
    for name, (_, _, image) in cases.items():
        (root / 'target' / name).write_bytes(encode(image, '.png'))

    with pytest.raises(PairValidationError) as error:
        validate_pairs(root)
    message = str(error.value)
    unreadable = set(re.findall(r'^  input/(\S+) \(', message, re.MULTILINE))
    assert names(cases, BAD, FOLDER) <= unreadable <= names(cases, BAD, FOLDER, EITHER)
    assert f'{len(unreadable)} file(s) cannot be read as images:' in message

    for name in names(cases, BAD, FOLDER, EITHER):  # a damaged header may change the size
        for folder in ('input', 'target'):
            path = root / folder / name
            path.rmdir() if path.is_dir() else path.unlink()
    assert validate_pairs(root) == len(names(cases, GOOD))
