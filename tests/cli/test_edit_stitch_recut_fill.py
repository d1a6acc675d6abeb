"""`reelforge stitch|recut|fill` as a user runs them: on a clip `reelforge generate` made
and on an uploaded MP4 of another size and rate; the MP4s read back, checked for
Content Credentials and the invisible watermark."""

import json
import sys

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from reelforge.cli.edit_fill import fill_command
from reelforge.cli.edit_recut import recut_command
from reelforge.cli.edit_stitch import stitch_command
from reelforge.cli.main import app as main_app
from reelforge.edit.fill import fill_frames
from reelforge.edit.recut import recut
from reelforge.engines.native_weights import save_random_weights
from reelforge.media import probe, read_clip, write_mp4
from reelforge.types import Clip

# cli/main.py registers these commands; here they are mounted on an app of their own
app = typer.Typer()
app.command("stitch")(stitch_command)
app.command("recut")(recut_command)
app.command("fill")(fill_command)


def invoke(*args: str, on=app):
    return CliRunner().invoke(on, [str(a) for a in args])


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    """Random weights: 16:9 at 128x72, 12 fps."""
    return str(save_random_weights(tmp_path_factory.mktemp("edit-weights")))


@pytest.fixture(scope="module")
def generated(tmp_path_factory, weights):
    """2 s from `reelforge generate`: 24 frames of 128x72 at 12 fps."""
    out = tmp_path_factory.mktemp("generated") / "made.mp4"
    result = invoke("generate", "a red ball bounces", "--seconds", "2", "--steps", "1",
                    "--weights", weights, "--out", out, on=main_app)  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def upload(tmp_path_factory):
    """An uploaded 1 s MP4 at 24 fps, 160x120, with a tone: a square crossing it."""
    video = np.full((24, 120, 160, 3), (70, 110, 150), np.uint8)
    for t in range(24):
        video[t, 50:70, 6 * t : 6 * t + 20] = (230, 60, 40)
    tone = np.sin(2 * np.pi * 440 * np.arange(48_000) / 48_000).astype(np.float32)[None] * 0.3
    path = tmp_path_factory.mktemp("upload") / "upload.mp4"
    return write_mp4(Clip(video, 24.0, tone), path)


def signed_and_marked(path) -> None:
    checked = invoke("verify", path, "--json", on=main_app)
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["state"] == "trusted"
    found = invoke("detect", path, "--json", on=main_app)
    assert found.exit_code == 0, found.output


def error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(float) - b).mean())


def close(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal within the error of two H.264 encodes and the invisible watermark: about 6
    grey levels on the noise-like frames of random weights, whose neighbouring frames
    differ by about 20."""
    return error(a, b) < 10


def test_stitch_a_generated_clip_and_an_upload_with_a_dissolve(tmp_path, generated, upload):
    out = tmp_path / "ab.mp4"
    result = invoke("stitch", generated, upload, "--transition", "dissolve", "--duration", "0.5",
                    "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(f"wrote {out}")
    assert "continuity at each join" in result.stdout
    info = probe(out)  # the first clip's size and rate; 24 + 12 - 6 frames
    assert (info["width"], info["height"], info["frames"]) == (128, 72, 30)
    assert info["fps"] == pytest.approx(12.0) and info["has_audio"]
    back, first = read_clip(out), read_clip(generated)
    assert close(back.frames[:18], first.frames[:18])
    signed_and_marked(out)


def test_recut_trims_regenerates_and_extends_a_generated_clip(tmp_path, generated, weights):
    out = tmp_path / "recut.mp4"
    result = invoke("recut", generated, "--start", "0.5", "--end", "1.5", "--regenerate",
                    "1.0:1.25", "--extend-end", "0.5", "--prompt", "a blue ball", "--steps", "1",
                    "--weights", weights, "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert probe(out)["frames"] == 12 + 6
    assert "continuity at each join (change across / within): " in result.stdout
    back, source = read_clip(out), read_clip(generated)
    assert close(back.frames[:6], source.frames[6:12])  # before the regenerated span
    assert close(back.frames[9:12], source.frames[15:18])  # after it
    assert not close(back.frames[6:9], source.frames[12:15])  # made again
    signed_and_marked(out)


def test_recut_of_an_upload_is_frame_exact_with_its_sound(tmp_path, upload):
    out = tmp_path / "trim.mp4"
    result = invoke("recut", upload, "--start", "0.25", "--end", "0.75", "--out", out)
    assert result.exit_code == 0, result.output
    info = probe(out)
    assert (info["width"], info["height"], info["frames"]) == (160, 120, 12)
    assert info["has_audio"] and info["fps"] == pytest.approx(24.0)
    assert close(read_clip(out).frames, read_clip(upload).frames[6:18])


def test_fill_finds_and_replaces_a_black_frame_of_an_upload(tmp_path, upload, weights):
    clip = read_clip(upload)
    clip.frames[9] = 0
    broken = write_mp4(clip, tmp_path / "broken.mp4")
    out = tmp_path / "fixed.mp4"
    result = invoke("fill", broken, "--steps", "1", "--weights", weights, "--out", out)
    assert result.exit_code == 0, result.output
    assert "filled: 9 (black)" in result.stdout
    back = read_clip(out)
    assert back.frames.shape == clip.frames.shape and back.has_audio
    assert back.frames[9].mean() > 12  # no longer black
    kept = [i for i in range(24) if i != 9]
    assert close(back.frames[kept], read_clip(broken).frames[kept])
    signed_and_marked(out)


def test_fill_listed_frames_and_nothing_to_fill(tmp_path, generated, weights):
    out = tmp_path / "filled.mp4"
    result = invoke("fill", generated, "--frames", "10-12", "--steps", "1", "--weights", weights,
                    "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "filled: 10 (given), 11 (given), 12 (given)" in result.stdout
    assert probe(out)["frames"] == 24
    clean = invoke("fill", generated, "--detect", "--weights", weights, "--out", tmp_path / "x.mp4")
    assert clean.exit_code == 0 and "nothing to fill" in clean.stdout
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.parametrize(
    ("args", "operation", "asked"),
    [
        (["recut", "--end", "1.5", "--extend-end", "0.25", "--guidance", "3"], recut,
         (3.0, "", True)),
        (["fill", "--frames", "10", "--negative", "a blurry smear", "--no-expand"], fill_frames,
         (None, "a blurry smear", False)),
    ],
)  # fmt: skip
def test_recut_and_fill_take_the_sampling_options_of_extend(
    tmp_path, generated, weights, monkeypatch, args, operation, asked
):
    given = []

    def recorded(*a, **kw):
        given.append(kw["sampling"])
        return operation(*a, **kw)

    monkeypatch.setattr(sys.modules[operation.__module__], operation.__name__, recorded)
    out = tmp_path / "sampled.mp4"
    command, *options = args
    result = invoke(command, generated, *options, "--prompt", "a red ball", "--steps", "1",
                    "--weights", weights, "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.exists()
    (sampling,) = given
    assert (sampling.guidance, sampling.negative_prompt, sampling.expand is not None) == asked
    assert sampling.steps == 1


@pytest.mark.parametrize("command", ["stitch", "recut", "fill"])
def test_help_shows_examples(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0 and f"Example: reelforge {command}" in result.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["stitch", "{clip}", "{clip}", "--transition", "wipe"], "choose one of cut"),
        (["recut", "{clip}", "--regenerate", "soon"], "START:END"),
        (["recut", "{clip}", "--start", "5"], "outside the clip"),
        (["fill", "{clip}", "--frames", "ten"], "10-12"),
        (["fill", "{clip}", "--frames", "99"], "outside the clip"),
    ],
)
def test_bad_requests_exit_2_saying_what_to_change(tmp_path, upload, weights, args, says):
    args = [str(upload) if a == "{clip}" else a for a in args]
    result = invoke(*args, "--out", tmp_path / "never.mp4")
    assert result.exit_code == 2, result.output
    assert says in " ".join(result.stderr.split())
    assert not (tmp_path / "never.mp4").exists()


def test_the_output_may_not_overwrite_an_input(upload):
    result = invoke("recut", upload, "--end", "0.5", "--out", upload)
    assert result.exit_code == 2 and "one of the inputs" in " ".join(result.stderr.split())
