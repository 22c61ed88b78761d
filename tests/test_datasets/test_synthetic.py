import hashlib

import cv2
import pytest

from lfdn_mm.datasets import make_demo_set, write_demo_photos
from lfdn_mm.datasets.synthetic import DEMO_PHOTOS


def tree_digest(root):
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob('*') if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize('task', ['derain', 'deblur'])
def test_demo_set_is_deterministic_and_has_the_asked_sizes(tmp_path, task):
    counts = make_demo_set(tmp_path / 'a', task, num_train=5, num_val=3, crop_size=40, seed=7)
    make_demo_set(tmp_path / 'b', task, num_train=5, num_val=3, crop_size=40, seed=7)
    make_demo_set(tmp_path / 'c', task, num_train=5, num_val=3, crop_size=40, seed=8)
    assert counts == {'train': 5, 'val': 3}
    for split, count in counts.items():
        inputs = sorted(p.name for p in (tmp_path / 'a' / split / 'input').iterdir())
        targets = sorted(p.name for p in (tmp_path / 'a' / split / 'target').iterdir())
        assert len(inputs) == count and inputs == targets
    assert tree_digest(tmp_path / 'a') == tree_digest(tmp_path / 'b')
    assert tree_digest(tmp_path / 'a') != tree_digest(tmp_path / 'c')
    image = cv2.imread(str(next((tmp_path / 'a' / 'val' / 'input').iterdir())))
    assert image.shape == (40, 40, 3)


def test_val_photos_are_not_used_for_training(tmp_path):
    root = tmp_path / 'demo'
    make_demo_set(root, num_train=9, num_val=2, crop_size=32)
    train = {p.name.rsplit('_', 1)[0] for p in (root / 'train' / 'input').iterdir()}
    val = {p.name.rsplit('_', 1)[0] for p in (root / 'val' / 'input').iterdir()}
    assert train and val and not train & val


def test_existing_set_is_not_overwritten_by_default(tmp_path):
    make_demo_set(tmp_path / 'set', num_train=1, num_val=1, crop_size=32)
    with pytest.raises(FileExistsError, match='already exists'):
        make_demo_set(tmp_path / 'set', num_train=1, num_val=1, crop_size=32)
    make_demo_set(tmp_path / 'set', num_train=2, num_val=1, crop_size=32, overwrite=True)
    assert len(list((tmp_path / 'set' / 'train' / 'input').iterdir())) == 2


def test_unknown_task_is_rejected(tmp_path):
    with pytest.raises(ValueError, match='task must be one of'):
        make_demo_set(tmp_path / 'demo', task='dehaze')


def test_demo_photos_are_written_whole_and_not_overwritten(tmp_path):
    assert write_demo_photos(tmp_path / 'photos') == len(DEMO_PHOTOS)
    names = sorted(p.stem for p in (tmp_path / 'photos').iterdir())
    assert names == sorted(DEMO_PHOTOS)
    astronaut = cv2.imread(str(tmp_path / 'photos' / 'astronaut.png'))
    assert astronaut.shape == (512, 512, 3)
    with pytest.raises(FileExistsError, match='already exists'):
        write_demo_photos(tmp_path / 'photos')
