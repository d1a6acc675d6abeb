"""`reelforge generate` as a user runs it: a real process, tiny random weights, the MP4
read back."""

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from cli_process import run_cli
from reelforge.cli.main import app
from reelforge.engines.native_weights import save_random_weights
from reelforge.media import probe
from reelforge.provenance.identity import (
    default_identity_folder,
    ensure_local_identity,
    installation_id,
)

FACE = Path(__file__).parent.parent / "data" / "astronaut.jpg"


def run(*args: str) -> subprocess.CompletedProcess:
    return run_cli("generate", *args)


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return str(save_random_weights(tmp_path_factory.mktemp("generate-weights")))


def test_generate_writes_the_clip_it_was_asked_for(tmp_path, weights):
    image = tmp_path / "first.png"
    Image.fromarray(np.full((144, 256, 3), (200, 40, 40), np.uint8)).save(image)
    out = tmp_path / "sub" / "clip.mp4"
    proc = run("a red ball bounces left at dusk, purple elephant", "--seconds", "1",
               "--size", "256x144", "--image", str(image), "--seed", "3", "--steps", "2",
               "--weights", weights, "--out", str(out))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == f"wrote {out}"
    assert "expanded: Sunset. A red ball bounces to the left. purple elephant." in lines
    info = probe(out)
    assert (info["width"], info["height"], info["frames"]) == (256, 144, 12)
    assert info["fps"] == pytest.approx(12.0)
    checked = run_cli("verify", str(out), "--json")  # signed by this installation
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert '"state": "trusted"' in checked.stdout and "first.png" in checked.stdout
    # and marked by it: the payload printed is the one `reelforge detect` reads back
    identity = ensure_local_identity(default_identity_folder())
    mark = next(line for line in lines if line.startswith("invisible watermark:"))
    found = run_cli("detect", str(out), "--json")
    assert found.returncode == 0, found.stdout + found.stderr
    payload = json.loads(found.stdout)["payload"]
    assert payload["installation"] == f"{installation_id(identity):08x}"
    assert f"installation {payload['installation']}, run {payload['job']}" in mark


# In-process from here: the same command and exit codes, without a new interpreter each.


def invoke(*args: str):
    return CliRunner().invoke(app, ["generate", *args])


def test_an_image_sets_the_aspect_and_expansion_can_be_off(tmp_path, weights):
    out = tmp_path / "tall.mp4"
    image = tmp_path / "tall.png"
    Image.fromarray(np.full((256, 144, 3), 90, np.uint8)).save(image)
    result = invoke("a red ball", "--seconds", "0.5", "--image", str(image), "--no-expand",
                    "--weights", weights, "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "expanded:" not in result.stdout and result.stdout.strip().endswith(f"wrote {out}")
    info = probe(out)
    assert (info["width"], info["height"], info["frames"]) == (72, 128, 6)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--size", "100x75"], "16:9 at 128x72; 9:16 at 72x128; 1:1 at 64x64"),
        (["--aspect", "4:3"], "supported aspects: 16:9, 9:16, 1:1"),
        (["--size", "wide"], "WIDTHxHEIGHT"),
        (["--size", "128x72", "--aspect", "1:1"], "does not have aspect 1:1"),
        (["--seconds", "3"], "at most 25 frames"),
        (["--seconds", "0"], "must be positive"),
        (["--dtype", "float16"], "dtype must be one of auto, float32, bfloat16"),
    ],
)
def test_unsupported_requests_exit_2_saying_what_is_supported(tmp_path, weights, args, says):
    out = tmp_path / "never.mp4"
    result = invoke("a red ball", *args, "--weights", weights, "--out", str(out))
    assert result.exit_code == 2
    assert says in " ".join(result.stderr.split()), result.stderr
    assert "expanded" not in result.stdout and not out.exists()


def test_dtype_sets_the_engines_compute_dtype(tmp_path, weights, monkeypatch):
    import reelforge.engines as engines

    built = []
    real = engines.get_engine
    monkeypatch.setattr(
        engines, "get_engine", lambda *a, **k: built.append(real(*a, **k)) or built[-1]
    )
    out = tmp_path / "fast.mp4"
    result = invoke("a red ball", "--seconds", "0.5", "--dtype", "bfloat16",
                    "--weights", weights, "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert built[0].dtype == "bfloat16" and probe(out)["frames"] == 6


def test_missing_weights_exit_2_naming_the_folder(tmp_path):
    result = invoke(
        "a red ball", "--weights", str(tmp_path / "none"), "--out", str(tmp_path / "x.mp4")
    )
    assert result.exit_code == 2 and str(tmp_path / "none") in " ".join(result.stderr.split())


def test_judge_scores_the_clip_against_the_prompt(tmp_path, weights):
    out = tmp_path / "judged.mp4"
    result = invoke("a red ball bounces at sunset", "--seconds", "1", "--steps", "1",
                    "--weights", weights, "--out", str(out), "--judge")  # fmt: skip
    assert result.exit_code == 0, result.output
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("judge: ") and "presence" in last and "time_of_day" in last
    overall = last.split()[1]
    assert 0.0 <= float(overall) <= 1.0


def test_a_blocked_prompt_exits_3_before_any_work(tmp_path, weights):
    out = tmp_path / "never.mp4"
    result = invoke("two adults having sex in a hotel room", "--seconds", "1",
                    "--weights", weights, "--out", str(out))  # fmt: skip
    assert result.exit_code == 3, result.output
    assert "moderation" in result.output and "sexual" in result.output
    assert not out.exists()


def test_an_image_with_a_face_needs_consent(tmp_path, weights):
    face = Image.open(FACE).convert("RGB").crop((47, 20, 175, 92)).resize((256, 144))
    image = tmp_path / "face.png"
    face.save(image)
    out = tmp_path / "face.mp4"
    args = ("a person smiles", "--seconds", "0.5", "--image", str(image), "--steps", "1",
            "--weights", weights, "--out", str(out))  # fmt: skip
    refused = invoke(*args)
    assert refused.exit_code == 3 and "consent" in refused.output, refused.output
    assert not out.exists()
    assert invoke(*args, "--consent").exit_code == 0
    assert out.exists()
