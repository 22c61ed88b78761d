"""Time a tiled restoration of a large image and report the peak memory of the process.

    python tools/analysis_tools/benchmark_tiled_restore.py --preset paper \\
        --size 2160 3840 --tile 512 --tile-overlap 32 --device cpu

Runs the same code path as ``lfdn-restore`` (``restore_image``) on a photograph resized to
``--size``. Without a config the model is an LFDN preset with random weights, which costs
the same time and memory as trained ones. Peak memory is the resident set size high-water
mark of this process (``ru_maxrss``), so it includes Python, PyTorch and the image.
"""
import argparse
import resource
import sys
import time

import cv2
import numpy as np
import torch
from mmagic.registry import MODELS
from mmengine.registry import DefaultScope
from skimage import data

from lfdn_mm.apis.inference import init_restorer, restore_image
from lfdn_mm.models import PRESETS
from lfdn_mm.inference.tiling import round_up, tile_starts


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Benchmark tiled restoration')
    parser.add_argument('config', nargs='?', help='config file (default: --preset)')
    parser.add_argument('checkpoint', nargs='?', help='checkpoint of the config')
    parser.add_argument('--preset', default='paper', choices=sorted(PRESETS),
                        help='LFDN preset with random weights when no config is given')
    parser.add_argument('--size', type=int, nargs=2, default=(2160, 3840),
                        metavar=('HEIGHT', 'WIDTH'), help='image size (default: 4K UHD)')
    parser.add_argument('--tile', type=int, default=512, help='tile side (0: whole image)')
    parser.add_argument('--tile-overlap', type=int, default=32)
    parser.add_argument('--tile-mode', choices=('exact', 'blended'), default='exact',
                        help="'exact': LFDN's tile-invariant tiles; 'blended': blended tiles")
    parser.add_argument('--ensemble', action='store_true', help='x8 self-ensemble')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, help='torch CPU threads (default: torch\'s)')
    return parser.parse_args(argv)


def build_preset_restorer(preset, device):
    """An ``LFDNEditor`` around a randomly initialised LFDN preset, in eval mode."""
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(dict(
            type='LFDNEditor', generator=dict(type='LFDNPreset', preset=preset),
            pixel_loss=dict(type='L1Loss'),
            data_preprocessor=dict(type='DataPreprocessor', mean=[0.] * 3, std=[255.] * 3)))
    return model.to(device).eval()


def peak_rss_gib():
    """Peak resident set size of this process in GiB (Linux reports ru_maxrss in KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024**2 if sys.platform != 'darwin' else kib / 1024**3


def count_tiles(height, width, tile, overlap, stride):
    """How many tiles ``tiled_forward`` runs for an image of this size."""
    tile, overlap = round_up(tile, stride), round_up(overlap, stride)
    padded_h, padded_w = round_up(height, stride), round_up(width, stride)
    rows = tile_starts(padded_h, min(tile, padded_h), tile - overlap)
    cols = tile_starts(padded_w, min(tile, padded_w), tile - overlap)
    return len(rows) * len(cols)


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.config:
        model = init_restorer(args.config, args.checkpoint, args.device)
    else:
        model = build_preset_restorer(args.preset, args.device)
    height, width = args.size
    image = cv2.resize(data.astronaut(), (width, height), interpolation=cv2.INTER_CUBIC)
    model.test_cfg = {**(model.test_cfg or {}), 'tile_mode': args.tile_mode}
    before = peak_rss_gib()
    start = time.perf_counter()
    restored = restore_image(model, image, tile_size=args.tile,
                             tile_overlap=args.tile_overlap, ensemble=args.ensemble)
    seconds = time.perf_counter() - start
    assert restored.shape == image.shape and np.isfinite(restored).all()
    stride = getattr(model.generator, 'stride', 1)
    tiles = 1
    if args.tile and args.tile_mode == 'blended':
        tiles = count_tiles(height, width, args.tile, args.tile_overlap, stride)
    elif args.tile:
        tiles = len(range(0, round_up(height, stride), round_up(args.tile, stride))) * \
            len(range(0, round_up(width, stride), round_up(args.tile, stride)))
    print(f'model: {args.config or "LFDN preset " + repr(args.preset) + " (random weights)"}')
    print(f'image {width}x{height}, tile {args.tile or "none"} ({args.tile_mode}), overlap '
          f'{args.tile_overlap}, {tiles} tiles, ensemble {args.ensemble}, device {args.device}, '
          f'{torch.get_num_threads()} threads')
    print(f'wall time: {seconds:.1f} s ({seconds / tiles:.2f} s per tile)')
    print(f'peak RSS: {peak_rss_gib():.2f} GiB (before restoring: {before:.2f} GiB)')


if __name__ == '__main__':
    main()
