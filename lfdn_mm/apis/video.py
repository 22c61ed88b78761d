"""Video files for restoring: every frame goes through a frame function (the per-image restore)
and the result is encoded again, frame by frame, with the input's size, frame count, timing and
display rotation; audio streams are copied unchanged (remuxed, not re-encoded).

PyAV (``pip install lfdn-mm[video]``, FFmpeg inside its wheel) is imported only when a video
is read or written. The output codec follows the suffix: H.264 (``libx264``, yuv420p) in
``.mp4 .mov .mkv .avi``, VP9 in ``.webm``; ``crf=0`` is lossless in RGB (``libx264rgb``, VP9
lossless in planar RGB), so the decoded frames equal the restored ones exactly.
"""
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..utils import atomic_path

VIDEO_SUFFIXES = ('.avi', '.mkv', '.mov', '.mp4', '.webm')
#: Constant rate factor of the default encoding: visually lossless H.264.
DEFAULT_CRF = 18
#: The largest CRF that every output codec accepts (H.264: 0-51, VP9: 0-63).
MAX_CRF = 51
VIDEO_EXTRA = 'pip install lfdn-mm[video]'


class VideoReadError(ValueError):
    """An input with a video suffix that is not a complete, decodable video."""


class VideoSupportMissing(RuntimeError):
    """PyAV, which reads and writes videos, is not installed."""


def is_video_file(path):
    """Whether ``path`` has a video suffix (:data:`VIDEO_SUFFIXES`)."""
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def import_av():
    """PyAV, or :class:`VideoSupportMissing` naming the extra that installs it."""
    try:
        import av
    except ImportError:
        raise VideoSupportMissing('reading and writing videos needs PyAV: '
                                  f'{VIDEO_EXTRA}') from None
    return av


def check_crf(crf):
    """Raise ``ValueError`` unless ``crf`` is an integer in [0, :data:`MAX_CRF`]."""
    if isinstance(crf, bool) or not isinstance(crf, int) or not 0 <= crf <= MAX_CRF:
        raise ValueError(f'video CRF must be an integer from 0 (lossless) to {MAX_CRF}, '
                         f'got {crf!r}')


def encoder_settings(suffix, crf, width, height):
    """``(codec, pixel format, options)`` of the output encoder for a container suffix.

    Args:
        crf (int): 0 is lossless in RGB; above, H.264 or VP9 at that constant rate factor.
    """
    lossless = crf == 0
    subsampled = 'yuv420p' if width % 2 == 0 and height % 2 == 0 else 'yuv444p'
    if suffix.lower() == '.webm':
        if lossless:
            return 'libvpx-vp9', 'gbrp', {'lossless': '1', 'row-mt': '1'}
        return 'libvpx-vp9', subsampled, {'crf': str(crf), 'b': '0', 'row-mt': '1'}
    if lossless:
        return 'libx264rgb', 'rgb24', {'crf': '0'}
    return 'libx264', subsampled, {'crf': str(crf)}


@contextmanager
def open_video(path):
    """Open ``path`` with PyAV, yielding ``(container, video stream)``.

    Raises:
        VideoReadError: It is not a video FFmpeg can open, has no video stream, or its codec
            cannot be decoded here.
    """
    av = import_av()
    if Path(path).stat().st_size == 0:
        raise VideoReadError(f'{path}: empty file')
    try:
        container = av.open(str(path))
    except av.FFmpegError as error:
        raise VideoReadError(f'{path}: not a readable video (truncated, damaged or not a '
                             f'video; FFmpeg: {error.strerror})') from None
    try:
        if not container.streams.video:
            raise VideoReadError(f'{path}: holds no video stream')
        stream = container.streams.video[0]
        if stream.codec_context is None:
            raise VideoReadError(f"{path}: unsupported video codec (PyAV's FFmpeg has no "
                                 'decoder for it)')
        yield container, stream
    finally:
        container.close()


def expected_frames(stream):
    """Frames ``stream`` announces: its header's count, else its duration (Matroska: the
    track's ``DURATION`` tag) times its frame rate; 0 when it announces neither."""
    if stream.frames:
        return stream.frames
    rate = stream.average_rate or stream.guessed_rate
    seconds = stream_seconds(stream)
    return round(seconds * rate) if seconds and rate else 0


def stream_seconds(stream):
    """The duration of ``stream`` in seconds from its header or its tags, else None."""
    if stream.duration is not None:
        return float(stream.duration * stream.time_base)
    tag = stream.metadata.get('DURATION', '')  # Matroska: 'HH:MM:SS.nnnnnnnnn'
    try:
        hours, minutes, seconds = tag.split(':')
        return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    except ValueError:
        return None


def count_frames(path):
    """Frames the video ``path`` announces (0 when unknown); no frame is decoded."""
    with open_video(path) as (_, stream):
        return expected_frames(stream)


def is_complete_video(path):
    """Whether ``path`` opens as a video, its first frame decodes and it holds the frames its
    header announces (packets are counted, not decoded)."""
    try:
        errors = (OSError, ValueError, RuntimeError, StopIteration, import_av().FFmpegError)
    except VideoSupportMissing:
        return False
    try:
        with open_video(path) as (container, stream):
            next(container.decode(stream))
            container.seek(0)
            packets = sum(1 for packet in container.demux(stream) if packet.size)
            check_frame_count(path, stream, packets)
    except errors:
        return False
    return True


def upright(frame, rotation):
    """Turn a stored HxWx3 ``frame`` by its display ``rotation`` (degrees counterclockwise)."""
    return np.rot90(frame, rotation // 90) if rotation % 90 == 0 else frame


def stored(frame, rotation):
    """Undo :func:`upright`."""
    return np.rot90(frame, -(rotation // 90)) if rotation % 90 == 0 else frame


class VideoWriter:
    """An output container started at the first frame: the video encoder's size, pixel format
    and display rotation come from that frame; audio packets that arrive before it wait.

    Args:
        path (Path): The file to write; its suffix chooses the container and codec.
        source_stream: The input's video stream (frame rate and time base).
        audio_streams: The input's audio streams, copied into the output as they are.
        crf (int): See :func:`encoder_settings`.
    """

    def __init__(self, path, source_stream, audio_streams, crf):
        self.av = import_av()
        self.path, self.source_stream, self.crf = Path(path), source_stream, crf
        self.audio_streams = list(audio_streams)
        self.container = self.av.open(str(path), 'w')
        self.video = None
        self.audio_for = {}
        self.waiting_packets = []

    def start(self, frame):
        codec, pixel_format, options = encoder_settings(self.path.suffix, self.crf,
                                                        frame.width, frame.height)
        rate = self.source_stream.average_rate or self.source_stream.guessed_rate
        self.video = self.container.add_stream(codec, rate=rate, options=options)
        self.video.width, self.video.height = frame.width, frame.height
        self.video.pix_fmt = pixel_format
        self.video.time_base = self.source_stream.time_base
        self.video.codec_context.time_base = self.source_stream.time_base
        if frame.rotation:
            self.video.set_display_rotation(frame.rotation)
        for stream in self.audio_streams:
            self.audio_for[stream.index] = self.container.add_stream_from_template(stream)
        for packet in self.waiting_packets:
            self.copy_packet(packet)
        self.waiting_packets = []

    def copy_packet(self, packet):
        """Mux an audio packet of the input into the output (after the first frame)."""
        if packet.dts is None:  # the demuxer's empty end-of-stream packet
            return
        if self.video is None:
            self.waiting_packets.append(packet)
            return
        packet.stream = self.audio_for[packet.stream.index]
        self.container.mux(packet)

    def write(self, rgb, source_frame):
        """Encode the HxWx3 uint8 ``rgb`` at the time and rotation of ``source_frame``."""
        if self.video is None:
            self.start(source_frame)
        frame = self.av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format='rgb24')
        frame.pts, frame.time_base = source_frame.pts, source_frame.time_base
        self.container.mux(self.video.encode(frame))

    def close(self):
        """Flush the encoder and write the container's trailer."""
        if self.video is not None:
            self.container.mux(self.video.encode(None))
        self.container.close()

    def abandon(self):
        """Close the container after a failure, without raising (its file is discarded)."""
        try:
            self.container.close()
        except self.av.FFmpegError:
            pass


def decoded_frames(container, stream, writer, path):
    """Yield the decoded video frames of ``stream``, handing audio packets to ``writer``."""
    av = import_av()
    audio = list(container.streams.audio)
    try:
        for packet in container.demux(stream, *audio):
            if packet.stream.type == 'audio':
                writer.copy_packet(packet)
                continue
            yield from packet.decode()
    except av.FFmpegError as error:
        raise VideoReadError(f'{path}: damaged video data (FFmpeg: {error.strerror})') from None


def with_timestamps(frames, stream, by_index=False):
    """Frames with their presentation time; frames without one (and all, with ``by_index``:
    AVI has decoding times only) are timed by their index at the stream's frame rate."""
    rate = stream.average_rate or stream.guessed_rate or Fraction(25)
    for index, frame in enumerate(frames):
        if by_index or frame.pts is None:
            frame.pts = round(index / rate / stream.time_base)
            frame.time_base = stream.time_base
        yield frame


def restore_video(source, target, restore_frame, crf=DEFAULT_CRF, on_frame=None):
    """Restore the video ``source`` into ``target`` frame by frame, with constant memory.

    Each frame is decoded to 8-bit RGB, turned upright by its display rotation, passed to
    ``restore_frame`` and encoded in its stored orientation with the same timestamp; audio
    streams are copied. ``target`` is written under a temporary name and renamed when
    complete: a failure or an interrupt leaves nothing under ``target``.

    Args:
        restore_frame (callable): HxWx3 uint8 RGB array -> array of the same shape and dtype.
        crf (int): 0: lossless RGB; else the constant rate factor of H.264 (VP9 in ``.webm``),
            0-51; default :data:`DEFAULT_CRF`.
        on_frame (callable, optional): Called once after every written frame (progress).

    Returns:
        int: The number of frames written.

    Raises:
        VideoReadError: ``source`` is not a decodable video, or it ends before the frames its
            header announces (truncated).
        VideoSupportMissing: PyAV is not installed.
    """
    check_crf(crf)
    written = 0
    with open_video(source) as (container, stream), atomic_path(target) as tmp:
        writer = VideoWriter(tmp, stream, container.streams.audio, crf)
        try:
            frames = decoded_frames(container, stream, writer, source)
            by_index = container.format.name == 'avi'
            for frame in with_timestamps(frames, stream, by_index):
                rotation = frame.rotation
                image = upright(frame.to_ndarray(format='rgb24'), rotation)
                writer.write(stored(restore_frame(image), rotation), frame)
                written += 1
                if on_frame is not None:
                    on_frame()
            check_frame_count(source, stream, written)
        except BaseException:
            writer.abandon()
            raise
        writer.close()
    return written


def check_frame_count(path, stream, decoded):
    """Raise :class:`VideoReadError` when fewer frames decoded than the header announces."""
    announced = expected_frames(stream)
    if decoded == 0 or decoded < announced - 1:
        raise VideoReadError(f'{path}: truncated or damaged video: {decoded} of '
                             f'{announced or "?"} frames could be decoded')


def read_frames(path):
    """Yield the frames of the video ``path`` as HxWx3 uint8 RGB arrays, as stored."""
    with open_video(path) as (container, stream):
        for frame in container.decode(stream):
            yield frame.to_ndarray(format='rgb24')


def write_frames(path, frames, rate=25, crf=0):
    """Write HxWx3 uint8 RGB ``frames`` as a video at ``rate`` frames per second, atomically.

    Args:
        crf (int): See :func:`encoder_settings`; 0 (default) keeps the frames exactly.

    Returns:
        int: The number of frames written.
    """
    av = import_av()
    check_crf(crf)
    written = 0
    with atomic_path(path) as tmp, av.open(str(tmp), 'w') as container:
        stream = None
        for rgb in frames:
            if stream is None:
                codec, pixel_format, options = encoder_settings(Path(path).suffix, crf,
                                                                rgb.shape[1], rgb.shape[0])
                stream = container.add_stream(codec, rate=Fraction(rate), options=options)
                stream.width, stream.height, stream.pix_fmt = rgb.shape[1], rgb.shape[0], \
                    pixel_format
            container.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format='rgb24')))
            written += 1
        if stream is None:
            raise ValueError(f'{path}: no frames to write')
        container.mux(stream.encode(None))
    return written
