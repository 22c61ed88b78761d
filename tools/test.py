"""Test a checkpoint on the test sets of a config; optionally save restored images and metrics.

    python tools/test.py CONFIG CHECKPOINT [--out metrics.json] [--save-dir restored/]
"""
import argparse

from lfdn_mm.cli import (add_common_arguments, add_test_outputs, build_runner,
                          check_datasets, load_config, release_process_group, test_metrics)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test a restoration model')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='write the metrics to this JSON file')
    parser.add_argument('--save-dir', help='write every restored image into this folder')
    return add_common_arguments(parser).parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.work_dir, args.launcher)
    add_test_outputs(cfg, args.checkpoint, args.out, args.save_dir)
    if not args.skip_data_check:
        check_datasets(cfg, ('test',))
    try:
        return test_metrics(build_runner(cfg))
    finally:
        release_process_group()


if __name__ == '__main__':
    main()
