"""The invisible watermark: 64 bits (installation + job) in the luma of every frame.

`embed(clip, payload, key)` marks a clip; `detect(clip, key)` reads the mark back with a
confidence, or says there is none. The design, and why it survives what it must
(figures: docs/SAFETY.md, `reelforge bench watermark`):

- Where. Luma only (the same offset on R, G and B moves Y and leaves chroma, which 4:2:0
  halves, alone), at low-to-mid spatial frequencies: 10-40 cycles per short side of the
  frame. H.264 and VP9 keep these at CRF 23-28, and they stay far below the Nyquist
  limit after a 50% downscale. Off-the-shelf image marks put their bits in 8x8 DCT
  blocks at high frequencies, exactly what a video codec quantises away.
- What. A periodic tile, half the frame's short side across, tiled over the frame: a sum
  of sinusoids at the integer frequencies 5-20 cycles per tile (502 of them), each with
  a key-derived random phase. 20% of them are a pilot (known to the detector, for
  synchronisation); the others carry the 80 coded bits (64 payload + CRC-16, see
  `payload.py`), each bit on five or six frequencies chosen by the key: spread
  spectrum, a bit is the sign it gives its frequencies.
- Small frames. Under `SMALL_SIDE` (128 px) on the short side, half of it would put the
  top of the band at or past the pixel grid's Nyquist limit, so the tile is the whole
  short side instead (5-20 cycles per short side; at least 64 px, `MIN_SIDE`), at
  `SMALL_STRENGTH`. The detector tries both conventions (`TILE_SHARES`) and reads the
  one whose pilot peaks higher, so a small clip upscaled later is still found.
- Time. The pattern is the same on every frame (only the bits' amplitudes are re-set
  each second, below), so the detector first averages all frames: codec noise, rain,
  snow and moving objects average out, and a clip trimmed to 2 s still has 24 frames.
- Size. The tile is measured in units of the short side, so every resolution, and any
  resize, shows the same pattern; the detector resamples the frame so a tile is 64
  samples (`TILE`).
- Crop. A periodic pattern turns a crop into a cyclic shift of the tile, which one FFT
  cross-correlation with the pilot finds at every offset at once (to a tenth of a
  sample). When the crop shortens the short side the tile grows in its units: the
  detector tries tile sizes from 1.0 to 1.16 times the nominal one (0.5% steps, then
  0.1% around the best), so crops of up to about 14% per side are found.
- The picture is the noise. For a blind detector the picture itself, not the codec, is
  what hides a faint pattern at these frequencies. The detector whitens: it divides each
  frequency by the picture's median power around it. The embedder, which has the
  picture, runs the detector's own front end on each second of frames and sets every
  bit's amplitude so its statistic lands at one common margin whatever the picture adds
  there (informed embedding, as in improved spread spectrum): the same energy buys a
  fixed margin instead of one the picture can cancel. A picture busy enough to bury
  even that (fine texture everywhere) is caught by reading the mark back at once: it is
  made again, `BOOST` times stronger, up to `RETRIES` times (busy pictures also mask a
  stronger mark best).
- Decision. Each convention gives two readings, at its best pilot peak over all shifts
  and sizes and at its best near size 1 (uncropped). From the highest pilot z-score
  down, every reading past `DECODE_MIN` is decoded; the CRC, with a Chase search over
  the 6 weakest bits (64 tries), says whether it is right, and `found` needs it. A
  random reading passes 64 tries with probability 64/65536, at most four readings are
  tried, and unmarked pictures pass the pilot gate about one time in seven, so false
  positives are rare (measured in docs/SAFETY.md). `confidence` is 1 - tries/65536
  when found; when not found it is a pilot score, 0 up to the z-score pictures alone
  reach (`Z_NOISE`), 1 at `SYNC_MIN` (a mark seen whose payload could not be read).
- Strength. 2.0 luma levels RMS: PSNR about 42 dB against the unmarked clip (2.4 and
  about 40.4 dB on small frames), a faint texture that the eye takes for the picture's
  own.

The key seeds which frequencies carry what and their phases. Without it the mark cannot
be read (nor, short of brute force, found); with another key a marked clip reads as
unmarked. `DEFAULT_KEY` lets a fresh install mark and detect; an operator who wants a
mark only they can read sets their own (REELFORGE_WATERMARK_KEY in the CLI).
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter, median_filter
from scipy.special import ndtr

from reelforge.provenance.payload import CODED_BITS, Payload, decode, encode
from reelforge.types import Clip, InvalidInputError

DEFAULT_KEY = "reelforge-invisible-watermark-v1"
TILE = 64  # detector samples per tile side
BAND = (5.0, 20.0)  # cycles per tile (see `tile_size`)
PILOT_SHARE = 0.2  # of the frequencies
STRENGTH = 2.0  # luma levels, RMS: PSNR about 42 dB
SMALL_STRENGTH = 2.4  # on frames under SMALL_SIDE, which have few pixels to spread it over
BOOST, RETRIES = 1.25, 2  # a mark that reads back weakly is made again this much stronger
CHECK_CRF, CHECK_PRESET = 18, "fast"  # small frames are read back through this H.264 encode
SEGMENT_SECONDS = 1.0  # bits' amplitudes are fitted to the picture this often
MIN_SIDE = 64  # pixels, the frame's short side
SMALL_SIDE = 128  # below this short side the tile is all of it, not half: always >= 64 px
TILE_SHARES = (0.5, 1.0)  # the tile conventions, as shares of the short side
AMPLITUDE_RANGE = (0.3, 3.0)  # a bit's amplitude, in units of the plain spread-spectrum one
COARSE_SCALES = np.arange(1.0, 1.16 + 1e-9, 0.005)
FINE_STEP = 0.001
SYNC_MIN = 9.0  # pilot z-score for "a mark is here" (unmarked: 4-7.5; marked: 11-16)
DECODE_MIN = 6.5  # pilot z-score from which the payload is read (the CRC then decides)
Z_NOISE = 6.0  # pilot z-score that a picture alone typically reaches
UPSAMPLE = 4  # pilot correlation grid per tile sample
POWER_WINDOW = 5  # frequencies, each way, for the picture's local power
LIMIT = 3.0  # a frequency counts at most this many deviations
AXIS_GAP = 2  # frequencies with |x| or |y| cycles below this are left out (edges live there)
LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)  # BT.709, as encode.py writes


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


@dataclass
class Detection:
    """What `detect` read. `bits` and `bit_confidence` cover the 80 coded bits (payload
    then CRC) as read, before any Chase repair; `payload` is set only when found."""

    found: bool
    payload: Payload | None
    confidence: float
    sync_z: float
    bits: np.ndarray = field(repr=False)
    bit_confidence: np.ndarray = field(repr=False)
    scale: float = 1.0  # tile size found / nominal: 1/0.9 after a 10% crop of the short side
    shift: tuple[float, float] = (0.0, 0.0)  # (y, x) in tile samples
    frames: int = 0

    @property
    def mark_seen(self) -> bool:
        """The pilot is there, whether or not the payload could be read."""
        return self.sync_z >= SYNC_MIN

    def to_dict(self) -> dict:
        return {
            "found": self.found,
            "mark_seen": self.mark_seen,
            "payload": self.payload.hex() if self.payload else None,
            "confidence": self.confidence,
            "sync_z": round(self.sync_z, 3),
            "mean_bit_confidence": round(float(self.bit_confidence.mean()), 4),
            "scale": round(self.scale, 4),
            "frames": self.frames,
        }


def embed(
    clip: Clip,
    payload: Payload | int | bytes,
    key: str = DEFAULT_KEY,
    *,
    strength: float | None = None,
) -> Clip:
    """A copy of `clip` carrying `payload` (a Payload, a 64-bit int or 8 bytes).

    With no `strength` (luma levels RMS) the mark starts at `STRENGTH` (`SMALL_STRENGTH`
    on frames under `SMALL_SIDE`) and is read back at once: on a picture busy enough to
    hide it (pilot z under `SYNC_MIN`, or the payload unread) it is made again up to
    `RETRIES` times, `BOOST` times stronger each time. A given `strength` is used as is."""
    payload = as_payload(payload)
    _check_clip(clip)
    if strength is not None and not 0 < strength <= 20:
        raise InvalidInputError("strength must be in (0, 20] luma levels", param="strength")
    t, h, w, _ = clip.frames.shape
    mark = _Mark(layout(key), encode(payload), h, w, tile_size(h, w))
    step = max(1, round(clip.fps * SEGMENT_SECONDS))
    starts = range(0, t, step)
    patterns = [mark.pattern(_luma_mean(clip.frames[i : i + step])) for i in starts]  # (h, w)
    metadata = {**clip.metadata, "invisible_watermark": payload.hex()}
    level = strength or (STRENGTH if min(h, w) >= SMALL_SIDE else SMALL_STRENGTH)
    for attempt in range(RETRIES + 1):
        out = np.empty_like(clip.frames)
        for start, pattern in zip(starts, patterns, strict=True):
            delta = np.rint(pattern * level * BOOST**attempt)
            _add_saturating(clip.frames[start : start + step], delta, out[start : start + step])
        marked = clip.with_(frames=out, metadata=metadata)
        if strength is not None or _reads_well(marked, payload, key):
            break
    return marked


def detect(clip: Clip, key: str = DEFAULT_KEY) -> Detection:
    """Look for a mark made with `key`: the payload and a confidence, or found=False."""
    _check_clip(clip)
    return _detect(clip, layout(key), TILE_SHARES, COARSE_SCALES)


def _detect(clip: Clip, lay: Layout, shares, scales: np.ndarray) -> Detection:
    """Per tile convention, two readings: at the best pilot peak over all `scales`, and
    at the best near scale 1 (uncropped, by far the most common case; on a small frame
    the pilot's peak over scale is broad, and picture noise can pull it off by a
    percent, which costs bits). The payload comes from the best one whose CRC passes."""
    image = _reduce(_luma_mean(clip.frames))  # (h', w')
    short = min(clip.height, clip.width) / _reduce_factor(clip.height, clip.width)
    candidates = [scales] if len(scales) == 1 else [scales, scales[:1]]
    readings = sorted(
        (_read(image, short * share, lay, tried) for share in shares for tried in candidates),
        key=lambda reading: reading.z,
        reverse=True,
    )
    tries = 0
    for reading in readings:
        if reading.z < DECODE_MIN:
            break
        payload, count = decode(reading.soft)
        tries += count
        if payload is not None:
            return _detection(reading, payload, 1.0 - tries * 2.0**-16, clip.num_frames)
    best = readings[0]
    seen = float(np.clip((best.z - Z_NOISE) / (SYNC_MIN - Z_NOISE), 0.0, 1.0))
    return _detection(best, None, seen, clip.num_frames)


def tile_size(height: int, width: int) -> float:
    """The tile embed uses, in pixels: half the short side, or all of it on small frames."""
    short = min(height, width)
    return short / 2 if short >= SMALL_SIDE else float(short)


def _reads_well(clip: Clip, payload: Payload, key: str) -> bool:
    """The detector's reading of a just-marked clip, at the tile it was made with. Small
    frames are read after the encode the studio delivers with: there the codec, not the
    picture, is what takes the bits, and encoding them costs little."""
    share = tile_size(clip.height, clip.width) / min(clip.height, clip.width)
    if min(clip.height, clip.width) < SMALL_SIDE:
        from reelforge.media import encode_mp4_bytes, read_clip

        video = Clip(clip.frames, clip.fps)  # the picture only: no time spent on audio
        clip = read_clip(encode_mp4_bytes(video, crf=CHECK_CRF, preset=CHECK_PRESET))
    found = _detect(clip, layout(key), (share,), COARSE_SCALES[:1])
    return found.payload == payload and found.sync_z >= SYNC_MIN


def as_payload(value: Payload | int | bytes) -> Payload:
    if isinstance(value, Payload):
        return value
    if isinstance(value, bytes | bytearray):
        if len(value) != 8:
            raise InvalidInputError("a payload is 8 bytes", param="payload")
        return Payload.from_int(int.from_bytes(value, "big"))
    if isinstance(value, int | np.integer):
        return Payload.from_int(int(value))
    raise InvalidInputError(f"unsupported payload type {type(value).__name__}", param="payload")


# ---------------------------------------------------------------------------
# The key's layout: which frequency carries what, at which phase
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    freqs: np.ndarray  # (n, 2) int: (x cycles, y cycles) per tile, one of each ± pair
    phase: np.ndarray  # (n,) complex, unit
    owner: np.ndarray  # (n,) int: coded bit index, or -1 for the pilot

    @property
    def pilot(self) -> np.ndarray:
        return self.owner < 0


@functools.lru_cache(maxsize=8)
def layout(key: str) -> Layout:
    if not key:
        raise InvalidInputError("the watermark key must not be empty", param="key")
    seed = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    lo, hi = BAND
    top = int(hi)
    freqs = np.array(
        [
            (a, b)
            for b in range(top + 1)
            for a in range(-top, top + 1)
            if b > 0 and lo <= math.hypot(a, b) <= hi and min(abs(a), b) >= AXIS_GAP
        ]
    )
    freqs = freqs[rng.permutation(len(freqs))]
    phase = np.exp(2j * np.pi * rng.random(len(freqs)))
    pilots = round(len(freqs) * PILOT_SHARE)
    owner = np.full(len(freqs), -1)
    owner[pilots:] = np.arange(len(freqs) - pilots) % CODED_BITS
    return Layout(freqs, phase, owner)


# ---------------------------------------------------------------------------
# Embedding
# ---------------------------------------------------------------------------


def _add_saturating(frames: np.ndarray, delta: np.ndarray, out: np.ndarray) -> None:
    """out = clip(frames + delta, 0, 255) on every channel, in uint8 (no int16 copy)."""
    up = np.repeat(np.clip(delta, 0, 255).astype(np.uint8)[:, :, None], 3, axis=2)  # (h, w, 3)
    down = np.repeat(np.clip(-delta, 0, 255).astype(np.uint8)[:, :, None], 3, axis=2)
    ceiling = 255 - up
    for frame, target in zip(frames, out, strict=True):
        np.minimum(frame, ceiling, out=target)
        target += up
        np.maximum(target, down, out=target)
        target -= down


class _Mark:
    """One clip's mark: the basis at its frame size and each coefficient's response."""

    def __init__(self, lay: Layout, coded: np.ndarray, h: int, w: int, tile: float):
        self.lay, self.h, self.w, self.tile = lay, h, w, tile
        self.signs = np.where(lay.pilot, 1.0, 0.0)
        data = ~lay.pilot
        self.signs[data] = 2.0 * coded[lay.owner[data]] - 1.0
        top = int(BAND[1])
        ys, xs = (np.arange(h) + 0.5) / self.tile, (np.arange(w) + 0.5) / self.tile
        self.ey = np.exp(2j * np.pi * np.outer(ys, np.arange(top + 1))).astype(np.complex64)
        self.ex = np.exp(2j * np.pi * np.outer(xs, np.arange(-top, top + 1))).astype(np.complex64)
        self.unit = 1.0 / math.sqrt(2 * len(lay.phase))  # per-coefficient amplitude, RMS 1
        # How the detector's front end sees the plain pattern: gain and phase per frequency.
        plain = self.synthesize(np.ones(len(lay.phase)))
        seen = _front_end(_reduce(plain), self.tile / self._factor())[_index(lay.freqs)]
        self.response = seen / (lay.phase * self.signs * self.unit)  # (n,) complex

    def _factor(self) -> int:
        return _reduce_factor(self.h, self.w)

    def synthesize(self, amplitudes: np.ndarray) -> np.ndarray:
        """The pattern (h, w) float32 with each frequency at amplitude x its sign."""
        top = int(BAND[1])
        coef = np.zeros((top + 1, 2 * top + 1), np.complex64)
        a, b = self.lay.freqs.T
        coef[b, a + top] = self.lay.phase * self.signs * amplitudes * self.unit
        rows = self.ey @ coef  # (h, 2top+1)
        return 2 * (rows.real @ self.ex.real.T - rows.imag @ self.ex.imag.T)  # (h, w) float32

    def pattern(self, host: np.ndarray) -> np.ndarray:
        """The unit-RMS pattern for frames whose mean luma is `host` (h, w)."""
        return self.synthesize(self._amplitudes(host))

    def _amplitudes(self, host: np.ndarray) -> np.ndarray:
        """Per-frequency amplitudes: the pilot at 1, each bit at the level that brings its
        detector z-score to a common margin over what the picture adds (mean square 1)."""
        lay, idx = self.lay, _index(self.lay.freqs)
        host = _front_end(_reduce(host), self.tile / self._factor())
        mark = np.zeros_like(host)
        mark[idx] = self.response * lay.phase * self.signs * self.unit
        # The detector's weights (1/power, limited) as they will be with the plain mark in.
        power = _power(host + mark)
        weight = (_whiten(host + mark, power) / (host + mark + 1e-30))[idx].real  # (n,)
        turn = np.conj(self.response / np.abs(self.response) * lay.phase)
        data = ~lay.pilot
        bits = lay.owner[data]
        host_stat = np.bincount(bits, (host[idx] * turn).real[data] * weight[data], CODED_BITS)
        gain = np.bincount(bits, (np.abs(self.response) * self.unit * weight)[data], CODED_BITS)
        spread = np.sqrt(np.bincount(bits, 0.5 / power[idx][data], CODED_BITS))
        sign = 2.0 * (np.bincount(bits, self.signs[data], CODED_BITS) > 0) - 1.0
        counts = np.bincount(bits, minlength=CODED_BITS)

        def levels(margin: float) -> np.ndarray:  # (80,) amplitude per bit, >= 0
            want = (margin * spread - sign * host_stat) / gain
            return np.clip(want, *AMPLITUDE_RANGE)

        lo, hi = 0.0, 50.0
        for _ in range(40):  # the margin whose energy matches plain spread spectrum
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if np.sum(counts * levels(mid) ** 2) < counts.sum() else (lo, mid)
        amplitudes = np.ones(len(lay.phase))
        amplitudes[data] = levels(lo)[bits]
        return amplitudes


# ---------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------


@dataclass
class _Reading:
    """One tile convention's best pilot peak and the coded bits read there."""

    z: float
    soft: np.ndarray  # (80,) z-scores: positive reads 1
    scale: float
    shift: tuple[float, float]


def _read(image: np.ndarray, nominal: float, lay: Layout, scales: np.ndarray) -> _Reading:
    z, spectrum, power, corr, scale = _search(image, nominal, lay, scales)
    shift = _peak(corr)
    return _Reading(z, _bit_scores(spectrum, power, shift, lay), scale, shift)


def _detection(reading: _Reading, payload: Payload | None, confidence: float, frames: int):
    return Detection(
        found=payload is not None,
        payload=payload,
        confidence=round(confidence, 6),
        sync_z=reading.z,
        bits=(reading.soft > 0).astype(np.uint8),
        bit_confidence=ndtr(np.abs(reading.soft)),
        scale=reading.scale,
        shift=reading.shift,
        frames=frames,
    )


def _sync(image: np.ndarray, tile: float, lay: Layout):
    """(z, spectrum, ring power, pilot correlation over cyclic shifts) for one tile size.

    The correlation is computed on a grid UPSAMPLE times finer than the samples (a
    zero-padded inverse FFT), so a peak between samples is not under-rated."""
    spectrum = _front_end(image, tile)
    power = _power(spectrum)
    freqs = lay.freqs[lay.pilot]
    y, x = _index(freqs)
    n = TILE * UPSAMPLE
    q = np.zeros((n, n), np.complex128)
    white = _whiten(spectrum, power)
    q[freqs[:, 1] % n, freqs[:, 0] % n] = np.conj(white[y, x]) * lay.phase[lay.pilot]
    spread = math.sqrt(np.sum(0.5 / power[y, x]))  # the sum's deviation with no mark
    corr = np.fft.ifft2(q).real * (n * n / spread)  # (n, n): z-score at each shift / UPSAMPLE
    return float(corr.max()), spectrum, power, corr


def _search(image: np.ndarray, nominal: float, lay: Layout, scales: np.ndarray):
    """The tile size (nominal x scale) whose pilot peak is highest: coarse, then fine."""

    def best(scales: np.ndarray):
        return max(((*_sync(image, nominal * s, lay), s) for s in scales), key=lambda c: c[0])

    coarse = best(scales)
    return best(coarse[-1] + FINE_STEP * np.arange(-4, 5))


def _peak(corr: np.ndarray) -> tuple[float, float]:
    """The correlation peak in tile samples, to a fraction (a parabola through 3 points)."""
    n = corr.shape[0]
    dy, dx = np.unravel_index(int(corr.argmax()), corr.shape)
    top = corr[dy, dx]

    def offset(before: float, after: float) -> float:
        den = before - 2 * top + after
        return 0.0 if den >= 0 else float(np.clip(0.5 * (before - after) / den, -0.5, 0.5))

    fy = offset(corr[(dy - 1) % n, dx], corr[(dy + 1) % n, dx])
    fx = offset(corr[dy, (dx - 1) % n], corr[dy, (dx + 1) % n])
    return float(dy + fy) / UPSAMPLE, float(dx + fx) / UPSAMPLE


def _bit_scores(spectrum, power, shift, lay: Layout) -> np.ndarray:
    """(80,) z-score per coded bit: positive reads 1, magnitude is the reliability."""
    idx = _index(lay.freqs)
    a, b = lay.freqs.T
    turn = np.exp(-2j * np.pi * (a * shift[1] + b * shift[0]) / TILE) * np.conj(lay.phase)
    values = (_whiten(spectrum, power)[idx] * turn).real
    data = ~lay.pilot
    bits = lay.owner[data]
    stat = np.bincount(bits, values[data], CODED_BITS)
    spread = np.sqrt(np.bincount(bits, 0.5 / power[idx][data], CODED_BITS))
    return stat / spread


# ---------------------------------------------------------------------------
# The front end both sides share: frame -> tile spectrum
# ---------------------------------------------------------------------------


def _front_end(image: np.ndarray, tile: float) -> np.ndarray:
    """Resample so a tile of `tile` pixels is TILE samples, take out what is slower than
    the band, fold every tile onto one and return its 2-D FFT (TILE, TILE)."""
    h, w = image.shape
    s = TILE / tile
    nw, nh = max(1, int(w * s)), max(1, int(h * s))
    pil = Image.fromarray(np.ascontiguousarray(image, np.float32), "F")
    small = pil.resize((nw, nh), Image.Resampling.BOX, box=(0, 0, nw / s, nh / s))
    r = np.asarray(small, np.float64)
    r = r - gaussian_filter(r, TILE / 16, mode="reflect")
    py, px = -nh % TILE, -nw % TILE
    acc = np.pad(r, ((0, py), (0, px))).reshape(-1, TILE, (nw + px) // TILE, TILE)
    count = np.pad(np.ones_like(r), ((0, py), (0, px))).reshape(acc.shape)
    folded = acc.sum((0, 2)) / np.maximum(count.sum((0, 2)), 1)
    return np.fft.fft2(folded)


def _power(spectrum: np.ndarray) -> np.ndarray:
    """Each frequency's expected power under the picture: the median |S|^2 of its 5 x 5
    neighbourhood (pictures are anisotropic: a horizon puts its energy on one axis)."""
    p = np.abs(spectrum) ** 2
    return median_filter(p, size=POWER_WINDOW, mode="wrap") + 1e-9


def _whiten(spectrum: np.ndarray, power: np.ndarray) -> np.ndarray:
    """S / power, with any frequency far above its neighbours' level limited to LIMIT
    deviations: one strong picture component must not outvote the rest."""
    level = np.abs(spectrum) / np.sqrt(power)
    return spectrum / power * np.minimum(1.0, LIMIT / np.maximum(level, 1e-12))


def _index(freqs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of each (x, y) frequency in a TILE x TILE FFT."""
    return freqs[:, 1] % TILE, freqs[:, 0] % TILE


def _reduce_factor(h: int, w: int) -> int:
    """An integer shrink that leaves at least 2 x TILE pixels per tile (speed only)."""
    return max(1, int(min(h, w) / 2 / (2 * TILE)))


def _reduce(image: np.ndarray) -> np.ndarray:
    k = _reduce_factor(*image.shape)
    if k == 1:
        return image.astype(np.float32)
    h, w = (image.shape[0] // k) * k, (image.shape[1] // k) * k
    return image[:h, :w].reshape(h // k, k, w // k, k).mean((1, 3), dtype=np.float32)


def _luma_mean(frames: np.ndarray) -> np.ndarray:
    """Mean luma (h, w) float32 of uint8 RGB frames (T, h, w, 3)."""
    total = np.zeros(frames.shape[1:], np.float32)
    for frame in frames:
        total += frame
    return (total / len(frames)) @ LUMA


def _check_clip(clip: Clip) -> None:
    if min(clip.height, clip.width) < MIN_SIDE:
        raise InvalidInputError(
            f"the invisible watermark needs frames at least {MIN_SIDE} pixels on the short "
            f"side; got {clip.width}x{clip.height}",
            param="clip",
        )
