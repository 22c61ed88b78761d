"""The shipped-models table of configs/lfdn/README.md is generated from the metafile."""
import pytest

from conftest import ROOT
from lfdn_mm.pretrained import PRETRAINED, ZOO_MARKERS, readme_with_zoo, zoo_markdown

README = ROOT / 'configs' / 'lfdn' / 'README.md'


def test_the_readme_table_is_the_generated_one():
    text = README.read_text()
    assert readme_with_zoo(text) == text, \
        'run python tools/model_converters/model_zoo_table.py to regenerate the table'


def test_every_shipped_model_has_rows_with_its_numbers():
    table = zoo_markdown()
    for name in PRETRAINED:
        assert f'`--model {name}` (`lfdn://{name}`)' in table
    assert '| 26.90 / 0.838 | 31.19 / 0.917 |' in table


def test_a_readme_without_the_markers_is_refused():
    with pytest.raises(ValueError, match='no block between'):
        readme_with_zoo('# LFDN\n' + ZOO_MARKERS[0] + '\n')
