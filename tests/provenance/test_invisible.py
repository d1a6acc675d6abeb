"""The invisible watermark: it reads back, survives a re-encode, a resize and a crop, is
carried by the native engine's small frames, stays invisible, is not found where it is
not, and its payload coding catches bad readings. (`reelforge detect`: tests/cli.)"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from reelforge.engines.frames import resize
from reelforge.media import encode_mp4_bytes, read_clip
from reelforge.provenance.invisible import SMALL_STRENGTH, detect, embed
from reelforge.provenance.payload import Payload, decode, encode
from reelforge.types import Clip, InvalidInputError

PAYLOAD = Payload(installation=0x1234ABCD, job=0x0BADF00D)
NATIVE_SIZES = [(128, 72), (72, 128), (96, 96), (112, 64), (64, 112)]


@functools.cache
def native(seed: int, width: int = 128, height: int = 72, frames: int = 24) -> Clip:
    """A world scene rendered at one of the native engine's sizes."""
    from reelforge.world.clip import render_clip
    from reelforge.world.sampler import sample_scene

    clip = render_clip(sample_scene(seed), width, height, 12.0, frames / 12.0, audio=False)
    return Clip(clip.frames, 12.0)


@functools.cache
def world(seed: int, width: int, height: int) -> Clip:
    """A 1 s world scene at 128x72, upscaled as the engine upscales to a delivery size."""
    return Clip(resize(native(seed, frames=12).frames, (width, height)), 12.0)


def studio(clip: Clip) -> Clip:
    """The MP4 the studio and the CLI store (H.264 CRF 18, preset fast), read back."""
    return read_clip(encode_mp4_bytes(clip, crf=18, preset="fast"))


def reencode(clip: Clip, crf: int) -> Clip:
    return read_clip(encode_mp4_bytes(clip, crf=crf, preset="veryfast"))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return 10 * np.log10(255.0**2 / np.mean((a.astype(np.float64) - b) ** 2))


def assert_reads(clip: Clip, payload: Payload = PAYLOAD, key: str | None = None) -> None:
    found = detect(clip) if key is None else detect(clip, key)
    assert found.found, found
    assert found.payload == payload
    assert found.confidence > 0.99


# ---------------------------------------------------------------------------
# Marking and reading at delivery sizes
# ---------------------------------------------------------------------------


def test_round_trip_reads_installation_and_job():
    clip = world(1, 320, 180)
    marked = embed(clip, PAYLOAD)
    assert marked.frames.shape == clip.frames.shape and marked.frames.dtype == np.uint8
    assert not np.array_equal(marked.frames, clip.frames)
    assert marked.metadata["invisible_watermark"] == PAYLOAD.hex()
    assert_reads(marked)
    found = detect(marked)
    assert np.array_equal(found.bits, encode(PAYLOAD))  # every coded bit, unrepaired
    assert found.to_dict()["payload"] == {"installation": "1234abcd", "job": "0badf00d"}


def test_payload_may_be_an_int_or_bytes():
    clip = world(1, 320, 180)
    assert_reads(embed(clip, int(PAYLOAD)))
    assert_reads(embed(clip, int(PAYLOAD).to_bytes(8, "big")))


def test_mark_is_invisible_by_psnr():
    clip = world(2, 640, 360)
    assert psnr(clip.frames, embed(clip, PAYLOAD).frames) >= 40.0


def test_survives_a_reupload_at_h264_crf_23():
    assert_reads(reencode(studio(embed(world(3, 640, 360), PAYLOAD)), 23))


def test_survives_h264_at_crf_28():
    assert_reads(reencode(embed(world(3, 640, 360), PAYLOAD), 28))


def test_survives_a_resize_to_half():
    marked = studio(embed(world(4, 640, 360), PAYLOAD))
    assert_reads(reencode(Clip(resize(marked.frames, (320, 180)), 12.0), 23))


def test_survives_a_ten_percent_crop_off_centre():
    marked = embed(world(5, 640, 360), PAYLOAD).frames
    assert_reads(Clip(marked[:, 30:354, 10:586], 12.0))  # 90% of each side, shifted


# ---------------------------------------------------------------------------
# The native engine's small frames
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", NATIVE_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_native_sizes_carry_a_mark_through_the_studio_encode(size):
    assert_reads(studio(embed(native(1, *size), PAYLOAD)))


def test_a_small_clip_upscaled_200_percent_is_still_read():
    delivered = studio(embed(native(3), PAYLOAD))
    assert_reads(reencode(Clip(resize(delivered.frames, (256, 144)), 12.0), 23))


def test_a_busy_small_picture_gets_a_stronger_mark():
    clip = native(8)  # fine texture everywhere: the plain strength does not read back well
    marked = embed(clip, PAYLOAD)
    assert_reads(studio(marked))
    plain = embed(clip, PAYLOAD, strength=SMALL_STRENGTH)
    assert psnr(clip.frames, marked.frames) < psnr(clip.frames, plain.frames) - 1.0


def test_small_mark_stays_faint():
    clip = native(2)
    assert psnr(clip.frames, embed(clip, PAYLOAD).frames) >= 40.0


@pytest.mark.parametrize("size", [(128, 63), (63, 112)], ids=["128x63", "63x112"])
def test_refuses_frames_too_small_to_carry_it(size):
    clip = Clip(np.zeros((2, size[1], size[0], 3), np.uint8), 12.0)
    with pytest.raises(InvalidInputError, match="at least 64 pixels on the short side"):
        embed(clip, PAYLOAD)
    with pytest.raises(InvalidInputError, match="short side"):
        detect(clip)


# ---------------------------------------------------------------------------
# Not found where it is not
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [6, 7, 8])
def test_unmarked_clip_is_not_found(seed):
    found = detect(world(seed, 320, 180))
    assert not found.found and found.payload is None
    assert found.confidence < 0.9


def test_unmarked_small_clip_is_not_found():
    found = detect(studio(native(6)))
    assert not found.found and found.payload is None


def test_smooth_noise_is_not_found():
    rng = np.random.default_rng(0)
    small = rng.integers(0, 256, (12, 18, 32, 3), dtype=np.uint8)
    assert not detect(Clip(resize(small, (320, 180)), 12.0)).found


def test_another_key_does_not_find_it():
    marked = embed(world(1, 320, 180), PAYLOAD, key="ours")
    assert_reads(marked, key="ours")
    found = detect(marked, key="theirs")
    assert not found.found and found.payload is None
    assert not detect(marked).found  # nor does the built-in key


# ---------------------------------------------------------------------------
# Payload coding
# ---------------------------------------------------------------------------


def test_payload_round_trips_through_int_hex_and_code():
    payload = Payload.from_ids("install-7", "job-123")
    assert Payload.from_int(int(payload)) == payload
    assert Payload.from_ids(7, 123) == Payload(7, 123)  # ints are kept as they are
    soft = 2.0 * encode(payload) - 1.0  # a perfect reading
    assert decode(soft) == (payload, 1)
    assert len(encode(payload)) == 80


def test_a_weak_wrong_bit_is_repaired_and_strong_errors_are_caught():
    soft = 3.0 * (2.0 * encode(PAYLOAD) - 1.0)
    soft[[5, 40]] *= -0.1  # two wrong bits, read weakly
    assert decode(soft)[0] == PAYLOAD
    assert decode(soft, max_flips=0)[0] is None  # the CRC sees the bad word
    strong = 3.0 * (2.0 * encode(PAYLOAD) - 1.0)
    strong[[3, 17, 60]] *= -1.0  # confidently wrong: no repair may pass the CRC
    assert decode(strong)[0] is None


def test_payload_ids_must_fit_in_32_bits():
    with pytest.raises(InvalidInputError):
        Payload(2**32, 0)
