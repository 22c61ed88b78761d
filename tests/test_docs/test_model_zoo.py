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
    assert '| 26.90 / 0.838 | 32.28 / 0.926 |' in table


def test_a_readme_without_the_markers_is_refused():
    with pytest.raises(ValueError, match='no block between'):
        readme_with_zoo('# LFDN\n' + ZOO_MARKERS[0] + '\n')


METAFILE = ROOT / 'configs' / 'lfdn' / 'metafile.yml'


def metafile_models():
    import yaml
    return yaml.safe_load(METAFILE.read_text())['Models']


def test_every_metafile_model_has_its_own_existing_config():
    configs = [model['Config'] for model in metafile_models()]
    assert len(configs) == len(set(configs)), 'two metafile models share a config'
    for model in metafile_models():
        assert (ROOT / model['Config']).is_file(), model['Config']
        assert model['Config'].endswith(model['Name'] + '.py'), model['Name']


def test_shipped_models_are_trained_by_one_config_from_scratch():
    from mmengine.config import Config
    by_name = {model['Name']: model for model in metafile_models()}
    for name, entry in PRETRAINED.items():
        model = by_name[entry['metafile_name']]
        assert model['Weights'] == f'lfdn://{name}'
        cfg = Config.fromfile(ROOT / model['Config'])
        assert not cfg.get('load_from'), f'{model["Config"]} continues another run'


def test_no_config_loads_weights_from_work_dirs():
    from mmengine.config import Config
    offenders = [path.name for path in sorted((ROOT / 'configs').rglob('*.py'))
                 if '_base_' not in path.parts and 'load_from' in path.read_text()
                 and 'work_dirs' in str(Config.fromfile(path).get('load_from'))]
    assert offenders == []
