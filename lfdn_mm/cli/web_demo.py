"""``tools/web_demo.py``: a Gradio page where a person tries the shipped models in a browser.

    python tools/web_demo.py [--device cpu] [--max-memory GB] [--server-name HOST]
                             [--server-port PORT] [--share]

Pick a shipped model, upload an image, and see the input beside the restored image, with the
restored file to download (same format and bit depth as the upload, as ``lfdn-restore``
writes it). Restoring goes through :func:`lfdn_mm.apis.restore_image`: an image whose whole
restoration would need more than the memory budget is restored in exact tiles (the same
result). Files that are not images, damaged images and images of an unsupported pixel layout
get a readable message on the page. Without ``--server-name`` / ``--server-port``, Gradio
reads ``GRADIO_SERVER_NAME`` (default 127.0.0.1) and ``GRADIO_SERVER_PORT`` (default 7860).
"""
import argparse
import functools
import tempfile
import time
from pathlib import Path

import numpy as np

from ..apis.image_files import IMAGE_SUFFIXES, read_image
from ..apis.inference import inference_options, init_restorer, restore_image
from ..apis.memory_budget import default_budget, tile_for_budget
from ..pretrained import PRETRAINED
from ..utils import CheckpointError, write_image

DEMO_EXTRA = 'pip install lfdn-mm[demo]'
#: the API name of the restore button (``gradio_client.Client.predict(..., api_name=...)``)
API_NAME = '/restore'


def import_gradio():
    """Gradio, or ``SystemExit`` naming the extra that installs it."""
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


def how_restored(model, image, budget):
    """Whether ``image`` goes through whole or in tiles, in words."""
    configured = inference_options(model)['tile_size']
    if configured:
        return f"tiles of {configured} px (the model's test_cfg)"
    tile = tile_for_budget(*image.shape[:2], budget)
    if tile is None:
        return 'whole image'
    return f'exact tiles of {tile} px, to stay within {budget / 1e9:.1f} GB of memory'


def output_path(upload, name, out_root):
    """Where the restored copy of ``upload`` goes: a fresh folder under ``out_root``, the
    upload's name with the model's name added, its format (PNG for unknown suffixes)."""
    upload = Path(upload)
    suffix = upload.suffix.lower() if upload.suffix.lower() in IMAGE_SUFFIXES else '.png'
    folder = Path(tempfile.mkdtemp(prefix='restored_', dir=out_root))
    return folder / f'{upload.stem}_{name}{suffix}'


def restore_upload(upload, name, device=None, max_memory=None, out_root=None):
    """Restore the image file ``upload`` with shipped model ``name``.

    Args:
        upload (str | Path): The uploaded file.
        name (str): A key of :data:`lfdn_mm.pretrained.PRETRAINED`.
        device (str, optional): Where the model runs (default: a GPU when available).
        max_memory (int, optional): Memory budget in bytes (default: half of the memory
            available at the time of the request).
        out_root (str | Path, optional): Folder for the restored files (default: the
            system's temporary folder).

    Returns:
        tuple: ``(input preview, restored preview, restored file, status line)``.

    Raises:
        ValueError: No file, an unknown model, or a file that is not a readable 8- or
            16-bit image of 1, 3 or 4 channels (the message names the file by its name).
    """
    if upload is None:
        raise ValueError('upload an image first')
    if name not in PRETRAINED:
        raise ValueError(f'no shipped model {name!r}; shipped: {", ".join(PRETRAINED)}')
    upload = Path(upload)
    try:
        image = read_image(upload)
        model = cached_restorer(name, device)
        budget = default_budget() if max_memory is None else max_memory
        started = time.perf_counter()
        restored = restore_image(model, image, max_memory=budget)
    except (ValueError, TypeError, CheckpointError) as error:
        message = str(error).replace(f'{upload}: ', '')
        raise ValueError(f'{upload.name}: {message}') from error
    seconds = time.perf_counter() - started
    target = output_path(upload, name, out_root)
    write_image(target, restored)
    height, width = image.shape[:2]
    status = (f'{name}: {width}x{height} px, {image.dtype.itemsize * 8}-bit, restored as '
              f'{how_restored(model, image, budget)} in {seconds:.2f} s')
    return preview(image), preview(restored), str(target), status


def upload_path(upload):
    """The path of a ``gr.File`` value (a path, or a file object with ``.name``)."""
    return None if upload is None else getattr(upload, 'name', upload)


def build_app(device=None, max_memory=None, out_root=None):
    """The Gradio page (``gradio.Blocks``), queued so that one image is restored at a time.

    Args:
        device (str, optional): Where the models run (default: a GPU when available).
        max_memory (int, optional): Memory budget in bytes of each restoration (default:
            half of the memory available at the time of each request).
        out_root (str | Path, optional): Folder for the restored files (default: a
            temporary folder removed with the app).
    """
    gr = import_gradio()
    own_folder = None if out_root else tempfile.TemporaryDirectory(prefix='lfdn_web_demo_')
    out_root = out_root or own_folder.name

    def restore(upload, name):
        try:
            return restore_upload(upload_path(upload), name, device, max_memory, out_root)
        except ValueError as error:
            raise gr.Error(str(error)) from error

    names = list(PRETRAINED)
    summaries = '\n'.join(f'- **{name}**: {PRETRAINED[name]["summary"]}' for name in names)
    with gr.Blocks(title='LFDN restoration', analytics_enabled=False) as app:
        gr.Markdown('# LFDN: deraining and deblurring\nPick a model, upload an image (8- or '
                    f'16-bit, gray, RGB or RGBA), press Restore.\n\n{summaries}')
        with gr.Row():
            model = gr.Dropdown(names, value=names[0], label='model')
            upload = gr.File(label='image', file_types=list(IMAGE_SUFFIXES))
        button = gr.Button('Restore', variant='primary')
        with gr.Row():
            before = gr.Image(label='input', interactive=False)
            after = gr.Image(label='restored', interactive=False)
        download = gr.File(label='restored image (download)', interactive=False)
        status = gr.Textbox(label='status', interactive=False)
        button.click(restore, [upload, model], [before, after, download, status],
                     api_name=API_NAME.strip('/'))
    app.output_folder = own_folder  # kept, and so removed, with the app
    return app.queue()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--device', help='cpu, cuda, cuda:1, ... (default: cuda if available)')
    parser.add_argument('--max-memory', type=float, metavar='GB',
                        help='images whose whole restoration would need more memory than this '
                        'are restored in exact tiles (default: half of the memory available '
                        'at each request)')
    parser.add_argument('--server-name',
                        help='address to listen on (default: $GRADIO_SERVER_NAME, else '
                        '127.0.0.1; 0.0.0.0 for every interface)')
    parser.add_argument('--server-port', type=int,
                        help='port (default: $GRADIO_SERVER_PORT, else the first free one '
                        'from 7860)')
    parser.add_argument('--share', action='store_true',
                        help="also publish the page on a temporary public gradio.live link")
    args = parser.parse_args(argv)
    if args.max_memory is not None and args.max_memory <= 0:
        parser.error(f'--max-memory must be a positive number of GB, got {args.max_memory}')
    return args


def main(argv=None):
    args = parse_args(argv)
    max_memory = None if args.max_memory is None else int(args.max_memory * 1e9)
    app = build_app(args.device, max_memory)
    app.launch(server_name=args.server_name, server_port=args.server_port, share=args.share)
