"""tools/web_demo.py: the Gradio page driven through its HTTP API, as a browser drives it."""
import os
import socket
import subprocess
import sys
import time
import urllib.request

import cv2
import numpy as np
import pytest
from conftest import ROOT

gradio = pytest.importorskip('gradio')
gradio_client = pytest.importorskip('gradio_client')

from lfdn_mm.apis import restore_image  # noqa: E402
from lfdn_mm.apis.image_files import read_image  # noqa: E402
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
    return client.predict(str(path), name, api_name=web_demo.API_NAME)


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
    assert status.startswith(f'{name}: {WIDTH}x{HEIGHT} px, 8-bit, restored as whole image')


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


def test_an_unknown_model_gets_a_readable_message(client, picture):
    with pytest.raises(Exception, match="no shipped model 'dehaze'; shipped: derain"):
        restore(client, picture, 'dehaze')


def test_large_images_take_exact_tiles_within_the_memory_budget(tmp_path):
    path = tmp_path / 'wide.png'
    cv2.imwrite(str(path), rainy_picture(96, 160))
    budget = 96 * 96 * 1000  # bytes: 96x160 px would need 15.4 MB whole, 9.2 MB allowed
    _, _, download, status = web_demo.restore_upload(path, 'derain', 'cpu', budget, tmp_path)
    assert 'exact tiles of 96 px, to stay within 0.0 GB' in status
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


def test_the_tool_serves_on_gradios_standard_address_variables(tmp_path):
    port = free_port()
    env = dict(os.environ, GRADIO_SERVER_NAME='127.0.0.1', GRADIO_SERVER_PORT=str(port),
               GRADIO_ANALYTICS_ENABLED='False')
    server = subprocess.Popen([sys.executable, str(ROOT / 'tools' / 'web_demo.py'),
                               '--device', 'cpu'], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        page = wait_for_page(f'http://127.0.0.1:{port}/', server)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert 'LFDN restoration' in page


def wait_for_page(url, server, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f'the web demo stopped: {server.stderr.read().decode()[-2000:]}')
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.5)
    pytest.fail(f'nothing answered at {url} within {seconds} s')
