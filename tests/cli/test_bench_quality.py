"""`reelforge bench quality`: the model's judge scores between the renderer's ceiling and
a shuffled floor, on tiny random weights."""

import json
from io import BytesIO

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from reelforge.cli.main import app
from reelforge.cli.quality import (
    STRIP_BAND,
    aggregate,
    shuffle_frames,
    stack_strips,
    strip_image,
)
from reelforge.engines.native_weights import save_random_weights
from reelforge.evaluate.report import METRICS
from reelforge.types import Clip


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quality-weights")
    return str(save_random_weights(folder, sizes={"16:9": [[128, 72]], "1:1": [[64, 64]]}))


def invoke(*args: str):
    return CliRunner().invoke(app, ["bench", "quality", *args])


@pytest.fixture(scope="module")
def run(weights, tmp_path_factory):
    out = tmp_path_factory.mktemp("quality")
    result = invoke("--weights", weights, "--prompts", "2", "--seconds", "1", "--steps", "2",
                    "--strips", "1", "--threads", "1", "--json", "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    return out, result


def test_the_report_has_a_row_per_prompt_with_three_scores(run):
    out, result = run
    report = json.loads((out / "report.json").read_text())
    rows = report["rows"]
    assert [r["scene_seed"] for r in rows] == [1_000_000, 1_000_001]
    assert [r["seed"] for r in rows] == [0, 1]
    assert [r["size"] for r in rows] == [[128, 72], [64, 64]]  # the aspects in turn
    for r in rows:
        assert r["prompt"] and r["expanded_prompt"]
        assert r["generate_s"] > 0 and r["judge_s"] > 0
        for source in ("model", "ceiling", "floor"):
            assert set(r[source]["metrics"]) == set(METRICS)
            assert r[source]["metrics"]["sound_sync"] is None  # no clip has sound
        # the renderer moves steadily; its shuffled frames jump at every step alike
        assert 0.7 < r["judder"]["ceiling"] < 1.5 and r["judder"]["floor"] < 2.0
        # the renderer draws no tile grid (the random model's 2-step clips may, or be flat)
        assert 0.6 < r["grid_ratio"]["ceiling"] < 1.4
        assert r["ceiling"]["metrics"]["tile_grid"] == 1.0
    assert report["meta"]["model"] == "random-test" and report["meta"]["steps"] == 2
    printed = json.loads(result.stdout)
    assert printed["summary"] == report["summary"] and "rows" not in printed


def test_the_summary_table_and_strips_are_written(run):
    out, _ = run
    summary = (out / "summary.md").read_text()
    assert summary.startswith("| metric | model | renderer ceiling | shuffled floor |")
    assert summary.splitlines()[2].startswith("| overall |")
    assert "--prompts 2" in summary and "random-test" in summary
    assert "Judder ratio" in summary and "Grid ratio" in summary
    assert sorted(p.name for p in (out / "strips").iterdir()) == ["00.png", "all.png"]
    with Image.open(out / "strips" / "00.png") as strip:
        assert strip.height >= 2 * 128 and strip.width == 6 * 128 * 2  # 128x72 upscaled 2x


def test_aggregate_skips_missing_scores_and_counts_where_each_applied():
    def scores(overall, presence, gravity):
        return {"overall": overall, "metrics": {"presence": presence, "gravity": gravity}}

    rows = [
        {"model": scores(0.2, 0.4, None), "ceiling": scores(0.9, 1.0, 0.8),
         "floor": scores(0.1, 1.0, None)},
        {"model": scores(None, 0.0, None), "ceiling": scores(0.7, 1.0, 0.6),
         "floor": scores(0.3, 0.0, 0.2)},
    ]  # fmt: skip
    summary = aggregate(rows)
    assert summary["model"]["overall"] == {"mean": 0.2, "applied": 1, "missing": 1}
    assert summary["ceiling"]["overall"] == {"mean": 0.8, "applied": 2, "missing": 0}
    assert summary["model"]["metrics"]["presence"] == {"mean": 0.2, "applied": 2}
    assert summary["model"]["metrics"]["gravity"] == {"mean": None, "applied": 0}
    assert summary["floor"]["metrics"]["gravity"] == {"mean": 0.2, "applied": 1}
    assert summary["ceiling"]["metrics"]["gravity"] == {"mean": 0.7, "applied": 2}
    assert summary["model"]["metrics"]["camera"] == {"mean": None, "applied": 0}  # absent


def test_the_floor_shuffles_the_frames_it_was_given():
    frames = np.arange(12, dtype=np.uint8)[:, None, None, None] * np.ones((1, 4, 4, 3), np.uint8)
    shuffled = shuffle_frames(Clip(frames, 12.0), seed=0).frames
    order = shuffled[:, 0, 0, 0].tolist()
    assert sorted(order) == list(range(12)) and order != list(range(12))
    assert shuffle_frames(Clip(frames, 12.0), seed=0).frames.tolist() == shuffled.tolist()


def test_all_strips_shrink_to_fit_the_byte_limit():
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (6, 32, 32, 3), dtype=np.uint8)  # does not compress
    strip = strip_image(noise, noise, "a red ball bounces")
    assert strip.size == (6 * 32 * 4, 2 * 32 * 4 + STRIP_BAND)  # upscaled to 128 px rows
    assert len(stack_strips([strip, strip], max_bytes=10_000_000)) > 100_000
    small = stack_strips([strip, strip], max_bytes=100_000)
    assert len(small) <= 100_000
    with Image.open(BytesIO(small)) as image:
        assert image.format == "PNG" and image.width < strip.width


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--prompts", "0"], "--prompts must be at least 1"),
        (["--seconds", "0"], "--seconds must be positive"),
        (["--seconds", "5"], "at most 25 frames"),
    ],
)
def test_bad_settings_exit_2_saying_what_to_change(tmp_path, weights, args, says):
    result = invoke("--weights", weights, *args, "--out", str(tmp_path / "q"))
    assert result.exit_code == 2
    assert says in " ".join(result.stderr.split()), result.stderr
    assert not (tmp_path / "q").exists()


def test_a_missing_weights_folder_exits_2_naming_it(tmp_path):
    result = invoke("--weights", str(tmp_path / "nowhere"), "--out", str(tmp_path / "q"))
    assert result.exit_code == 2
    assert "nowhere" in " ".join(result.stderr.split()), result.stderr
