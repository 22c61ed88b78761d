# MMagic's runtime with checkpoints written atomically into the work folder, validation
# metrics logged at their iteration (mmengine logs them at epoch 0 by default), training
# stopped on a non-finite loss before it reaches a checkpoint, the fast forms of the LFDN
# modules (folded ACFM, group-norm instance norm; same function) in training and testing, and
# every checkpoint (load_from, --resume) read weights-only (lfdn_mm.enable_safe_checkpoint_loading).
_base_ = ['mmagic::_base_/default_runtime.py']

custom_imports = dict(imports=['lfdn_mm', 'lfdn_mm.safe_checkpoints'], allow_failed_imports=False)

default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=20_000, by_epoch=False, out_dir=None,
                    max_keep_ckpts=5, save_best='auto', rule='greater', save_last=True,
                    backend_args=dict(backend='atomic_local')),
    logger=dict(type='LoggerHook', interval=100, log_metric_by_epoch=False),
    non_finite_loss=dict(type='NonFiniteLossHook'),
    fast_forms=dict(type='FastFormsHook'))
log_processor = dict(type='LogProcessor', window_size=100, by_epoch=False)
env_cfg = dict(cudnn_benchmark=False,
               mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
               dist_cfg=dict(backend='nccl'))
randomness = dict(seed=0, diff_rank_seed=True)
vis_backends = [dict(type='LocalVisBackend')]
# TensorBoard: in a config, visualizer = dict(vis_backends=[dict(type='LocalVisBackend'),
#                                                         dict(type='TensorboardVisBackend')])
visualizer = dict(type='ConcatImageVisualizer', vis_backends=vis_backends, fn_key='gt_path',
                  img_keys=['gt_img', 'input', 'pred_img'], bgr2rgb=False)
