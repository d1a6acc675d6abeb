"""The generating edit commands as a user runs them: uploaded MP4s of any size and fps
in, MP4s of the right length out, signed and invisibly marked like `generate`."""

import json

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from reelforge.cli.edit_blend import blend_command
from reelforge.cli.edit_extend import extend_command
from reelforge.cli.edit_loop import loop_command
from reelforge.cli.edit_remix import remix_command
from reelforge.cli.edit_storyboard import storyboard_command
from reelforge.cli.main import app as main_app
from reelforge.engines.frames import resize
from reelforge.engines.native_weights import save_random_weights
from reelforge.media import probe, read_clip, write_mp4
from reelforge.types import Clip
from reelforge.world.clip import render_clip
from reelforge.world.sampler import sample_scene

app = typer.Typer()
for name, command in [("extend", extend_command), ("loop", loop_command),
                      ("blend", blend_command), ("remix", remix_command),
                      ("storyboard", storyboard_command)]:  # fmt: skip
    app.command(name)(command)


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return str(save_random_weights(tmp_path_factory.mktemp("edit-cli-weights")))


@pytest.fixture(scope="module")
def upload(tmp_path_factory):
    """A 4:3 MP4 at 24 fps with sound: not a size or rate the engine makes."""
    world = render_clip(sample_scene(3), 128, 72, 12.0, 1.0)
    frames = resize(np.repeat(world.frames, 2, axis=0), (160, 120))
    clip = Clip(frames, 24.0, world.audio, world.sample_rate)
    return write_mp4(clip, tmp_path_factory.mktemp("uploads") / "upload.mp4")


@pytest.fixture(scope="module")
def other(tmp_path_factory):
    world = render_clip(sample_scene(5), 128, 72, 12.0, 1.0, audio=False)
    return write_mp4(world, tmp_path_factory.mktemp("uploads") / "other.mp4")


def fast(weights):
    return ["--weights", weights, "--steps", "1", "--no-expand"]


def checked(path, frames, size):
    info = probe(path)
    assert (info["width"], info["height"], info["frames"]) == (*size, frames)
    signed = CliRunner().invoke(main_app, ["verify", str(path), "--json"])
    assert signed.exit_code == 0 and '"state": "trusted"' in signed.stdout, signed.output
    marked = CliRunner().invoke(main_app, ["detect", str(path), "--json"])
    assert marked.exit_code == 0 and json.loads(marked.stdout)["payload"], marked.output
    return signed.stdout


def test_extend_forward_keeps_the_upload_and_adds_the_seconds(tmp_path, weights, upload):
    out = tmp_path / "longer.mp4"
    result = invoke("extend", str(upload), "--seconds", "1", "--times", "2",
                    "--prompt", "a red ball rolls on", "--out", str(out), *fast(weights))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"wrote {out} (72 frames, 3.00 s)" in result.stdout
    assert "continuity at each join (change across / within): " in result.stdout
    manifest = checked(out, 72, (160, 120))
    assert "upload.mp4" in manifest
    source, made = read_clip(upload), read_clip(out)
    assert np.abs(made.frames[:24].astype(int) - source.frames).mean() < 3  # codec error only
    assert made.audio.shape[1] == pytest.approx(3 * source.sample_rate, abs=2048)


def test_extend_backward_to_a_total(tmp_path, weights, upload):
    out = tmp_path / "earlier.mp4"
    result = invoke("extend", str(upload), "--seconds", "0.5", "--total", "2", "--backward",
                    "--out", str(out), *fast(weights))  # fmt: skip
    assert result.exit_code == 0, result.output
    checked(out, 48, (160, 120))
    source, made = read_clip(upload), read_clip(out)
    assert np.abs(made.frames[24:].astype(int) - source.frames).mean() < 3


def test_loop_appends_a_bridge(tmp_path, weights, upload):
    out = tmp_path / "loop.mp4"
    result = invoke("loop", str(upload), "--seconds", "0.5", "--out", str(out), *fast(weights))
    assert result.exit_code == 0, result.output
    assert "continuity at each join" in result.stdout
    checked(out, 36, (160, 120))


@pytest.mark.parametrize(("mode", "frames"), [("transition", 60), ("mix", 24)])
def test_blend_two_uploads(tmp_path, weights, upload, other, mode, frames):
    out = tmp_path / f"{mode}.mp4"
    result = invoke("blend", str(upload), str(other), "--mode", mode, "--seconds", "0.5",
                    "--out", str(out), *fast(weights))  # fmt: skip
    assert result.exit_code == 0, result.output
    manifest = checked(out, frames, (160, 120))
    assert "upload.mp4" in manifest and "other.mp4" in manifest


def test_remix_keeps_the_length(tmp_path, weights, upload):
    out = tmp_path / "remix.mp4"
    result = invoke("remix", str(upload), "--prompt", "a blue cube at night",
                    "--strength", "strong", "--out", str(out), *fast(weights))  # fmt: skip
    assert result.exit_code == 0, result.output
    checked(out, 24, (160, 120))


def test_storyboard_makes_the_example_board(tmp_path, weights):
    out = tmp_path / "story.mp4"
    result = invoke("storyboard", "examples/storyboard.toml", "--out", str(out), *fast(weights))
    assert result.exit_code == 0, result.output
    checked(out, 102, (128, 72))  # 8.5 s at 12 fps


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["blend", "{upload}", "{upload}", "--mode", "swirl"], "unknown blend mode"),
        (["remix", "{upload}", "--prompt", "x", "--strength", "wild"], "subtle, mild, strong"),
        (["extend", "{upload}", "--seconds", "0"], "seconds must be positive"),
        (["extend", "{missing}", "--seconds", "1"], "missing.mp4"),
        (["storyboard", "{missing}"], "no storyboard file"),
    ],
)
def test_bad_requests_exit_2_saying_what_to_change(tmp_path, weights, upload, args, says):
    out = tmp_path / "never.mp4"
    paths = {"upload": str(upload), "missing": str(tmp_path / "missing.mp4")}
    result = invoke(*[a.format(**paths) for a in args], "--out", str(out), *fast(weights))
    assert result.exit_code == 2, result.output
    assert says in result.stderr
    assert not out.exists()


def test_a_blocked_prompt_exits_3_before_any_work(tmp_path, weights, upload):
    out = tmp_path / "never.mp4"
    result = invoke("remix", str(upload), "--prompt", "two adults having sex in a hotel room",
                    "--out", str(out), *fast(weights))  # fmt: skip
    assert result.exit_code == 3 and not out.exists()


def test_every_command_shows_examples_in_its_help():
    for name in ("extend", "loop", "blend", "remix", "storyboard"):
        result = invoke(name, "--help")
        assert result.exit_code == 0 and f"reelforge {name} " in result.stdout
