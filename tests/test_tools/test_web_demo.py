"""tools/web_demo.py: the Gradio page driven through its HTTP API, as a browser drives it."""
import socket
import sys

import cv2
import numpy as np
import pytest

gradio = pytest.importorskip('gradio')
gradio_client = pytest.importorskip('gradio_client')

from lfdn_mm.apis import restore_image  # noqa: E402
from lfdn_mm.apis.image_files import read_image  # noqa: E402
from lfdn_mm.apis.video import read_frames, write_frames  # noqa: E402
from lfdn_mm.cli import web_demo  # noqa: E402
from lfdn_mm.pretrained import PRETRAINED  # noqa: E402

HEIGHT, WIDTH = 40, 48


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def rainy_picture(height=HEIGHT, width=WIDTH):
    """A smooth colour gradient with bright streaks (BGR, as OpenCV writes it)."""
    y, x = np.mgrid[0:height, 0:width]
    image = np.dstack([x * 4, y * 5, (x + y) * 2]).astype(np.float64) % 200
    image[:, ::7] += 50
    return image.astype(np.uint8)


@pytest.fixture(scope='module')
def client(tmp_path_factory):
    """The page served on a free local port, and a ``gradio_client.Client`` talking to it."""
    app = web_demo.build_app(device='cpu', out_root=tmp_path_factory.mktemp('restored'))
    port = free_port()
    app.launch(server_name='127.0.0.1', server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield gradio_client.Client(f'http://127.0.0.1:{port}/', verbose=False)
    finally:
        app.close()


@pytest.fixture(scope='module')
def picture(tmp_path_factory):
    path = tmp_path_factory.mktemp('upload') / 'street.png'
    cv2.imwrite(str(path), rainy_picture())
    return path


def restore(client, path, name):
    """Upload ``path`` and restore it with ``name``."""
    return client.predict(gradio_client.handle_file(str(path)), name, api_name=web_demo.API_NAME)


@pytest.mark.parametrize('name', sorted(PRETRAINED))
def test_each_shipped_model_restores_an_upload_as_restore_image_does(client, picture, name):
    before, after, download, status = restore(client, picture, name)
    image = read_image(picture)
    expected = restore_image(web_demo.cached_restorer(name, 'cpu'), image)
    restored = read_image(download)
    assert download.endswith(f'street_{name}.png')
    assert restored.shape == (HEIGHT, WIDTH, 3) and restored.dtype == np.uint8
    assert np.array_equal(restored, expected)
    assert np.array_equal(read_image(before)[..., :3], image)
    shown = read_image(after)[..., :3].astype(int)
    assert np.abs(shown - expected).max() <= 1
    assert status.startswith(f'{name}: {WIDTH}x{HEIGHT} px, 8-bit, restored whole in ')


def test_the_two_models_give_different_results(client, picture):
    derain, deblur = (read_image(restore(client, picture, name)[2]) for name in ('derain',
                                                                                 'deblur'))
    assert not np.array_equal(derain, deblur)


def write_bad_files(folder):
    good = cv2.imencode('.png', rainy_picture())[1].tobytes()
    (folder / 'notes.png').write_text('this is not an image\n')
    (folder / 'cut.png').write_bytes(good[:len(good) // 2])
    (folder / 'empty.jpg').write_bytes(b'')
    tifffile = pytest.importorskip('tifffile')
    tifffile.imwrite(folder / 'bands.tiff', np.zeros((HEIGHT, WIDTH, 5), np.uint8),
                     photometric='minisblack', planarconfig='contig')
    return {'notes.png': 'not a readable image', 'cut.png': 'not a readable image',
            'empty.jpg': 'empty file', 'bands.tiff': 'not a readable image'}


def test_wrong_files_get_a_readable_message_naming_the_file(client, tmp_path):
    for name, reason in write_bad_files(tmp_path).items():
        with pytest.raises(Exception) as raised:
            restore(client, tmp_path / name, 'derain')
        message = str(raised.value)
        assert f'{name}: {reason}' in message
        assert 'Traceback' not in message and str(tmp_path) not in message


def test_a_wrong_file_leaves_nothing_behind(tmp_path):
    out_root = tmp_path / 'restored'
    out_root.mkdir()
    (tmp_path / 'notes.png').write_text('this is not an image\n')
    with pytest.raises(ValueError, match='notes.png: not a readable image'):
        web_demo.restore_upload(tmp_path / 'notes.png', 'derain', 'cpu', out_root=out_root)
    assert list(out_root.iterdir()) == []


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b) ** 2)
    return 10 * np.log10(255 ** 2 / mse)


def test_a_short_video_is_restored_frame_by_frame(client, tmp_path):
    frames = [cv2.cvtColor(rainy_picture(), cv2.COLOR_BGR2RGB)[:, shift:shift + 40]
              for shift in (0, 4, 8)]
    write_frames(tmp_path / 'clip.mp4', frames, crf=0)
    before, after, download, status = restore(client, tmp_path / 'clip.mp4', 'derain')
    assert before is None and after is None and download.endswith('clip_derain.mp4')
    assert status.startswith('derain: 3 frames of 40x40 px, each restored whole in ')
    restored = list(read_frames(download))
    model = web_demo.cached_restorer('derain', 'cpu')
    assert len(restored) == 3 and restored[0].shape == (HEIGHT, 40, 3)
    for frame, output in zip(frames, restored):
        assert psnr(output, restore_image(model, frame)) > 35  # H.264 at the default CRF


def test_videos_longer_than_the_limit_and_broken_videos_are_refused(tmp_path):
    out_root = tmp_path / 'restored'
    out_root.mkdir()
    write_frames(tmp_path / 'long.mp4', [rainy_picture()] * 4, crf=0)
    with pytest.raises(ValueError, match='long.mp4: 4 frames; this page restores videos of '
                       'up to 3 frames'):
        web_demo.restore_upload(tmp_path / 'long.mp4', 'derain', 'cpu', out_root=out_root,
                                max_frames=3)
    (tmp_path / 'fake.mp4').write_text('not a video\n')
    with pytest.raises(ValueError, match='fake.mp4: not a readable video'):
        web_demo.restore_upload(tmp_path / 'fake.mp4', 'derain', 'cpu', out_root=out_root)
    assert list(out_root.iterdir()) == []


def test_an_unknown_model_gets_a_readable_message(client, picture):
    with pytest.raises(Exception, match=r"dehaze.*derain', 'deblur|no shipped model 'dehaze'; "
                       'shipped: derain, deblur'):
        restore(client, picture, 'dehaze')


def test_large_images_take_exact_tiles_within_the_memory_budget(tmp_path):
    path = tmp_path / 'wide.png'
    cv2.imwrite(str(path), rainy_picture(96, 160))
    budget = 96 * 96 * 1000  # bytes: 96x160 px would need 15.4 MB whole, 9.2 MB allowed
    _, _, download, status = web_demo.restore_upload(path, 'derain', 'cpu', budget, tmp_path)
    assert 'restored in exact tiles of 96 px, to stay within 0.01 GB of memory' in status
    whole = restore_image(web_demo.cached_restorer('derain', 'cpu'), read_image(path),
                          tile_size=0)
    assert np.abs(read_image(download).astype(int) - whole).max() <= 1


def test_a_16_bit_upload_downloads_16_bit_and_shows_8_bit(tmp_path):
    path = tmp_path / 'deep.png'
    cv2.imwrite(str(path), rainy_picture().astype(np.uint16) * 257)
    before, after, download, status = web_demo.restore_upload(path, 'deblur', 'cpu',
                                                              out_root=tmp_path)
    assert read_image(download).dtype == np.uint16 and '16-bit' in status
    assert before.dtype == after.dtype == np.uint8
    assert np.array_equal(before, read_image(path) // 257)


def test_without_gradio_the_message_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, 'gradio', None)
    with pytest.raises(SystemExit, match=r'pip install lfdn-mm\[demo\]'):
        web_demo.import_gradio()


class LaunchRecorder:
    def launch(self, **options):
        self.options = options


def test_without_address_options_gradio_reads_its_environment_variables(monkeypatch):
    """``launch(server_name=None, server_port=None)`` is where Gradio reads
    GRADIO_SERVER_NAME and GRADIO_SERVER_PORT."""
    apps = []

    def build_app(*args, **kwargs):
        apps.append(LaunchRecorder())
        return apps[-1]

    monkeypatch.setattr(web_demo, 'build_app', build_app)
    web_demo.main([])
    web_demo.main(['--server-name', '0.0.0.0', '--server-port', '8080'])
    assert apps[0].options == {'server_name': None, 'server_port': None, 'share': False}
    assert apps[1].options == {'server_name': '0.0.0.0', 'server_port': 8080, 'share': False}


def test_bad_options_are_refused(capsys):
    for argv, message in ((['--max-memory', '0'], '--max-memory must be a positive number'),
                          (['--max-frames', '0'], '--max-frames must be at least 1')):
        with pytest.raises(SystemExit):
            web_demo.parse_args(argv)
        assert message in capsys.readouterr().err
