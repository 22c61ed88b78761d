import os
import pickle
import pickletools
import zipfile

import pytest
import torch
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.runner import Runner, load_checkpoint
from torch import nn

import lfdn_mm
from lfdn_mm.utils import mmengine_checkpoint_globals

# what the programs and configs do; import lfdn_mm alone leaves mmengine's loaders as they are
lfdn_mm.enable_safe_checkpoint_loading()


def test_config_with_custom_imports_inherits_mmagic_bases(tmp_path):
    config = tmp_path / 'lfdn_runtime.py'
    config.write_text(
        "_base_ = ['mmagic::_base_/default_runtime.py']\n"
        "custom_imports = dict(imports=['lfdn_mm'], allow_failed_imports=False)\n"
        "model = dict(type='BaseEditModel', generator=dict(type='LFDN'),\n"
        "             pixel_loss=dict(type='MSELoss'))\n")
    cfg = Config.fromfile(str(config))
    assert cfg.custom_imports.imports == ['lfdn_mm']
    assert cfg.default_scope == 'mmagic'
    assert cfg.model.generator.type == 'LFDN'
    assert 'checkpoint' in cfg.default_hooks


class ToyRegressor(BaseModel):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 1)

    def forward(self, inputs, targets, mode='loss'):
        prediction = self.linear(inputs)
        if mode == 'loss':
            return dict(loss=nn.functional.mse_loss(prediction, targets))
        return prediction


class ToyData(torch.utils.data.Dataset):
    def __len__(self):
        return 16

    def __getitem__(self, index):
        x = torch.full((4,), float(index) / 16)
        return dict(inputs=x, targets=x.sum(0, keepdim=True))


def make_runner(work_dir, max_iters, resume=False):
    return Runner(
        model=ToyRegressor(),
        work_dir=str(work_dir),
        train_dataloader=dict(dataset=ToyData(), batch_size=4,
                              sampler=dict(type='DefaultSampler', shuffle=True),
                              collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='Adam', lr=1e-2)),
        param_scheduler=dict(type='MultiStepLR', milestones=[3], by_epoch=False),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False),
                           logger=dict(type='LoggerHook', interval=1)),
        resume=resume, randomness=dict(seed=0), default_scope='mmengine')


def test_runner_checkpoints_resume_and_load_with_weights_only(tmp_path):
    make_runner(tmp_path, max_iters=4).train()
    checkpoint = tmp_path / 'iter_4.pth'
    assert checkpoint.exists() and (tmp_path / 'last_checkpoint').exists()

    state = torch.load(checkpoint, weights_only=True)  # what mmengine itself calls
    assert state['meta']['iter'] == 4
    assert 'message_hub' in state

    resumed = make_runner(tmp_path, max_iters=6, resume=True)
    resumed.train()
    assert resumed.iter == 6
    assert resumed.optim_wrapper.get_lr()['lr'] == [pytest.approx(1e-3)]  # past the milestone
    assert resumed.message_hub.get_info('iter') == 5

    model = ToyRegressor()
    load_checkpoint(model, str(tmp_path / 'iter_6.pth'), map_location='cpu')
    torch.testing.assert_close(model.linear.weight, resumed.model.linear.weight)


def pickled_globals(checkpoint):
    """Every ``module.name`` global that the pickle inside ``checkpoint`` refers to."""
    with zipfile.ZipFile(checkpoint) as archive:
        data = archive.read(next(n for n in archive.namelist() if n.endswith('data.pkl')))
    names, strings = set(), []
    for opcode, arg, _ in pickletools.genops(data):
        if opcode.name == 'GLOBAL':
            names.add(arg.replace(' ', '.').replace('__builtin__', 'builtins'))
        elif opcode.name == 'STACK_GLOBAL':
            names.add('.'.join(strings[-2:]))
        if isinstance(arg, str):
            strings.append(arg)
    return names


def test_only_mmengine_and_numpy_classes_are_allow_listed(tmp_path):
    make_runner(tmp_path, max_iters=2).train()
    from torch._weights_only_unpickler import _get_allowed_globals
    needed = pickled_globals(tmp_path / 'iter_2.pth') - set(_get_allowed_globals())
    allowed = {f'{g.__module__}.{g.__qualname__}' for g in mmengine_checkpoint_globals()}
    assert needed, 'mmengine checkpoints are expected to hold non-tensor classes'
    assert set(needed) <= allowed | {'numpy.core.multiarray._reconstruct',
                                     'numpy.core.multiarray.scalar', 'builtins.getattr'}
    modules = {name.split('.')[0] for name in allowed}
    assert modules <= {'mmengine', 'numpy'}, modules
    assert lfdn_mm.__version__


def test_getattr_stand_in_resolves_only_history_buffer_methods():
    from mmengine.logging import HistoryBuffer

    from lfdn_mm.utils.checkpoint_safety import history_buffer_method
    assert history_buffer_method(HistoryBuffer, 'mean') is HistoryBuffer.mean
    for owner, name in [(HistoryBuffer, '__init__'), (HistoryBuffer, '_set_default_statistics'),
                        (torch, 'load'), (dict, 'get')]:
        with pytest.raises(pickle.UnpicklingError, match='refusing getattr'):
            history_buffer_method(owner, name)


def test_a_pickle_that_would_run_code_is_still_refused(tmp_path):
    marker = tmp_path / 'pwned'

    class Exploit:
        def __reduce__(self):
            return (os.system, (f'touch {marker}',))

    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'payload': Exploit()}, path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
    with pytest.raises(pickle.UnpicklingError):
        load_checkpoint(ToyRegressor(), str(path), map_location='cpu')
    assert not marker.exists()


def test_import_on_a_too_old_torch_says_what_is_needed():
    import subprocess
    import sys
    code = ("import torch; torch.__version__ = '2.3.1'\n"
            "import lfdn_mm")
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert result.returncode != 0
    assert 'lfdn_mm needs torch >= 2.5' in result.stderr and 'torch 2.3.1' in result.stderr


def test_configs_and_tools_are_found_in_a_checkout_or_an_installed_package(tmp_path,
                                                                            monkeypatch):
    from lfdn_mm.utils import project_files
    from conftest import ROOT
    assert project_files.project_root() == ROOT
    installed = tmp_path / 'site-packages' / 'lfdn_mm'
    for folder in ('.mim/configs/lfdn', '.mim/tools'):
        (installed / folder).mkdir(parents=True)
    monkeypatch.setattr(project_files, 'PACKAGE_DIR', installed)
    assert project_files.project_root() == installed / '.mim'
    monkeypatch.setattr(project_files, 'PACKAGE_DIR', tmp_path / 'empty' / 'lfdn_mm')
    with pytest.raises(FileNotFoundError, match='reinstall lfdn-mm'):
        project_files.project_root()
