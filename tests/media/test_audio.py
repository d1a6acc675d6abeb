import numpy as np
import pytest

from reelforge.media import probe, read_clip, write_mp4


def onset(signal: np.ndarray, sample_rate: int) -> float:
    """Seconds to the first sample louder than 0.3."""
    return float(np.argmax(np.abs(signal) > 0.3)) / sample_rate


def rms(signal: np.ndarray) -> float:
    return float(np.sqrt(np.mean(signal.astype(np.float64) ** 2)))


def soundtrack(channels: int, sample_rate: int, seconds: float = 0.6) -> np.ndarray:
    """(C, S): a 2 ms click on silence (0.15 s left, 0.20 s right), then a 440 Hz tone."""
    audio = np.zeros((channels, round(seconds * sample_rate)), np.float32)
    for c, at in zip(range(channels), (0.15, 0.20), strict=False):
        start = round(at * sample_rate)
        audio[c, start : start + round(0.002 * sample_rate)] = 0.9
    t = np.arange(round(0.3 * sample_rate), audio.shape[1]) / sample_rate
    audio[:, round(0.3 * sample_rate) :] = 0.5 * np.sin(2 * np.pi * 440 * t)
    return audio


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("sample_rate", [48_000, 44_100])
def test_audio_round_trip_keeps_length_timing_and_level(tmp_path, clip, channels, sample_rate):
    audio = soundtrack(channels, sample_rate)
    path = write_mp4(clip.with_(audio=audio, sample_rate=sample_rate), tmp_path / "a.mp4")
    assert probe(path)["channels"] == channels
    back = read_clip(path)
    assert back.sample_rate == sample_rate
    assert back.audio.shape[0] == channels
    assert abs(back.audio.shape[1] - audio.shape[1]) <= 0.001 * sample_rate  # no AAC padding
    for c, at in zip(range(channels), (0.15, 0.20), strict=False):
        assert onset(back.audio[c], sample_rate) == pytest.approx(at, abs=0.005)
    tone = slice(round(0.35 * sample_rate), round(0.55 * sample_rate))
    assert rms(back.audio[:, tone]) == pytest.approx(rms(audio[:, tone]), rel=0.1)


def test_sample_rate_aac_cannot_carry_is_resampled_in_time(tmp_path, clip):
    audio = soundtrack(1, 12_345)
    back = read_clip(write_mp4(clip.with_(audio=audio, sample_rate=12_345), tmp_path / "r.mp4"))
    assert back.sample_rate == 48_000
    assert onset(back.audio[0], 48_000) == pytest.approx(0.15, abs=0.005)
    assert back.audio.shape[1] / 48_000 == pytest.approx(0.6, abs=0.005)


def test_max_frames_cuts_audio_to_the_same_duration(tmp_path, clip):
    audio = soundtrack(2, 48_000, seconds=clip.duration)
    back = read_clip(write_mp4(clip.with_(audio=audio), tmp_path / "m.mp4"), max_frames=3)
    assert back.num_frames == 3
    assert back.audio.shape[1] == round(3 / clip.fps * 48_000)


def test_loud_audio_is_clipped_not_wrapped(tmp_path, clip):
    audio = np.full((1, 24_000), 3.0, np.float32)
    back = read_clip(write_mp4(clip.with_(audio=audio), tmp_path / "loud.mp4"))
    middle = back.audio[0, 5000:20000]
    assert middle.mean() > 0.8 and np.abs(middle).max() < 1.3
