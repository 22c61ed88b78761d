"""Measures of a rain layer (rainy - clean), to compare synthetic rain with real rain.

For each pair the rain layer is the Y-channel difference ``input - target`` in [0, 1] (its
positive part; rain brightens). Measured per image:

* ``coverage``: fraction of pixels the rain brightens by more than ``threshold``;
* ``intensity``: the brightening of those pixels (a histogram is kept, and its median);
* ``orientation``: the dominant streak direction, degrees from vertical, from the structure
  tensor of the layer (streaks run across the strongest gradient);
* ``width``: median streak thickness in pixels, twice the distance-transform value along the
  skeleton of the streak mask.

Orientation and width are measured on the streaks alone: the layer minus its 15x15 local
mean, which removes a veil of haze.
"""
import cv2
import numpy as np
from skimage.morphology import skeletonize

from ...utils import read_rgb

THRESHOLD = 8 / 255
INTENSITY_BINS = np.linspace(0, 1, 51)


def luma(rgb):
    """ITU-R BT.601 luma of an RGB uint8 image, in [0, 1] (as MMagic's Y channel)."""
    r, g, b = np.moveaxis(rgb.astype(np.float32) / 255, -1, 0)
    return (65.481 * r + 128.553 * g + 24.966 * b + 16) / 255


def rain_layer(rainy, clean):
    """The positive Y-channel difference of two RGB uint8 images."""
    return np.clip(luma(rainy) - luma(clean), 0, 1)


def dominant_orientation(layer):
    """Streak direction in degrees from vertical, in (-90, 90]."""
    gx = cv2.Sobel(layer, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(layer, cv2.CV_32F, 0, 1, ksize=3)
    jxx, jyy, jxy = float((gx * gx).sum()), float((gy * gy).sum()), float((gx * gy).sum())
    gradient_angle = 0.5 * np.degrees(np.arctan2(2 * jxy, jxx - jyy))  # from the x axis
    # a streak at angle a from vertical (towards +x going down) has its gradient at -a
    return float((-gradient_angle + 90) % 180 - 90)


def streak_width(mask):
    """Median thickness (pixels) of the structures of a binary mask."""
    if not mask.any():
        return 0.0
    if mask.all():  # a veil over the whole image: no structure to measure
        return float(min(mask.shape))
    distance = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    values = distance[skeletonize(mask)]
    return float(2 * np.median(values) - 1) if values.size else 0.0


def measure(rainy, clean, threshold=THRESHOLD):
    """The measures of one pair (see the module docstring)."""
    layer = rain_layer(rainy, clean)
    mask = layer > threshold
    values = layer[mask]
    streaks = np.clip(layer - cv2.blur(layer, (15, 15)), 0, 1)
    return {
        'coverage': float(mask.mean()),
        'intensity': float(np.median(values)) if values.size else 0.0,
        'histogram': np.histogram(values, INTENSITY_BINS)[0].tolist(),
        'orientation': dominant_orientation(streaks),
        'width': streak_width(streaks > threshold),
    }


def summarise(measures):
    """Median and 5-95 % range of each scalar measure, plus the pooled intensity histogram."""
    summary = {}
    for key in ('coverage', 'intensity', 'orientation', 'width'):
        values = np.array([m[key] for m in measures])
        summary[key] = {'median': float(np.median(values)),
                        'p5': float(np.percentile(values, 5)),
                        'p95': float(np.percentile(values, 95))}
    histogram = np.sum([m['histogram'] for m in measures], axis=0)
    summary['histogram'] = (histogram / max(histogram.sum(), 1)).tolist()
    summary['pairs'] = len(measures)
    return summary


#: the synthetic rains compared with real rain: the transform's full default range and its
#: light and heavy ends
SYNTHETIC_RAINS = {
    'synthetic (defaults)': dict(),
    'synthetic light': dict(layers=(1, 1), density=(0.0005, 0.004), width=(1, 1),
                            intensity=(0.15, 0.6), haze_prob=0.0),
    'synthetic heavy': dict(layers=(3, 4), density=(0.008, 0.02), width=(2, 3),
                            intensity=(0.5, 0.9), haze_prob=1.0),
}


def measure_real(pair_dir):
    """Measures of every ``<pair_dir>/input`` image against ``<pair_dir>/target``."""
    names = sorted(p.name for p in (pair_dir / 'input').iterdir() if p.is_file())
    return [measure(read_rgb(pair_dir / 'input' / n), read_rgb(pair_dir / 'target' / n))
            for n in names]


def measure_synthetic(clean_paths, settings, seed=0, crop=None):
    """Measures of ``SynthesizeRain(**settings, seed=seed)`` over clean photographs."""
    from ...datasets.transforms import SynthesizeRain
    rain = SynthesizeRain(**settings, seed=seed)
    measures = []
    for path in clean_paths:
        clean = read_rgb(path)
        if crop:
            clean = clean[:crop, :crop]
        rainy = rain(dict(gt=clean, gt_path=str(path)))['img']
        measures.append(measure(rainy, clean))
    return measures


def plot_comparison(summaries, path):
    """Four panels: pooled intensity histograms, then coverage, orientation and width ranges
    (median with the 5-95 % range) of each rain."""
    from .report_utils import new_figure, save_figure
    figure, axes = new_figure(4, (3.6, 3.0))
    centres = (INTENSITY_BINS[:-1] + INTENSITY_BINS[1:]) / 2
    for name, summary in summaries.items():
        axes[0].plot(centres, summary['histogram'], label=name)
    axes[0].set(xlabel='brightening (Y)', ylabel='fraction of rain pixels', yscale='log',
                title='intensity')
    axes[0].legend(fontsize=6)
    for axis, key, label in zip(axes[1:], ('coverage', 'orientation', 'width'),
                                ('fraction of pixels', 'degrees from vertical', 'pixels')):
        for row, summary in enumerate(summaries.values()):
            stats = summary[key]
            axis.errorbar(stats['median'], row, xerr=[[stats['median'] - stats['p5']],
                                                      [stats['p95'] - stats['median']]],
                          fmt='o', capsize=3)
        axis.set(xlabel=label, title=key, yticks=range(len(summaries)),
                 yticklabels=[name.replace('synthetic ', 'syn. ') for name in summaries])
        axis.tick_params(axis='y', labelsize=6)
    save_figure(figure, path)


def comparison_table(summaries):
    """Markdown: one row per rain, median [5 %, 95 %] of each measure."""
    from .report_utils import markdown_table

    def cell(stats, digits):
        return (f"{stats['median']:.{digits}f} [{stats['p5']:.{digits}f}, "
                f"{stats['p95']:.{digits}f}]")

    rows = [(name, s['pairs'], cell(s['coverage'], 3), cell(s['intensity'], 3),
             cell(s['orientation'], 1), cell(s['width'], 1)) for name, s in summaries.items()]
    return markdown_table(('rain', 'images', 'coverage', 'intensity (median)',
                           'orientation (deg)', 'width (px)'), rows)
