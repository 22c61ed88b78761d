"""``tools/web_demo.py``: a Gradio page where a person tries the shipped models in a browser.

    python tools/web_demo.py [--device cpu] [--max-memory GB] [--max-frames N]
                             [--server-name HOST] [--server-port PORT] [--share]

Pick a shipped model, upload an image or a short video, and see the input beside the restored
result, with the restored file to download (same format, and for images the same bit depth,
as ``lfdn-restore`` writes it). Images go through :func:`lfdn_mm.apis.restore_image`, videos
frame by frame through :func:`lfdn_mm.apis.restore_file`: an image or frame whose whole
restoration would need more than the memory budget is restored in exact tiles (the same
result). Files that are not images or videos, damaged ones and images of an unsupported pixel
layout get a readable message on the page. Without ``--server-name`` / ``--server-port``,
Gradio reads ``GRADIO_SERVER_NAME`` (default 127.0.0.1) and ``GRADIO_SERVER_PORT`` (7860).
"""
import argparse
import functools
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from ..apis.batch_restore import is_out_of_memory, restore_file
from ..apis.image_files import IMAGE_SUFFIXES, read_image
from ..apis.inference import inference_options, init_restorer, restore_image
from ..apis.memory_budget import default_budget, tile_for_budget
from ..apis.video import (VIDEO_SUFFIXES, VideoSupportMissing, expected_frames, is_video_file,
                          open_video)
from ..pretrained import PRETRAINED
from ..utils import CheckpointError, write_image

DEMO_EXTRA = 'pip install lfdn-mm[demo]'
#: the API name of the restore button (``gradio_client.Client.predict(..., api_name=...)``)
API_NAME = '/restore'
#: the longest video restored by default (10 s at 30 frames per second)
MAX_FRAMES = 300


def import_gradio():
    """Gradio, or ``SystemExit`` naming the extra that installs it. Unless
    ``GRADIO_ANALYTICS_ENABLED`` says otherwise, Gradio sends no usage data and fetches no
    messages from its servers."""
    os.environ.setdefault('GRADIO_ANALYTICS_ENABLED', 'False')
    try:
        import gradio
    except ImportError:
        raise SystemExit(f'the web demo needs Gradio: {DEMO_EXTRA}') from None
    return gradio


@functools.cache
def cached_restorer(name, device=None):
    """The shipped model ``name`` on ``device``, loaded once per process."""
    return init_restorer(model=name, device=device)


def preview(image):
    """An 8-bit copy of ``image`` for display in the browser (16-bit images scaled down)."""
    if image.dtype == np.uint16:
        return np.round(image / 257).astype(np.uint8)
    return image


def how_restored(model, height, width, budget):
    """How an image of ``height`` x ``width`` is restored, in words: whole, or in which tiles
    and why."""
    configured = inference_options(model)['tile_size']
    if configured:
        return f"in tiles of {configured} px (the model's test_cfg)"
    tile = tile_for_budget(height, width, budget)
    if tile is None:
        return 'whole'
    return f'in exact tiles of {tile} px, to stay within {budget / 1e9:.2f} GB of memory'


def output_path(upload, name, out_root):
    """Where the restored copy of ``upload`` goes: a fresh folder under ``out_root``, the
    upload's name with the model's name added, its format (PNG for unknown suffixes)."""
    upload = Path(upload)
    suffix = upload.suffix.lower()
    if suffix not in IMAGE_SUFFIXES + VIDEO_SUFFIXES:
        suffix = '.png'
    folder = Path(tempfile.mkdtemp(prefix='restored_', dir=out_root))
    return folder / f'{upload.stem}_{name}{suffix}'


def video_size(path):
    """``(frames announced or 0, height, width)`` of the video ``path``."""
    with open_video(path) as (_, stream):
        return expected_frames(stream), stream.codec_context.height, stream.codec_context.width


def restore_video_upload(model, upload, target, budget, max_frames, on_frame=None):
    """Restore the video ``upload`` into ``target``; returns the status line's details.

    Raises:
        ValueError: The video is longer than ``max_frames`` (nothing is written).
    """
    frames, height, width = video_size(upload)
    if frames > max_frames:
        raise ValueError(f'{frames} frames; this page restores videos of up to {max_frames} '
                         'frames')
    done = []

    def count_frame():
        done.append(1)
        if len(done) > max_frames:
            raise ValueError(f'longer than {max_frames} frames, the most this page restores')
        if on_frame is not None:
            on_frame(len(done), frames)

    restore_file(model, upload, target, max_memory=budget, on_frame=count_frame)
    return (f'{len(done)} frames of {width}x{height} px, each restored '
            f'{how_restored(model, height, width, budget)}')


def restore_upload(upload, name, device=None, max_memory=None, out_root=None,
                   max_frames=MAX_FRAMES, on_frame=None):
    """Restore the image or video file ``upload`` with shipped model ``name``.

    Args:
        upload (str | Path): The uploaded file.
        name (str): A key of :data:`lfdn_mm.pretrained.PRETRAINED`.
        device (str, optional): Where the model runs (default: a GPU when available).
        max_memory (int, optional): Memory budget in bytes of one image or frame (default:
            half of the memory available at the time of the request).
        out_root (str | Path, optional): Folder for the restored files (default: the
            system's temporary folder).
        max_frames (int): The longest video restored, in frames.
        on_frame (callable, optional): ``on_frame(done, announced)`` after each video frame
            (``announced`` is 0 when the video does not say).

    Returns:
        tuple: ``(input preview, restored preview, restored file, status line)``; the
        previews of a video are the uploaded and the restored file.

    Raises:
        ValueError: No file, an unknown model, or a file that is not a readable 8- or
            16-bit image of 1, 3 or 4 channels or a complete video (the message names the
            file by its name; nothing is written).
    """
    if upload is None:
        raise ValueError('upload an image or a video first')
    if name not in PRETRAINED:
        raise ValueError(f'no shipped model {name!r}; shipped: {", ".join(PRETRAINED)}')
    upload = Path(upload)
    target = output_path(upload, name, out_root)
    started = time.perf_counter()
    try:
        before, after, details = restore_into(upload, name, target, device, max_memory,
                                              max_frames, on_frame)
    except BaseException:
        shutil.rmtree(target.parent, ignore_errors=True)  # the fresh folder of this request
        raise
    seconds = time.perf_counter() - started
    return before, after, str(target), f'{name}: {details} in {seconds:.2f} s'


def restore_into(upload, name, target, device, max_memory, max_frames, on_frame):
    """Restore ``upload`` into ``target`` (see :func:`restore_upload`); returns the two
    previews and the status line's details, or a ``ValueError`` naming ``upload``."""
    budget = default_budget() if max_memory is None else max_memory
    try:
        model = cached_restorer(name, device)
        if is_video_file(upload):
            details = restore_video_upload(model, upload, target, budget, max_frames, on_frame)
            return str(upload), str(target), details
        image = read_image(upload)
        restored = restore_image(model, image, max_memory=budget)
        write_image(target, restored)
    except (ValueError, TypeError, CheckpointError, VideoSupportMissing) as error:
        raise ValueError(f'{upload.name}: {without_path(error, upload)}') from error
    except (MemoryError, RuntimeError) as error:
        if not is_out_of_memory(error):
            raise
        raise ValueError(f'{upload.name}: out of memory; start the web demo with a smaller '
                         '--max-memory') from None
    height, width = image.shape[:2]
    details = (f'{width}x{height} px, {image.dtype.itemsize * 8}-bit, restored '
               f'{how_restored(model, height, width, budget)}')
    return preview(image), preview(restored), details


def without_path(error, path):
    """The message of ``error`` without the ``path: `` that the readers put first."""
    return str(error).replace(f'{path}: ', '')


def build_app(device=None, max_memory=None, out_root=None, max_frames=MAX_FRAMES):
    """The Gradio page (``gradio.Blocks``), queued so that one file is restored at a time.

    Its API (``/restore``) takes the file and the model name and returns the input and
    restored images (None for a video, which the page then plays), the restored file and a
    status line.

    Args:
        device (str, optional): Where the models run (default: a GPU when available).
        max_memory (int, optional): Memory budget in bytes of each image or frame (default:
            half of the memory available at the time of each request).
        out_root (str | Path, optional): Folder for the restored files (default: a
            temporary folder removed with the app).
        max_frames (int): The longest video restored, in frames.
    """
    gr = import_gradio()
    own_folder = None if out_root else tempfile.TemporaryDirectory(prefix='lfdn_web_demo_')
    out_root = out_root or own_folder.name

    def restore(upload, name, progress=gr.Progress()):  # noqa: B008 (how Gradio finds it)
        def on_frame(done, announced):
            progress((done, announced or None), desc='restoring', unit='frames')

        try:
            before, after, target, status = restore_upload(
                upload, name, device, max_memory, out_root, max_frames, on_frame)
        except ValueError as error:
            raise gr.Error(str(error)) from error
        if isinstance(before, str):  # a video: shown by play_videos
            return None, None, target, status
        return before, after, target, status

    def show_previews_for(upload):
        video = upload is not None and is_video_file(upload)
        return [gr.update(visible=not video)] * 2 + [gr.update(visible=video)] * 2

    def play_videos(upload, restored):
        if restored is None or not is_video_file(restored):
            return None, None
        return upload, restored

    names = list(PRETRAINED)
    summaries = '\n'.join(f'- **{name}**: {PRETRAINED[name]["summary"]}' for name in names)
    with gr.Blocks(title='LFDN restoration') as app:
        gr.Markdown('# LFDN: deraining and deblurring\nPick a model, upload an image (8- or '
                    f'16-bit, gray, RGB or RGBA) or a video of up to {max_frames} frames, '
                    f'press Restore.\n\n{summaries}')
        with gr.Row():
            model = gr.Dropdown(names, value=names[0], label='model')
            upload = gr.File(label='image or video',
                             file_types=list(IMAGE_SUFFIXES + VIDEO_SUFFIXES))
        button = gr.Button('Restore', variant='primary')
        with gr.Row():
            # previews as PNG: Gradio's default, WebP, would blur the comparison
            before_image = gr.Image(label='input', interactive=False, format='png')
            after_image = gr.Image(label='restored', interactive=False, format='png')
            before_video = gr.Video(label='input', interactive=False, visible=False)
            after_video = gr.Video(label='restored', interactive=False, visible=False)
        download = gr.File(label='restored file (download)', interactive=False)
        status = gr.Textbox(label='status', interactive=False)
        upload.change(show_previews_for, upload,
                      [before_image, after_image, before_video, after_video], queue=False)
        button.click(restore, [upload, model], [before_image, after_image, download, status],
                     api_name=API_NAME.strip('/')).then(
            play_videos, [upload, download], [before_video, after_video], queue=False)
    app.output_folder = own_folder  # kept, and so removed, with the app
    return app.queue()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog='tools/web_demo.py',
        description='Serve a web page (Gradio) where a person picks a shipped model, uploads an '
        'image or a short video and compares it with the restored one, which can be '
        'downloaded.')
    parser.add_argument('--device', help='cpu, cuda, cuda:1, ... (default: cuda if available)')
    parser.add_argument('--max-memory', type=float, metavar='GB',
                        help='images and frames whose whole restoration would need more memory '
                        'than this are restored in exact tiles (default: half of the memory '
                        'available at each request)')
    parser.add_argument('--max-frames', type=int, default=MAX_FRAMES, metavar='N',
                        help=f'longest video restored, in frames (default: {MAX_FRAMES})')
    parser.add_argument('--server-name',
                        help='address to listen on (default: $GRADIO_SERVER_NAME, else '
                        '127.0.0.1; 0.0.0.0 for every interface)')
    parser.add_argument('--server-port', type=int,
                        help='port (default: $GRADIO_SERVER_PORT, else the first free one '
                        'from 7860)')
    parser.add_argument('--share', action='store_true',
                        help='also publish the page on a temporary public gradio.live link')
    args = parser.parse_args(argv)
    if args.max_memory is not None and args.max_memory <= 0:
        parser.error(f'--max-memory must be a positive number of GB, got {args.max_memory}')
    if args.max_frames < 1:
        parser.error(f'--max-frames must be at least 1, got {args.max_frames}')
    return args


def main(argv=None):
    args = parse_args(argv)
    max_memory = None if args.max_memory is None else int(args.max_memory * 1e9)
    app = build_app(args.device, max_memory, max_frames=args.max_frames)
    app.launch(server_name=args.server_name, server_port=args.server_port, share=args.share)
