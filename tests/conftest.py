from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
RAIN100L = ROOT.parent / 'shared' / 'data' / 'rain100l'
CLEAN_PHOTOS = ROOT.parent / 'shared' / 'data' / 'clean'


@pytest.fixture(autouse=True)
def _seeded():
    torch.manual_seed(0)


@pytest.fixture(autouse=True, scope='session')
def _onnx_exports_in_a_tmp_cache(tmp_path_factory):
    """ONNX exports of the onnxruntime backend go to a temporary folder, not the user's
    ``~/.cache/lfdn_mm/onnx`` (``$LFDN_MM_CACHE``, read at each export; subprocesses inherit it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('LFDN_MM_CACHE', str(tmp_path_factory.mktemp('lfdn_mm_cache')))
        yield


@pytest.fixture
def clean_photos():
    """The 180 clean photographs beside the project; skips when they are absent."""
    if not CLEAN_PHOTOS.is_dir():
        pytest.skip(f'{CLEAN_PHOTOS} is not available')
    return CLEAN_PHOTOS


@pytest.fixture
def rain100l():
    """The Rain100L benchmark beside the project; skips when it is absent."""
    if not (RAIN100L / 'input').is_dir():
        pytest.skip(f'{RAIN100L} is not available')
    return RAIN100L


@pytest.fixture(scope='session')
def tiny_demo(tmp_path_factory):
    """A 4-train / 2-val demo set of 96x96 crops (the demo config crops 96)."""
    from lfdn_mm.datasets import make_demo_set
    root = tmp_path_factory.mktemp('tiny_demo') / 'demo'
    make_demo_set(root, num_train=4, num_val=2, crop_size=96)
    return root


@pytest.fixture
def one_thread():
    """Run torch on one thread: small tensors go far faster so on cores shared with other jobs."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
