import logging
import struct
from fractions import Fraction

import numpy as np
import pytest

from reelforge.media import encode, encode_mp4_bytes, probe, read_clip, write_mp4
from reelforge.types import Clip, InvalidInputError


def mae(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def top_level_boxes(data: bytes) -> list[str]:
    """Types of the top-level MP4 boxes, in file order."""
    boxes, pos = [], 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
        elif size == 0:
            size = len(data) - pos
        boxes.append(kind.decode("latin-1"))
        pos += size
    return boxes


@pytest.mark.parametrize(("w", "h"), [(64, 36), (36, 64), (48, 48)])
def test_round_trip_keeps_size_and_content(tmp_path, gradient_frames, w, h):
    frames = gradient_frames(6, h, w)
    back = read_clip(write_mp4(Clip(frames, fps=24.0), tmp_path / "a.mp4"))
    assert back.frames.shape == frames.shape
    assert back.fps == 24.0
    assert mae(back.frames, frames) < 3


def test_odd_size_is_padded_by_repeating_the_edge(tmp_path, gradient_frames, caplog):
    frames = gradient_frames(4, 37, 65)
    with caplog.at_level(logging.INFO, logger="reelforge.media"):
        path = write_mp4(Clip(frames, fps=24.0), tmp_path / "odd.mp4")
    assert "66x38" in caplog.text
    back = read_clip(path)
    assert back.frames.shape == (4, 38, 66, 3)
    assert mae(back.frames[:, :37, :65], frames) < 3
    assert mae(back.frames[:, :37, 65], frames[:, :, 64]) < 4  # last column repeated
    assert mae(back.frames[:, 37, :65], frames[:, 36]) < 4  # last row repeated


@pytest.mark.parametrize("fps", [12, 24, 25, 29.97, 30, 30000 / 1001])
def test_frame_rate_and_count_read_back_exactly(tmp_path, gradient_frames, fps):
    path = write_mp4(Clip(gradient_frames(7, 16, 16), fps=fps), tmp_path / "r.mp4")
    info = probe(path)
    assert info["frames"] == 7
    assert Fraction(info["fps"]).limit_denominator(1001) == Fraction(fps).limit_denominator(1001)
    assert info["duration"] == pytest.approx(7 / fps, abs=1e-3)
    assert read_clip(path).num_frames == 7


def test_one_frame_clip(tmp_path, gradient_frames):
    frames = gradient_frames(1, 36, 64)
    back = read_clip(write_mp4(Clip(frames, fps=24.0), tmp_path / "one.mp4"))
    assert back.frames.shape == (1, 36, 64, 3)
    assert mae(back.frames, frames) < 3


@pytest.mark.parametrize("audio", [None, np.zeros((2, 0), np.float32)])
def test_silent_clip_writes_no_audio_stream(tmp_path, clip, audio):
    path = write_mp4(clip.with_(audio=audio), tmp_path / "silent.mp4")
    info = probe(path)
    assert info["has_audio"] is False and info["audio_codec"] is None
    assert read_clip(path).audio is None


def test_moov_comes_before_mdat(tmp_path, clip):
    audio = np.zeros((2, 24_000), np.float32)
    data = write_mp4(clip.with_(audio=audio), tmp_path / "fast.mp4").read_bytes()
    boxes = top_level_boxes(data)
    assert boxes[0] == "ftyp"
    assert boxes.index("moov") < boxes.index("mdat")


def test_stream_codecs_and_pixel_format(tmp_path, clip):
    audio = np.zeros((1, 24_000), np.float32)
    info = probe(write_mp4(clip.with_(audio=audio), tmp_path / "c.mp4"))
    assert (info["video_codec"], info["audio_codec"], info["pix_fmt"]) == ("h264", "aac", "yuv420p")


def test_encode_mp4_bytes_reads_back(clip):
    data = encode_mp4_bytes(clip, crf=23, preset="ultrafast")
    back = read_clip(data)
    assert back.frames.shape == clip.frames.shape
    assert back.metadata["format"] == "mp4"


def test_failed_write_leaves_the_old_file_untouched(tmp_path, clip, monkeypatch):
    target = tmp_path / "keep.mp4"
    target.write_bytes(b"old")

    def broken(*args, **kwargs):
        raise RuntimeError("encoder exploded")

    monkeypatch.setattr(encode, "_video_frame", broken)
    with pytest.raises(RuntimeError):
        write_mp4(clip, target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.mp4"]  # no temp file left


def test_missing_folder_is_reported(tmp_path, clip):
    with pytest.raises(InvalidInputError, match="does not exist"):
        write_mp4(clip, tmp_path / "nope" / "a.mp4")


@pytest.mark.parametrize(
    ("options", "param"), [({"crf": 60}, "crf"), ({"preset": "warp"}, "preset")]
)
def test_bad_options_are_rejected(tmp_path, clip, options, param):
    with pytest.raises(InvalidInputError) as err:
        write_mp4(clip, tmp_path / "a.mp4", **options)
    assert err.value.param == param
    assert not (tmp_path / "a.mp4").exists()


def test_non_finite_audio_is_rejected(tmp_path, clip):
    audio = np.zeros((1, 1000), np.float32)
    audio[0, 10] = np.nan
    with pytest.raises(InvalidInputError, match="NaN"):
        write_mp4(clip.with_(audio=audio), tmp_path / "a.mp4")


def test_not_a_clip_is_rejected(tmp_path):
    with pytest.raises(InvalidInputError, match="Clip"):
        write_mp4(np.zeros((1, 8, 8, 3), np.uint8), tmp_path / "a.mp4")
