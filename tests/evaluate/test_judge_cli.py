"""`reelforge judge CLIP --prompt TEXT` prints the report as JSON; bad input is one line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from reelforge.cli.main import app
from reelforge.media import write_mp4
from reelforge.world.clip import render_clip
from reelforge.world.scene import Motion, Scene, SceneObject


def test_judge_prints_a_json_report(tmp_path):
    scene = Scene(seed=3, objects=(SceneObject(color="red", motion=Motion(kind="bounce")),))
    path = write_mp4(render_clip(scene, 128, 72, 12.0, 2.0), tmp_path / "clip.mp4")
    result = CliRunner().invoke(app, ["judge", str(path), "--prompt", "a red ball bounces"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["constraints"]["objects"][0]["color"] == "red"
    assert report["metrics"]["presence"] >= 0.9
    assert 0.0 <= report["overall"] <= 1.0


def test_judge_reports_a_missing_file_in_one_line(tmp_path):
    result = CliRunner().invoke(app, ["judge", str(tmp_path / "nope.mp4"), "--prompt", "a ball"])
    assert result.exit_code == 2
    assert "error" in result.output.lower()
