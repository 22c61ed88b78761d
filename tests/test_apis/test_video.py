"""Videos in ``lfdn-restore``: frames restored as images, timing, audio and rotation kept,
quality by CRF, bad inputs refused with nothing left under the output name."""
import sys
from fractions import Fraction

import cv2
import numpy as np
import pytest
from helpers.tiny_restorer import write_tiny_restorer

from lfdn_mm.apis.batch_restore import restore_file, restore_files
from lfdn_mm.apis.image_files import collect_inputs
from lfdn_mm.apis.inference import init_restorer, restore_image
from lfdn_mm.apis.video import (VideoReadError, VideoSupportMissing, is_complete_video,
                                read_frames, restore_video, write_frames)
from lfdn_mm.cli.restore import main

av = pytest.importorskip('av')

WIDTH, HEIGHT, FRAMES, RATE = 64, 48, 5, Fraction(12)
AUDIO_RATE = 16000


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    config, checkpoint, _ = write_tiny_restorer(tmp_path_factory.mktemp('tiny'))
    return str(config), str(checkpoint)


@pytest.fixture(scope='module')
def restorer(tiny):
    return init_restorer(*tiny, device='cpu')


@pytest.fixture(scope='module')
def derain():
    """The shipped derain model: smooth outputs, as a codec expects (the tiny random one's
    are noise)."""
    return init_restorer(model='derain', device='cpu')


def smooth_frame(index):
    rng = np.random.default_rng(index)
    small = rng.integers(0, 256, (HEIGHT // 16, WIDTH // 16, 3)).astype(np.float32)
    return cv2.resize(small, (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC).clip(0, 255) \
        .round().astype(np.uint8)


def add_audio(container):
    """An audio stream: AAC (PCM in AVI), mono."""
    codec = 'pcm_s16le' if container.format.name == 'avi' else 'aac'
    return container.add_stream(codec, rate=AUDIO_RATE, layout='mono')


def write_tone(container, stream, seconds):
    """A 440 Hz tone of ``seconds`` into the audio ``stream``."""
    sample_format = stream.codec_context.format.name
    tone = np.sin(2 * np.pi * 440 * np.arange(int(AUDIO_RATE * seconds)) / AUDIO_RATE) * 0.3
    samples = (tone * 32767).astype(np.int16) if sample_format.startswith('s16') \
        else tone.astype(np.float32)
    chunk = stream.codec_context.frame_size or 1024
    for start in range(0, len(samples), chunk):
        frame = av.AudioFrame.from_ndarray(samples[None, start:start + chunk],
                                           format=sample_format, layout='mono')
        frame.sample_rate, frame.pts = AUDIO_RATE, start
        frame.time_base = Fraction(1, AUDIO_RATE)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def write_video(path, frames=FRAMES, audio=True, rotation=0):
    """A short H.264 video of smooth frames (with a tone); returns its frames."""
    images = [smooth_frame(index) for index in range(frames)]
    with av.open(str(path), 'w') as container:
        stream = container.add_stream('libx264', rate=RATE, options={'crf': '10'})
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, 'yuv420p'
        if rotation:
            stream.set_display_rotation(rotation)
        sound = add_audio(container) if audio else None
        for image in images:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format='rgb24')))
        container.mux(stream.encode(None))
        if sound is not None:
            write_tone(container, sound, frames / RATE)
    return images


def decode(path):
    """``(RGB frames, their timestamps, video stream rate, audio packet bytes)`` of ``path``."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames, stamps = [], []
        for frame in container.decode(stream):
            frames.append(frame.to_ndarray(format='rgb24'))
            stamps.append(float(frame.pts * frame.time_base))
        rate = stream.average_rate
    with av.open(str(path)) as container:
        audio = [bytes(packet) for packet in container.demux(audio=0) if packet.size] \
            if container.streams.audio else []
    return frames, stamps, rate, audio


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255 ** 2 / max(mse, 1e-10))


def leftovers(folder):
    """Every file in ``folder``, hidden temporary files included."""
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_lossless_video_frames_equal_each_frame_restored_as_an_image(tiny, restorer, tmp_path,
                                                                      capsys):
    source = tmp_path / 'in' / 'clip.mp4'
    source.parent.mkdir()
    write_video(source)
    out = tmp_path / 'out'
    assert main([*tiny, str(source), '-o', str(out), '--device', 'cpu', '--video-crf', '0',
                 '--no-progress']) == 0
    assert 'restoring 1 video' in capsys.readouterr().out
    assert leftovers(out) == ['clip.mp4']
    inputs, in_stamps, in_rate, in_audio = decode(source)
    outputs, out_stamps, out_rate, out_audio = decode(out / 'clip.mp4')
    assert len(outputs) == FRAMES and outputs[0].shape == (HEIGHT, WIDTH, 3)
    assert out_rate == RATE and out_stamps == in_stamps
    assert out_audio and out_audio == in_audio  # the AAC packets, copied unchanged
    for index, (frame, restored) in enumerate(zip(inputs, outputs)):
        expected = restore_image(restorer, frame)
        assert np.array_equal(restored, expected), f'frame {index}'
        assert not np.array_equal(restored, frame)


@pytest.mark.parametrize('suffix', ['.mkv', '.webm'])
def test_default_quality_is_within_codec_loss_of_the_restored_frames(derain, tmp_path, suffix):
    source = tmp_path / 'clip.mp4'
    write_video(source, audio=False)
    target = tmp_path / 'out' / f'clip{suffix}'
    restore_file(derain, source, target)
    inputs, _, _, _ = decode(source)
    outputs, _, rate, _ = decode(target)
    assert len(outputs) == FRAMES and rate == RATE
    for frame, restored in zip(inputs, outputs):
        assert psnr(restored, restore_image(derain, frame)) > 35


def test_progress_bar_counts_frames_and_images(restorer, tmp_path, capsys):
    source = tmp_path / 'in' / 'clip.avi'
    source.parent.mkdir()
    write_video(source)
    cv2.imwrite(str(tmp_path / 'in' / 'still.png'), smooth_frame(9))
    inputs, skipped = collect_inputs([tmp_path / 'in'])
    assert [path.name for path in inputs] == ['clip.avi', 'still.png'] and not skipped
    plan = [(path, tmp_path / 'out' / path.name) for path in inputs]
    report = restore_files(restorer, plan, progress=True)
    assert not report.failed and len(report.restored) == 2
    assert f'{FRAMES + 1}/{FRAMES + 1}' in capsys.readouterr().err
    assert 'restored 2 of 2 files' in report.summary()
    assert len(decode(tmp_path / 'out' / 'clip.avi')[0]) == FRAMES


def test_frames_are_restored_upright_and_keep_their_display_rotation(tmp_path):
    source = tmp_path / 'portrait.mp4'
    write_video(source, frames=2, audio=False, rotation=90)
    shapes = []

    def record(frame):
        shapes.append(frame.shape)
        return frame

    restore_video(source, tmp_path / 'out.mp4', record)
    assert shapes == [(WIDTH, HEIGHT, 3)] * 2
    with av.open(str(tmp_path / 'out.mp4')) as container:
        frame = next(container.decode(video=0))
    assert (frame.width, frame.height, frame.rotation) == (WIDTH, HEIGHT, 90)


def truncated_mkv(folder):
    complete = folder / 'complete.mkv'
    write_video(complete, frames=8)
    data = complete.read_bytes()
    (folder / 'in').mkdir()
    (folder / 'in' / 'clip.mkv').write_bytes(data[:int(len(data) * 0.6)])
    return folder / 'in' / 'clip.mkv'


def truncated_mp4(folder):
    complete = folder / 'complete.mp4'
    write_video(complete, frames=8)
    (folder / 'in').mkdir()
    (folder / 'in' / 'clip.mp4').write_bytes(complete.read_bytes()[:2000])
    return folder / 'in' / 'clip.mp4'


def not_a_video(folder):
    (folder / 'in').mkdir()
    path = folder / 'in' / 'clip.mp4'
    path.write_text('these are notes, not a video\n' * 40)
    return path


def unknown_codec(folder):
    complete = folder / 'complete.mkv'
    write_video(complete, frames=3)
    (folder / 'in').mkdir()
    path = folder / 'in' / 'clip.mkv'
    path.write_bytes(complete.read_bytes().replace(b'V_MPEG4/ISO/AVC', b'V_LFDNX/ISO/XYZ'))
    return path


@pytest.mark.parametrize('make, message', [
    (truncated_mkv, ' of 8 frames could be decoded'),
    (truncated_mp4, 'not a readable video (truncated, damaged or not a video'),
    (not_a_video, 'not a readable video (truncated, damaged or not a video'),
    (unknown_codec, 'unsupported video codec'),
])
def test_bad_videos_are_refused_by_name_and_leave_no_output(tiny, tmp_path, capsys, make,
                                                            message):
    source = make(tmp_path)
    out = tmp_path / 'out'
    assert main([*tiny, str(source), '-o', str(out), '--device', 'cpu', '--no-progress']) == 1
    printed = capsys.readouterr().out
    assert f'failed: {source}: ' in printed and message in printed, printed
    assert 'restored 0 of 1 files' in printed
    assert leftovers(out) == []
    assert not is_complete_video(source)


def test_an_interrupt_leaves_nothing_under_the_output_name(tmp_path):
    source = tmp_path / 'clip.mp4'
    write_video(source)
    calls = []

    def interrupted(frame):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return frame

    with pytest.raises(KeyboardInterrupt):
        restore_video(source, tmp_path / 'out' / 'clip.mp4', interrupted)
    assert leftovers(tmp_path / 'out') == []


def test_skip_existing_leaves_a_finished_video(restorer, tmp_path):
    source = tmp_path / 'in' / 'clip.mp4'
    source.parent.mkdir()
    write_video(source, frames=2, audio=False)
    target = tmp_path / 'out' / 'clip.mp4'
    restore_files(restorer, [(source, target)], progress=False)
    report = restore_files(restorer, [(source, target)], progress=False, skip_existing=True)
    assert report.existing == [(source, target)] and not report.restored


def test_without_pyav_a_video_names_the_extra(restorer, tmp_path, monkeypatch):
    source = tmp_path / 'clip.mp4'
    write_video(source, frames=1, audio=False)
    monkeypatch.setitem(sys.modules, 'av', None)  # import av raises ImportError
    with pytest.raises(VideoSupportMissing, match=r'pip install lfdn-mm\[video\]'):
        restore_file(restorer, source, tmp_path / 'out' / 'clip.mp4')
    report = restore_files(restorer, [(source, tmp_path / 'out' / 'clip.mp4')], progress=False)
    assert 'pip install lfdn-mm[video]' in report.failed[0][1]
    assert leftovers(tmp_path / 'out') == []


def test_crf_out_of_range_is_refused(restorer, tmp_path, capsys):
    source = tmp_path / 'clip.mp4'
    write_video(source, frames=1, audio=False)
    with pytest.raises(ValueError, match='video CRF must be an integer from 0'):
        restore_video(source, tmp_path / 'out.mp4', lambda frame: frame, crf=52)
    with pytest.raises(SystemExit) as exit_info:
        main(['--model', 'derain', str(source), '-o', str(tmp_path / 'out'), '--video-crf', '60'])
    assert exit_info.value.code == 2 and '--video-crf must be from 0' in capsys.readouterr().err


@pytest.mark.parametrize('suffix', ['.mkv', '.webm'])
def test_lossless_frames_read_back_exactly_at_odd_sizes(tmp_path, suffix):
    frames = [smooth_frame(index)[:47, :63] for index in range(3)]
    assert write_frames(tmp_path / f'clip{suffix}', frames, rate=RATE, crf=0) == 3
    assert all(np.array_equal(read, frame)
               for read, frame in zip(read_frames(tmp_path / f'clip{suffix}'), frames, strict=True))
    with pytest.raises(ValueError, match='no frames to write'):
        write_frames(tmp_path / 'none.mkv', [])
    assert leftovers(tmp_path) == [f'clip{suffix}']


def test_video_read_error_is_a_value_error():
    assert issubclass(VideoReadError, ValueError)
