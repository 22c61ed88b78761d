"""Flicker of frame-by-frame restoration: a still scene under fresh rain, restored as a video.

    python tools/analysis_tools/video_flicker.py [--photo PHOTO] [--frames 24]
        [--model derain | --config CONFIG --checkpoint CKPT] [--speed-size 1280x720]
        [--speed-frames 3] [--out-dir DIR]

Builds a video whose background is still: one clean photograph (default: the first photograph
of ../shared/data/clean by name) with rain drawn afresh for every frame by ``SynthesizeRain``
with steady settings (one layer of light rain, direction and strength fixed: only the drops
change, as in a filmed shower), written losslessly. It restores that video with the restore
command's video path (lossless output) and prints, for the clean, rainy and restored frames:
the mean absolute change between consecutive frames, of the frame mean, and (where the rainy
input does not change) of the pixels and of their mean (a shift of the whole frame), all in 8-bit
levels, and PSNR (Y) against the photograph.

``--shared-windows N ...`` also restores the frames with whole-frame statistics (instance norms,
CCA, ALFM's channel attention) shared over windows of N frames: the frames of a window, each
padded by reflection, are restored as one image side by side. N=1 is that padding alone.

Then it times the video path (decode, restore, encode at the default CRF) against restoring
the same frames as PNG images with ``restore_files``, side by side at ``--speed-size``, in
wall-clock seconds and in CPU seconds of this process (what wall-clock time is on cores no
other job uses).
"""
import argparse
import json
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from mmagic.evaluation.metrics import psnr

from lfdn_mm.apis.batch_restore import restore_file, restore_files
from lfdn_mm.apis.inference import init_restorer, restore_image
from lfdn_mm.apis.video import DEFAULT_CRF, read_frames, write_frames
from lfdn_mm.cli.analysis.measure import parse_size
from lfdn_mm.cli.analysis.report import markdown_table
from lfdn_mm.datasets.transforms import SynthesizeRain
from lfdn_mm.utils import read_rgb, write_image

ROOT = Path(__file__).resolve().parents[2]
#: Light rain as the derain starter trains on, its draws per video fixed: every frame gets new
#: drops (positions, lengths, brightness) under the same direction, density and strength.
STEADY_RAIN = dict(layers=(1, 1), density=(0.005, 0.005), length=(12, 50),
                   lengths_per_layer=(4, 4), taper=(0.6, 0.6), width=(1, 1),
                   drop_brightness=(0.15, 1.0), angle=(10.0, 10.0), angle_spread=0.0,
                   intensity=(0.4, 0.4), softness=(0.3, 0.3), blend_modes=('add',),
                   haze_prob=0.0, seed=2021)


def even_crop(image):
    """``image`` cropped to even sides, as 4:2:0 video needs."""
    return image[:image.shape[0] // 2 * 2, :image.shape[1] // 2 * 2]


def fit(image, size):
    """``image`` centre-cropped to the aspect of ``size`` (height, width) and resized to it."""
    height, width = size
    scale = min(image.shape[0] / height, image.shape[1] / width)
    crop_h, crop_w = round(height * scale), round(width * scale)
    top, left = (image.shape[0] - crop_h) // 2, (image.shape[1] - crop_w) // 2
    crop = image[top:top + crop_h, left:left + crop_w]
    return cv2.resize(crop, (width, height), interpolation=cv2.INTER_CUBIC)


def rainy_frames(photo, count, name):
    """``count`` frames of ``photo`` under steady rain, new drops in each."""
    rain = SynthesizeRain(**STEADY_RAIN)
    return [rain(dict(gt=photo, gt_path=f'{name}#frame{index}'))['img']
            for index in range(count)]


def frame_changes(frames, rainy):
    """In 8-bit levels, averaged over consecutive frames: the mean absolute change of the
    pixels and of the frame mean; over the pixels the ``rainy`` input leaves unchanged (no
    drop there in either frame), the mean absolute change and the absolute mean change (a
    shift of the whole frame, as whole-frame statistics can cause)."""
    stack = np.stack(frames).astype(np.float64)
    steps = np.diff(stack, axis=0)
    still = np.all(np.diff(np.stack(rainy).astype(np.int16), axis=0) == 0, axis=-1)
    still_steps = [step[mask] for step, mask in zip(steps, still)]
    return dict(change=np.abs(steps).mean(),
                brightness_change=np.abs(steps.mean(axis=(1, 2, 3))).mean(),
                still_change=np.mean([np.abs(step).mean() for step in still_steps]),
                still_shift=np.mean([abs(step.mean()) for step in still_steps]),
                still_share=still.mean())


def steadiness_row(label, frames, rainy, photo):
    changes = frame_changes(frames, rainy)
    scores = [psnr(frame, photo, convert_to='Y') for frame in frames]
    row = dict(frames=label, **{key: round(float(value), 3) for key, value in changes.items()})
    return dict(row, psnr_y=round(float(np.mean(scores)), 2),
                psnr_y_min=round(float(min(scores)), 2))


def measure_flicker(model, photo, count, folder, name):
    """Rows of :func:`steadiness_row` for the clean, rainy and restored still-scene video."""
    rainy = folder / 'rainy.mkv'
    write_frames(rainy, rainy_frames(photo, count, name), crf=0)
    restored = folder / 'restored.mkv'
    restore_file(model, rainy, restored, video_crf=0)
    rainy_frames_read = list(read_frames(rainy))
    return [steadiness_row('clean (the photograph, every frame)', [photo] * count,
                           rainy_frames_read, photo),
            steadiness_row('rainy input', rainy_frames_read, rainy_frames_read, photo),
            steadiness_row('restored, frame by frame', list(read_frames(restored)),
                           rainy_frames_read, photo)]


def restore_in_windows(model, frames, window, pad=32):
    """Restore ``frames`` in consecutive groups of ``window``, each group as one image of its
    frames side by side (padded by ``pad`` reflected pixels), so that whole-frame statistics
    are shared within the group."""
    restored = []
    for first in range(0, len(frames), window):
        padded = [np.pad(frame, ((0, 0), (pad, pad), (0, 0)), mode='reflect')
                  for frame in frames[first:first + window]]
        width = padded[0].shape[1]
        side_by_side = restore_image(model, np.concatenate(padded, axis=1))
        restored += [side_by_side[:, index * width + pad:(index + 1) * width - pad]
                     for index in range(len(padded))]
    return restored


def measure_shared_statistics(model, folder, photo, windows):
    """Rows of :func:`steadiness_row` for the still video restored in shared windows."""
    rainy = list(read_frames(folder / 'rainy.mkv'))
    return [steadiness_row(f'restored, statistics shared over {window} frame'
                           f'{"s" if window > 1 else ""} (padded)',
                           restore_in_windows(model, rainy, window), rainy, photo)
            for window in windows]


def measure_speed(model, photo, size, count, folder, name):
    """Seconds per frame of the video path and of restoring the frames as PNG images."""
    frames = rainy_frames(fit(photo, size), count + 1, name)
    restore_file(model, write_png(folder / 'warmup.png', frames[0]), folder / 'warm' / 'w.png')
    video = folder / 'speed.mp4'
    write_frames(video, frames[1:], crf=DEFAULT_CRF)
    images = [write_png(folder / 'frames' / f'{index:03d}.png', frame)
              for index, frame in enumerate(frames[1:])]
    video_wall, video_cpu = timed(restore_file, model, video, folder / 'out' / 'speed.mp4',
                                  video_crf=DEFAULT_CRF)
    plan = [(path, folder / 'out' / path.name) for path in images]
    image_wall, image_cpu = timed(restore_files, model, plan, progress=False)
    return dict(size=f'{size[1]}x{size[0]}', frames=count,
                video_wall_s=round(video_wall / count, 2),
                images_wall_s=round(image_wall / count, 2),
                video_cpu_s=round(video_cpu / count, 2), images_cpu_s=round(image_cpu / count, 2),
                video_fps_cpu=round(count / video_cpu, 3),
                images_fps_cpu=round(count / image_cpu, 3))


def timed(function, *args, **kwargs):
    """Wall-clock and CPU seconds (all threads of this process) of one call; a failed restore
    raises."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    if getattr(result, 'failed', None):
        raise RuntimeError(result.summary())
    return time.perf_counter() - wall, time.process_time() - cpu


def write_png(path, image):
    write_image(path, image)
    return path


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--photo', type=Path, help='a clean photograph (default: the first '
                        'of ../shared/data/clean)')
    parser.add_argument('--frames', type=int, default=24, help='frames of the still video')
    parser.add_argument('--model', default='derain', help='shipped model (default: derain)')
    parser.add_argument('--config', help='an MMagic config instead of --model')
    parser.add_argument('--checkpoint', help='its checkpoint')
    parser.add_argument('--speed-size', default='1280x720', help='WIDTHxHEIGHT of the timing')
    parser.add_argument('--speed-frames', type=int, default=3,
                        help='frames timed each way (0: no timing)')
    parser.add_argument('--shared-windows', type=int, nargs='*', default=[], metavar='N',
                        help='also restore with statistics shared over windows of N frames')
    parser.add_argument('--out-dir', type=Path, help='keep the videos and a JSON report here')
    args = parser.parse_args(argv)
    if args.photo is None:
        photos = sorted((ROOT.parent / 'shared/data/clean').glob('*.png'))
        if not photos:
            parser.error('no photographs in ../shared/data/clean; give --photo')
        args.photo = photos[0]
    if args.frames < 2:
        parser.error(f'--frames must be at least 2, got {args.frames}')
    if args.speed_frames < 0:
        parser.error(f'--speed-frames must be 0 or more, got {args.speed_frames}')
    args.speed_size = parse_size(args.speed_size)
    return args


def main(argv=None):
    args = parse_args(argv)
    photo = even_crop(read_rgb(args.photo))
    if args.config:
        model = init_restorer(args.config, args.checkpoint, device='cpu')
    else:
        model = init_restorer(model=args.model, device='cpu')
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.out_dir or Path(scratch)
        rows = measure_flicker(model, photo, args.frames, folder, args.photo.name)
        rows += measure_shared_statistics(model, folder, photo, args.shared_windows)
        speed = measure_speed(model, read_rgb(args.photo), args.speed_size, args.speed_frames,
                              Path(scratch), args.photo.name) if args.speed_frames else None
    print(f'{args.photo.name}, {photo.shape[1]}x{photo.shape[0]}, {args.frames} frames, '
          f'{torch.get_num_threads()} CPU threads')
    print(markdown_table(['frames', 'change between frames', 'change of the frame mean',
                          'change where the input is still', 'shift where the input is still',
                          'share of still pixels', 'PSNR (Y)', 'lowest PSNR (Y)'],
                         [list(row.values()) for row in rows]))
    if speed:
        print(markdown_table(['size', 'frames', 'video s/frame (wall)', 'images s/frame (wall)',
                              'video CPU s/frame', 'images CPU s/frame',
                              'video frames per CPU s', 'images per CPU s'],
                             [list(speed.values())]))
    if args.out_dir:
        (args.out_dir / 'video_flicker.json').write_text(json.dumps(
            dict(photo=args.photo.name, steadiness=rows, speed=speed), indent=2) + '\n')


if __name__ == '__main__':
    main()
