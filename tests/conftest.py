from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
RAIN100L = ROOT.parent / 'shared' / 'data' / 'rain100l'


@pytest.fixture(autouse=True)
def _seeded():
    torch.manual_seed(0)


@pytest.fixture
def rain100l():
    """The real Rain100L test set beside the project; skips when it is absent."""
    if not (RAIN100L / 'input').is_dir():
        pytest.skip(f'{RAIN100L} is not available')
    return RAIN100L
