"""`reelforge bench watermark`: how the invisible mark survives the attacks of issue 5.

Clips are world renders made the way the native engine makes them (rendered at its
native 128x72, upscaled bicubically to --size), marked with a random 64-bit payload and
delivered as the studio stores them (H.264 CRF 18, x264 preset fast). Each attack starts
from that file; the attacked clip is saved again as H.264 CRF 23 (what a re-upload
does) unless the attack is itself an encode (CRF 28, WebM). Unmarked clips (other
scenes, same delivery) give the false-positive rate. `--size 128x72` measures the
native engine's own frames (what `reelforge generate` writes by default); an attack that
leaves frames under the mark's minimum short side (a 50% resize there) is left out.
"""

from __future__ import annotations

import io
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from reelforge.types import Clip

_out = Console()
_err = Console(stderr=True)
STUDIO_CRF, STUDIO_PRESET = 18, "fast"  # as reelforge.studio.outputs stores a video
REUPLOAD_CRF = 23
FIRST_SEED = 7_000_000  # scenes for the marked clips; unmarked ones follow them
VP9_OPTIONS = {"crf": "32", "b": "0", "deadline": "realtime", "cpu-used": "8"}


# ---------------------------------------------------------------------------
# Clips and attacks
# ---------------------------------------------------------------------------


def world_clip(seed: int, size: tuple[int, int], seconds: float, fps: float) -> Clip:
    """A world scene rendered at the native engine's 128x72 and upscaled as it upscales."""
    from reelforge.engines.frames import resize
    from reelforge.world.clip import render_clip
    from reelforge.world.sampler import sample_scene

    native = render_clip(sample_scene(seed), 128, 72, fps, seconds, audio=False)
    return Clip(resize(native.frames, size), fps)


def h264(clip: Clip, crf: int, preset: str = "fast") -> Clip:
    from reelforge.media import encode_mp4_bytes, read_clip

    return read_clip(encode_mp4_bytes(clip, crf=crf, preset=preset))


def webm(clip: Clip) -> Clip:
    """VP9 in WebM (constant quality 32, libvpx's realtime speed), read back."""
    import av

    from reelforge.media import read_clip
    from reelforge.media.encode import frame_rate, pad_to_even

    frames = pad_to_even(clip.frames)
    buf = io.BytesIO()
    with av.open(buf, "w", format="webm") as out:
        stream = out.add_stream("libvpx-vp9", rate=frame_rate(clip.fps))
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt, stream.options = "yuv420p", VP9_OPTIONS
        for image in frames:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        out.mux(stream.encode(None))
    return read_clip(buf.getvalue())


def resized(clip: Clip, factor: float) -> Clip:
    from reelforge.engines.frames import resize

    w, h = (max(2, round(v * factor / 2) * 2) for v in (clip.width, clip.height))
    return clip.with_(frames=resize(clip.frames, (w, h)))


def cropped(clip: Clip, rng: np.random.Generator, keep: float = 0.9) -> Clip:
    """90% of the width and of the height, at a random place."""
    h, w = round(clip.height * keep), round(clip.width * keep)
    y, x = rng.integers(0, clip.height - h + 1), rng.integers(0, clip.width - w + 1)
    return clip.with_(frames=clip.frames[:, y : y + h, x : x + w])


def trimmed(clip: Clip, rng: np.random.Generator, seconds: float = 2.0) -> Clip:
    """A random `seconds` of the clip."""
    n = min(clip.num_frames, round(seconds * clip.fps))
    start = int(rng.integers(0, clip.num_frames - n + 1))
    return clip.with_(frames=clip.frames[start : start + n])


def overlaid(clip: Clip) -> Clip:
    from reelforge.provenance.visible import visible_watermark

    return visible_watermark(clip)


def attacks(rng: np.random.Generator) -> dict[str, Callable[[Clip], Clip]]:
    def saved(attack: Callable[[Clip], Clip]) -> Callable[[Clip], Clip]:
        return lambda clip: h264(attack(clip), REUPLOAD_CRF)

    return {
        "as delivered": lambda clip: clip,
        "CRF 23": lambda clip: h264(clip, 23),
        "CRF 28": lambda clip: h264(clip, 28),
        "resize 50%": saved(lambda clip: resized(clip, 0.5)),
        "resize 200%": saved(lambda clip: resized(clip, 2.0)),
        "crop 10%": saved(lambda clip: cropped(clip, rng)),
        "WebM VP9": webm,
        "trim 2 s": saved(lambda clip: trimmed(clip, rng)),
        "visible mark": saved(overlaid),
        "all but WebM": lambda clip: h264(
            trimmed(resized(cropped(overlaid(clip), rng), 0.5), rng), 28
        ),
    }


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b) ** 2))
    return 10 * np.log10(255.0**2 / mse) if mse else float("inf")


def _score(detection, payload) -> dict:
    """Bits right of the 64-bit payload (the repaired reading when found, else raw)."""
    from reelforge.provenance.payload import PAYLOAD_BITS, encode

    truth = encode(payload)[:PAYLOAD_BITS]
    read = encode(detection.payload)[:PAYLOAD_BITS] if detection.found else detection.bits
    raw = detection.bits[:PAYLOAD_BITS] == truth
    return {
        "bit_accuracy": float(np.mean(read[:PAYLOAD_BITS] == truth)),
        "raw_bit_accuracy": float(np.mean(raw)),
        "found": bool(detection.found and detection.payload == payload),
        "wrong": bool(detection.found and detection.payload != payload),
        "sync_z": detection.sync_z,
        "confidence": detection.confidence,
    }


def _summary(rows: list[dict]) -> dict:
    return {
        "clips": len(rows),
        "bit_accuracy": float(np.mean([r["bit_accuracy"] for r in rows])),
        "min_bit_accuracy": float(np.min([r["bit_accuracy"] for r in rows])),
        "raw_bit_accuracy": float(np.mean([r["raw_bit_accuracy"] for r in rows])),
        "detected": float(np.mean([r["found"] for r in rows])),
        "wrong_payloads": int(sum(r["wrong"] for r in rows)),
        "mean_confidence": float(np.mean([r["confidence"] for r in rows])),
        "mean_sync_z": float(np.mean([r["sync_z"] for r in rows])),
        "min_sync_z": float(np.min([r["sync_z"] for r in rows])),
    }


def _speed(key: str, seconds: float, fps: float) -> dict:
    """Embed and detect ms per frame on a 1920x1080 clip."""
    from reelforge.provenance.invisible import detect, embed

    clip = world_clip(FIRST_SEED - 1, (1920, 1080), seconds, fps)
    t0 = time.perf_counter()
    marked = embed(clip, 0x0123456789ABCDEF, key)
    t1 = time.perf_counter()
    detect(marked, key)
    t2 = time.perf_counter()
    n = clip.num_frames
    return {"embed_ms_per_1080p_frame": 1000 * (t1 - t0) / n,
            "detect_ms_per_1080p_frame": 1000 * (t2 - t1) / n,
            "detect_s_per_1080p_clip": t2 - t1, "frames": n}  # fmt: skip


def watermark_command(
    clips: int = typer.Option(20, "--clips", min=1, help="Marked clips put through each attack."),
    unmarked: int = typer.Option(200, "--unmarked", min=0, help="Clips for false positives."),
    size: str = typer.Option(
        "640x360",
        "--size",
        help="Clip size (upscaled from 128x72; attacks that leave "
        "frames under the mark's minimum short side are left out).",
    ),
    seconds: float = typer.Option(4.0, "--seconds", help="Clip length."),
    fps: float = typer.Option(12.0, "--fps", help="Frames per second."),
    key: str | None = typer.Option(
        None, "--key", envvar="REELFORGE_WATERMARK_KEY", help="Watermark key (built-in)."
    ),
    out: Path | None = typer.Option(None, "--out", help="Write the full report as JSON."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Bit accuracy and detection rate of the invisible watermark after each attack of
    issue 5, its false-positive rate on unmarked clips, PSNR, and embed/detect speed.

    Example: reelforge bench watermark --clips 20 --unmarked 200 --out runs/watermark.json
    """
    from reelforge.cli.errors import user_errors
    from reelforge.cli.options import parse_size
    from reelforge.provenance.invisible import DEFAULT_KEY, MIN_SIDE, detect, embed
    from reelforge.provenance.payload import Payload

    key = key or DEFAULT_KEY
    t_start = time.perf_counter()
    rng = np.random.default_rng(0)
    with user_errors():
        w, h = parse_size(size)
        plan = attacks(rng)
        per_attack: dict[str, list[dict]] = {name: [] for name in plan}
        psnrs = []
        for i in range(clips):
            clip = world_clip(FIRST_SEED + i, (w, h), seconds, fps)
            payload = Payload(int(rng.integers(2**32)), int(rng.integers(2**32)))
            marked = embed(clip, payload, key)
            psnrs.append(psnr(clip.frames, marked.frames))
            delivered = h264(marked, STUDIO_CRF, STUDIO_PRESET)
            for name, attack in plan.items():
                attacked = attack(delivered)
                if min(attacked.height, attacked.width) >= MIN_SIDE:  # else: too small to read
                    per_attack[name].append(_score(detect(attacked, key), payload))
            _err.print(f"marked clip {i + 1}/{clips}", highlight=False)
        false_hits, z_unmarked = 0, []
        for i in range(unmarked):
            clip = world_clip(FIRST_SEED + clips + i, (w, h), seconds, fps)
            found = detect(h264(clip, STUDIO_CRF, STUDIO_PRESET), key)
            false_hits += found.found
            z_unmarked.append(found.sync_z)
            if (i + 1) % 20 == 0:
                _err.print(f"unmarked clip {i + 1}/{unmarked}", highlight=False)
        speed = _speed(key, seconds, fps)
    report = {
        "meta": {
            "size": size,
            "seconds": seconds,
            "fps": fps,
            "clips": clips,
            "unmarked": unmarked,
            "machine": _machine(),
            "wall_s": time.perf_counter() - t_start,
            "key": "built-in" if key == DEFAULT_KEY else "custom",
        },
        "attacks": {name: _summary(rows) for name, rows in per_attack.items() if rows},
        "false_positives": {
            "clips": unmarked,
            "found": false_hits,
            "rate": false_hits / unmarked if unmarked else None,
            "max_sync_z": max(z_unmarked, default=None),
            "mean_sync_z": float(np.mean(z_unmarked)) if z_unmarked else None,
        },
        "psnr_db": {"mean": float(np.mean(psnrs)), "min": float(np.min(psnrs))},
        "speed": speed,
    }
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2))
    if as_json:
        _out.print_json(json.dumps(report))
        return
    _print(report)


def _print(report: dict) -> None:
    meta = report["meta"]
    table = Table(
        title=f"invisible watermark: {meta['clips']} clips of {meta['size']}, "
        f"{meta['seconds']:g} s at {meta['fps']:g} fps, 64-bit payload"
    )
    cols = ("attack", "bits right", "worst clip", "raw bits", "found", "confidence", "wrong")
    cols += ("pilot z (min)",)
    for col in cols:
        table.add_column(col, justify="right")
    for name, r in report["attacks"].items():
        table.add_row(
            name, f"{100 * r['bit_accuracy']:.2f}%", f"{100 * r['min_bit_accuracy']:.1f}%",
            f"{100 * r['raw_bit_accuracy']:.2f}%", f"{100 * r['detected']:.1f}%",
            f"{r['mean_confidence']:.4f}", str(r["wrong_payloads"]),
            f"{r['mean_sync_z']:.1f} ({r['min_sync_z']:.1f})",
        )  # fmt: skip
    _out.print(table)
    fp, p, s = report["false_positives"], report["psnr_db"], report["speed"]
    if fp["clips"]:
        _out.print(
            f"false positives: {fp['found']} of {fp['clips']} unmarked clips "
            f"({100 * fp['rate']:.2f}%), pilot z max {fp['max_sync_z']:.1f}",
            highlight=False,
        )
    _out.print(f"PSNR marked vs unmarked: {p['mean']:.2f} dB (min {p['min']:.2f})", highlight=False)
    _out.print(
        f"1920x1080: embed {s['embed_ms_per_1080p_frame']:.1f} ms/frame, "
        f"detect {s['detect_ms_per_1080p_frame']:.1f} ms/frame "
        f"({s['detect_s_per_1080p_clip']:.2f} s for {s['frames']} frames)",
        highlight=False,
    )
    _out.print(f"{meta['machine']}, {meta['wall_s']:.0f} s wall", highlight=False)


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
