"""Entropy of ALFM's attention rows at two image sizes: how much sharper Eq. 9 gets on big images.

    python tools/analysis_tools/alfm_entropy.py --model derain --sizes 128 128 720 1280
    python tools/analysis_tools/alfm_entropy.py CONFIG CHECKPOINT --image photo.png
    python tools/analysis_tools/alfm_entropy.py --model derain --pairs ../shared/data/rain100l

Each row of ``softmax(F F^T)`` is a distribution over the ``N*C`` channels; its entropy is
``log(N*C)`` for uniform attention and 0 for one-hot. The image (skimage's astronaut by
default) is resized to every size; the mean row entropy, in nats, is printed per size with
the mean logit spread, for the logit scale the checkpoint was trained with.

With ``--pairs DIR`` (``input/`` and ``target/``) the checkpoint also restores every input once
per ALFM logit scale (``'none'``, ``'area'``, ``'l2'``) with its weights unchanged, and prints
MMagic's PSNR/SSIM (Y) of each: what switching the scale of a trained checkpoint does.
"""
import argparse
from pathlib import Path

import cv2
import torch
from skimage import data

from lfdn_mm.apis import init_restorer, restore_image
from lfdn_mm.cli.demo import score
from lfdn_mm.utils import read_rgb


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', nargs='?')
    parser.add_argument('checkpoint', nargs='?')
    parser.add_argument('--model', help='a shipped model instead of CONFIG CHECKPOINT')
    parser.add_argument('--image', help='image file (default: skimage astronaut)')
    parser.add_argument('--sizes', type=int, nargs='+', default=[128, 128, 720, 1280],
                        metavar='H W', help='height width pairs')
    parser.add_argument('--pairs', type=Path,
                        help='folder with input/ and target/ to score every logit scale on')
    parser.add_argument('--convert-to', default='Y', help="PSNR/SSIM colour space ('none': RGB)")
    return parser.parse_args(argv)


@torch.no_grad()
def attention_entropy(generator, image):
    """Mean entropy (nats) and mean logit range of ALFM's attention rows for ``image``."""
    seen = {}
    original = generator.alfm.attention

    def record(features):
        attention = original(features)
        energy = torch.bmm(features, features.transpose(1, 2))
        seen['entropy'] = -(attention * attention.clamp_min(1e-30).log()).sum(-1).mean().item()
        seen['spread'] = (energy.amax(-1) - energy.amin(-1)).mean().item()
        return attention

    generator.alfm.attention = record
    try:
        generator(image)
    finally:
        generator.alfm.attention = original
    return seen['entropy'], seen['spread']


def score_logit_scales(model, pairs, convert_to):
    """``{scale: {'PSNR': .., 'SSIM': ..}}`` of ``model`` on ``pairs`` for every logit scale."""
    names = sorted(p.name for p in (pairs / 'input').iterdir() if p.is_file())
    if not names:
        raise SystemExit(f'error: no images in {pairs / "input"}')
    targets = [read_rgb(pairs / 'target' / name) for name in names]
    alfm, trained = model.generator.alfm, model.generator.alfm.logit_scale
    scores = {}
    try:
        for scale in ('none', 'area', 'l2'):
            alfm.logit_scale = scale
            restored = (restore_image(model, read_rgb(pairs / 'input' / n)) for n in names)
            scores[scale] = score(zip(restored, targets), convert_to)
    finally:
        alfm.logit_scale = trained
    return scores


def main(argv=None):
    args = parse_args(argv)
    model = init_restorer(args.config, args.checkpoint, 'cpu', model=args.model, fast=False)
    rgb = read_rgb(args.image) if args.image else data.astronaut()
    channels = model.generator.alfm.reduce.in_channels
    print(f'uniform attention over {channels} channels: {torch.log(torch.tensor(channels)):.3f}'
          f' nats; theta = {model.generator.alfm.theta.item():.4g}')
    for height, width in zip(args.sizes[::2], args.sizes[1::2]):
        resized = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
        image = torch.from_numpy(resized).permute(2, 0, 1)[None].float() / 255
        entropy, spread = attention_entropy(model.generator, image)
        print(f'{width}x{height}: row entropy {entropy:.3f} nats, raw logit range {spread:.1f}')
    if args.pairs:
        convert_to = None if args.convert_to.lower() == 'none' else args.convert_to
        trained = model.generator.alfm.logit_scale
        for scale, result in score_logit_scales(model, args.pairs, convert_to).items():
            note = ' (trained with)' if scale == trained else ''
            print(f"{args.pairs.name}, logit scale {scale!r}{note}: PSNR {result['PSNR']:.2f} "
                  f"dB, SSIM {result['SSIM']:.4f}")


if __name__ == '__main__':
    main()
