"""Compare synthetic camera blur with real blurred photographs, without sharp references.

    python tools/analysis_tools/blur_extent.py [--real ../shared/data/real_blur]
        [--clean ../shared/data/clean] [--out-dir docs/training_data]

Estimates the motion-blur length of every 192 px patch (cepstrum; see
lfdn_mm/cli/analysis/blur_extent.py) of each real photograph and of the held-out photographs
blurred by ``SynthesizeCameraBlur(seed=2021)`` as validation blurs them, and writes
blur_extent.json, blur_extent.md (per image: patches, 10/50/90th percentile length, spread of
direction) and camera_blur_samples.png (synthetic crops above real ones, at the same scale).
The real photographs are only looked at: nothing here trains or selects a model.
"""
import argparse
from pathlib import Path

import cv2
import numpy as np

from lfdn_mm.cli.analysis.blur_extent import frame_blur
from lfdn_mm.cli.analysis.report import markdown_table
from lfdn_mm.datasets.transforms import SynthesizeCameraBlur
from lfdn_mm.utils import atomic_path, read_rgb, write_image, write_json

ROOT = Path(__file__).resolve().parents[2]
PATCH, STRIDE, CROP = 192, 96, 256


def held_out_photos(folder, holdout_every=10):
    """The validation split of CleanImageDataset: every ``holdout_every``-th image by name."""
    files = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in ('.png', '.jpg'))
    return files[holdout_every - 1::holdout_every]


def synthetic_blur(path):
    results = SynthesizeCameraBlur(seed=2021)(dict(gt=read_rgb(path), gt_path=str(path)))
    return results['img']


def summary(name, image):
    found = frame_blur(image, patch=PATCH, stride=STRIDE)
    lengths = np.array([f['length'] for f in found]) if found else np.zeros(1)
    angles = np.deg2rad([f['angle'] * 2 for f in found]) if found else np.zeros(1)
    direction_spread = 1 - np.hypot(np.cos(angles).mean(), np.sin(angles).mean())
    p10, p50, p90 = np.percentile(lengths, [10, 50, 90])
    return dict(image=name, size=f'{image.shape[1]}x{image.shape[0]}', patches=len(found),
                length_p10=round(p10, 1), length_p50=round(p50, 1), length_p90=round(p90, 1),
                direction_spread=round(float(direction_spread), 2))


def centre_crop(image, size=CROP):
    top, left = (image.shape[0] - size) // 2, (image.shape[1] - size) // 2
    return image[max(top, 0):top + size, max(left, 0):left + size]


def labelled(image, text):
    out = np.ascontiguousarray(image.copy())
    cv2.putText(out, text, (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 0), 2)
    return out


def sample_figure(synthetic, real, count=4):
    rows = [[labelled(centre_crop(img), f'synthetic {i + 1}') for i, img in
             enumerate(synthetic[:count])],
            [labelled(centre_crop(img), name.split('.')[0][:22]) for name, img in real[:count]]]
    return np.concatenate([np.concatenate(row, axis=1) for row in rows], axis=0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--real', default=str(ROOT.parent / 'shared/data/real_blur'))
    parser.add_argument('--clean', default=str(ROOT.parent / 'shared/data/clean'))
    parser.add_argument('--out-dir', default=str(ROOT / 'docs/training_data'))
    args = parser.parse_args(argv)
    for folder in (args.real, args.clean):
        if not Path(folder).is_dir():
            parser.error(f'{folder} is not a folder')
    real = [(p.name, read_rgb(p)) for p in sorted(Path(args.real).glob('*.png'))]
    synthetic = [(p.name, synthetic_blur(p)) for p in held_out_photos(args.clean)]
    rows = {'real': [summary(n, img) for n, img in real],
            'synthetic (validation)': [summary(n, img) for n, img in synthetic]}
    out = Path(args.out_dir)
    write_json(out / 'blur_extent.json', dict(patch=PATCH, stride=STRIDE, **rows))
    headers = ['image', 'size', 'patches', 'p10 (px)', 'median (px)', 'p90 (px)',
               'direction spread']
    text = ''.join(f'\n### {kind}\n\n' + markdown_table(headers, [list(r.values()) for r in rs])
                   for kind, rs in rows.items())
    with atomic_path(out / 'blur_extent.md') as tmp:
        tmp.write_text('# Blur length per 192 px patch (cepstrum)\n' + text)
    write_image(out / 'camera_blur_samples.png',
                sample_figure([img for _, img in synthetic][::4], real[::2]))
    print(text)


if __name__ == '__main__':
    main()
