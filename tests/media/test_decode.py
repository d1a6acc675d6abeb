import re
from fractions import Fraction

import av
import numpy as np
import pytest
from PIL import Image

from reelforge.media import probe, read_clip, write_mp4
from reelforge.types import Clip, InvalidInputError, MediaError, NotFoundError


def mae(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def write_with_pyav(path, fmt, vcodec, acodec, pix_fmt, frames, fps=24):
    """A video file made by PyAV directly (not write_mp4), with a stereo click at 0.25 s."""
    with av.open(str(path), "w", format=fmt) as out:
        video = out.add_stream(vcodec, rate=fps)
        video.width, video.height, video.pix_fmt = frames.shape[2], frames.shape[1], pix_fmt
        audio = out.add_stream(acodec, rate=48_000)
        audio.layout = "stereo"
        for i, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        sound = np.zeros((2, 24_000), np.float32)
        sound[:, 12_000:12_100] = 0.8
        frame = av.AudioFrame.from_ndarray(sound, format="fltp", layout="stereo")
        frame.sample_rate, frame.pts, frame.time_base = 48_000, 0, Fraction(1, 48_000)
        size = 960 if acodec == "libopus" else 1024
        resampler = av.AudioResampler(
            format="fltp" if acodec == "aac" else "s16",
            layout="stereo",
            rate=48_000,
            frame_size=size,
        )
        for chunk in resampler.resample(frame) + resampler.resample(None):
            out.mux(audio.encode(chunk))
        out.mux(audio.encode(None))
    return path


# ---------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "suffix", "tolerance"), [("PNG", "png", 0), ("JPEG", "jpg", 3)])
def test_still_image_is_a_one_frame_clip(tmp_path, gradient_frames, fmt, suffix, tolerance):
    image = gradient_frames(1, 30, 40)[0]
    path = tmp_path / f"still.{suffix}"
    Image.fromarray(image).save(path, format=fmt, quality=95)
    clip = read_clip(path)
    assert clip.frames.shape == (1, 30, 40, 3)
    assert clip.fps == 1.0
    assert clip.audio is None
    assert mae(clip.frames[0], image) <= tolerance
    assert clip.metadata == {"source": f"still.{suffix}", "format": fmt.lower()}
    assert read_clip(path, fps=8).fps == 8


def test_jpeg_exif_orientation_is_applied(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    Image.new("RGB", (40, 20), (200, 30, 30)).save(tmp_path / "phone.jpg", exif=exif)
    assert read_clip(tmp_path / "phone.jpg").frames.shape == (1, 40, 20, 3)
    assert (probe(tmp_path / "phone.jpg")["width"], probe(tmp_path / "phone.jpg")["height"]) == (
        20,
        40,
    )


def test_animated_gif_keeps_frames_and_timing(tmp_path, colour_clip, colours):
    images = [Image.fromarray(f) for f in colour_clip.frames[:4]]
    images[0].save(
        tmp_path / "anim.gif", save_all=True, append_images=images[1:], duration=50, loop=0
    )
    clip = read_clip(tmp_path / "anim.gif")
    assert clip.frames.shape == (4, 36, 64, 3)
    assert clip.fps == pytest.approx(20.0)
    for frame, colour in zip(clip.frames, colours, strict=False):
        assert mae(frame, np.array(colour)) < 3
    assert read_clip(tmp_path / "anim.gif", max_frames=2).num_frames == 2
    assert probe(tmp_path / "anim.gif")["frames"] == 4


def test_still_gif_is_a_one_frame_clip(tmp_path, colour_clip):
    Image.fromarray(colour_clip.frames[0]).save(tmp_path / "still.gif")
    clip = read_clip(tmp_path / "still.gif")
    assert clip.num_frames == 1 and clip.fps == 1.0


# ---------------------------------------------------------------------------
# Video containers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "vcodec", "acodec", "pix_fmt"),
    [
        ("clip.webm", "webm", "libvpx", "libopus", "yuv420p"),
        ("clip.mov", "mov", "mjpeg", "aac", "yuvj420p"),
    ],
)
def test_webm_and_mov_read_with_audio_in_sync(
    tmp_path, colour_clip, name, fmt, vcodec, acodec, pix_fmt
):
    frames = colour_clip.frames
    path = write_with_pyav(tmp_path / name, fmt, vcodec, acodec, pix_fmt, frames)
    clip = read_clip(path)
    assert clip.frames.shape == frames.shape
    assert clip.fps == 24.0
    assert mae(clip.frames, frames) < 4
    assert clip.sample_rate == 48_000 and clip.audio.shape[0] == 2
    assert np.argmax(np.abs(clip.audio[0]) > 0.3) / 48_000 == pytest.approx(0.25, abs=0.005)
    assert clip.metadata == {"source": name, "format": fmt}


def test_reads_bytes_as_well_as_paths(tmp_path, clip):
    data = write_mp4(clip, tmp_path / "a.mp4").read_bytes()
    back = read_clip(data, max_frames=5)
    assert back.num_frames == 5
    assert back.metadata == {"source": "<bytes>", "format": "mp4"}
    assert probe(data)["frames"] == clip.num_frames


def test_probe_describes_an_mp4(tmp_path, clip):
    audio = np.zeros((2, 24_000), np.float32)
    info = probe(write_mp4(clip.with_(audio=audio, sample_rate=44_100), tmp_path / "p.mp4"))
    assert info["format"] == "mp4"
    assert (info["width"], info["height"], info["frames"], info["fps"]) == (64, 36, 12, 24.0)
    assert info["duration"] == pytest.approx(0.5, abs=1e-3)
    assert (info["has_audio"], info["sample_rate"], info["channels"]) == (True, 44_100, 2)


# ---------------------------------------------------------------------------
# Bad inputs
# ---------------------------------------------------------------------------


def corrupt_inputs(mp4: bytes, png: bytes) -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    return {
        "truncated.mp4": mp4[: len(mp4) // 2],
        "cut_tail.mp4": mp4[:-100],
        "random.mp4": rng.bytes(4000),
        "header_then_noise.mp4": mp4[:64] + rng.bytes(4000),
        "empty.mp4": b"",
        "notes.txt": b"this is not a video\n" * 10,
        "truncated.png": png[: len(png) // 2],
    }


@pytest.mark.parametrize(
    "name",
    [
        "truncated.mp4",
        "cut_tail.mp4",
        "random.mp4",
        "header_then_noise.mp4",
        "empty.mp4",
        "notes.txt",
        "truncated.png",
    ],
)
def test_corrupt_files_raise_media_error_naming_the_file(tmp_path, gradient_frames, name):
    clip = Clip(gradient_frames(12, 36, 64), fps=24.0, audio=np.zeros((1, 24_000), np.float32))
    mp4 = write_mp4(clip, tmp_path / "good.mp4").read_bytes()
    Image.fromarray(gradient_frames(1, 64, 64)[0]).save(tmp_path / "good.png")
    path = tmp_path / name
    path.write_bytes(corrupt_inputs(mp4, (tmp_path / "good.png").read_bytes())[name])
    with pytest.raises(MediaError, match=re.escape(name)):
        read_clip(path)


def test_truncated_webm_raises_media_error(tmp_path, colour_clip):
    data = write_with_pyav(
        tmp_path / "w.webm", "webm", "libvpx", "libopus", "yuv420p", colour_clip.frames
    ).read_bytes()
    (tmp_path / "cut.webm").write_bytes(data[: len(data) // 4])
    with pytest.raises(MediaError, match="truncated"):
        read_clip(tmp_path / "cut.webm")


def test_frames_hidden_by_an_edit_list_are_not_mistaken_for_truncation(tmp_path):
    with av.open(str(tmp_path / "edit.mp4"), "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=24, options={"g": "5", "bf": "0"})
        video.width, video.height, video.pix_fmt = 32, 32, "yuv420p"
        for pts in range(-10, 10):  # the muxer hides pts < 0 behind an edit list
            frame = av.VideoFrame.from_ndarray(np.full((32, 32, 3), 100, np.uint8), format="rgb24")
            frame.pts, frame.time_base = pts, Fraction(1, 24)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
    assert probe(tmp_path / "edit.mp4")["frames"] == 20  # the index lists all of them
    assert read_clip(tmp_path / "edit.mp4").num_frames == 10


def test_corrupt_bytes_raise_media_error():
    with pytest.raises(MediaError, match="bytes"):
        read_clip(b"\x00" * 100)
    with pytest.raises(MediaError, match="empty"):
        read_clip(b"")


def test_audio_only_file_is_not_a_clip(tmp_path):
    with av.open(str(tmp_path / "sound.m4a"), "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=48_000)
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 1024), np.float32), format="fltp", layout="mono"
        )
        frame.sample_rate, frame.pts = 48_000, 0
        out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    with pytest.raises(MediaError, match="no video stream"):
        read_clip(tmp_path / "sound.m4a")


def test_missing_file_raises_not_found(tmp_path):
    with pytest.raises(NotFoundError, match=r"nothing\.mp4"):
        read_clip(tmp_path / "nothing.mp4")
    with pytest.raises(NotFoundError):
        probe(tmp_path / "nothing.mp4")


def test_bad_arguments_are_rejected(tmp_path):
    with pytest.raises(InvalidInputError):
        read_clip(tmp_path, max_frames=0)
    with pytest.raises(InvalidInputError, match="folder"):
        read_clip(tmp_path)
