"""Train a model from an MMagic/MMEngine config (LFDN or any other registered model).

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp] [--auto-scale-lr]
    torchrun --nproc_per_node=2 tools/train.py CONFIG --launcher pytorch
"""
import argparse

from lfdn_mm.cli import (add_common_arguments, build_runner, check_datasets, enable_amp,
                          enable_auto_scale_lr, load_config, release_process_group, set_resume)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a restoration model')
    parser.add_argument('config', help='config file')
    parser.add_argument('--resume', nargs='?', const='auto', default=None, metavar='CKPT',
                        help='resume from CKPT, or from the latest checkpoint in the work '
                        'folder when no path is given')
    parser.add_argument('--amp', action='store_true',
                        help='mixed precision: fp16 or bf16 on CUDA, bf16 on a CPU with native '
                        'bf16 (AVX512-BF16 or AMX); see --amp-dtype')
    parser.add_argument('--amp-dtype', choices=('float16', 'bfloat16'), default='float16')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the learning rate by the total batch size')
    return add_common_arguments(parser).parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.work_dir, args.launcher)
    if args.amp:
        enable_amp(cfg, args.amp_dtype)
    if args.auto_scale_lr:
        enable_auto_scale_lr(cfg)
    set_resume(cfg, args.resume)
    if not args.skip_data_check:
        check_datasets(cfg, ('train', 'val'))
    try:
        build_runner(cfg).train()
    finally:
        release_process_group()


if __name__ == '__main__':
    main()
