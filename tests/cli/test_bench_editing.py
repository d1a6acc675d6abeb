"""`reelforge bench editing`: every edit on held-out prompts, measured, on tiny random
weights (2 s sources, 1 s extensions, a 4 s chain of 1 s steps)."""

import json
import math

import pytest
from PIL import Image
from typer.testing import CliRunner

from reelforge.cli.editing_figures import OPERATIONS
from reelforge.cli.editing_strips import TITLE, UNDER
from reelforge.cli.main import app
from reelforge.edit import STRENGTHS, TRANSITIONS
from reelforge.engines.native_weights import save_random_weights
from reelforge.evaluate import parse_prompt

TINY = ["--prompts", "2", "--seconds", "2", "--extend-seconds", "1", "--chains", "1",
        "--chain-seconds", "4", "--chain-step", "1", "--steps", "1", "--threads", "1"]  # fmt: skip
SOURCE = 24  # frames of a 2 s source at 12 fps


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return str(save_random_weights(tmp_path_factory.mktemp("editing-weights")))


def invoke(*args: str):
    return CliRunner().invoke(app, ["bench", "editing", *args])


@pytest.fixture(scope="module")
def run(weights, tmp_path_factory):
    out = tmp_path_factory.mktemp("editing")
    result = invoke("--weights", weights, *TINY, "--json", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out, json.loads((out / "report.json").read_text()), result


def seams_of(report):
    """Every seam row of the report, wherever it sits."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if {"frames", "across", "within", "ratio"} <= node.keys():
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(report["rows"])
    walk(report["chains"])
    return found


def test_every_operation_is_measured_on_every_prompt(run):
    _, report, result = run
    rows = report["rows"]
    assert [r["scene_seed"] for r in rows] == [1_000_000, 1_000_001]
    assert rows[0]["next_prompt"] == rows[1]["prompt"]  # clip B is the next prompt's
    for row in rows:
        assert list(row["operations"]) == list(OPERATIONS)
        assert all(seconds >= 0 for seconds in row["seconds"].values())
    printed = json.loads(result.stdout)
    assert printed["summary"] == report["summary"] and "rows" not in printed
    assert report["meta"]["model"] == "random-test" and report["meta"]["steps"] == 1
    assert "CPUs" in report["meta"]["machine"] and report["meta"]["date"].endswith("UTC")


def test_the_joins_sit_where_each_edit_made_new_frames(run):
    _, report, _ = run
    ops = report["rows"][0]["operations"]
    assert [s["frames"] for s in ops["extend forward"]["seams"]] == [[SOURCE, SOURCE]]
    assert [s["frames"] for s in ops["extend backward"]["seams"]] == [[12, 12]]  # 1 s before
    assert ops["loop"]["seams"]["into the bridge"]["frames"] == [SOURCE, SOURCE]
    assert ops["loop"]["seams"]["on repeat"]["frames"] == [SOURCE + 12] * 2  # a 1 s bridge
    transition = ops["blend transition"]["seams"]
    assert transition["A into the bridge"]["frames"] == [SOURCE, SOURCE]
    assert transition["the bridge into B"]["frames"] == [SOURCE + 12] * 2
    stitched = ops["stitch"]["seams"]
    assert set(stitched) == set(TRANSITIONS)
    assert stitched["cut"]["frames"] == [SOURCE, SOURCE]
    assert stitched["dissolve"]["frames"] == [SOURCE - 6, SOURCE]  # 0.5 s at 12 fps
    (chain,) = report["chains"]
    assert chain["seconds"] == 4.0 and chain["steps"] == 2
    assert [s["frames"] for s in chain["seams"]] == [[SOURCE, SOURCE], [SOURCE + 12] * 2]


def test_every_seam_ratio_is_its_change_across_over_the_clips_own(run):
    _, report, _ = run
    seams = seams_of(report)
    assert len(seams) > 20
    for s in seams:
        assert s["across"] >= 0 and s["within"] >= 0 and math.isfinite(s["ratio"])
        assert s["ratio"] == pytest.approx(s["across"] / max(s["within"], 0.5), abs=2e-3)
    summary = report["summary"]
    assert summary["aim"] == 1.5 and "4 s chain: between steps" in summary["continuity"]
    for s in [*summary["continuity"].values(), *summary["reference"].values()]:
        assert s["joins"] >= 2 and 0 <= s["within_aim"] <= s["joins"]
        assert 0 <= s["median"] <= s["max"]


def test_remix_asks_for_another_time_of_day_and_tracks_the_sources_paths(run):
    _, report, _ = run
    for row in report["rows"]:
        remixed = row["operations"]["remix"]
        asked, was = parse_prompt(remixed["new_prompt"]), parse_prompt(row["prompt"])
        assert asked.time_of_day in ("noon", "night") and asked.time_of_day != was.time_of_day
        source = remixed["source"]["motion"]
        assert source["compared"] >= 1  # the tracker finds the world clip's objects...
        assert source["gap"] == 0.0  # ...and a clip follows its own paths exactly
        assert source["r"] in (None, 1.0)
        for kind in (*STRENGTHS, "fresh"):
            figures = remixed[kind]
            assert figures["judge_new"] is None or 0 <= figures["judge_new"] <= 1
            motion = figures["motion"]
            assert motion["r"] is None or -1 <= motion["r"] <= 1
            assert motion["correlated"] <= motion["compared"] <= len(source["objects"])


def test_fill_finds_the_damage_planted_in_a_world_clip(run):
    _, report, _ = run
    summary = report["summary"]["fill"]
    assert summary["planted"] == 8  # a black frame, two frozen ones and noise, per prompt
    assert summary["found"] == 8 and summary["extra"] == 0
    for row in report["rows"]:
        fill = row["operations"]["fill"]
        assert fill["found"] == fill["planted"]
        assert 0 < fill["psnr_damaged"] < 99 and 0 < fill["psnr_filled"] < 99


def test_prompt_0s_strips_are_small_pngs_with_a_row_per_clip(run):
    out, report, _ = run
    names = sorted(p.name for p in (out / "strips").iterdir())
    assert names == sorted(report["meta"]["strips"])
    assert len(names) == len(OPERATIONS) + 1  # and the chain
    for name in names:
        assert (out / "strips" / name).stat().st_size < 400_000
    with Image.open(out / "strips" / "remix.png") as remix:
        assert remix.mode == "P"  # a palette PNG
        assert remix.height == TITLE + 5 * (72 + UNDER)  # source, 3 strengths, fresh


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--prompts", "1"], "--prompts must be at least 2"),
        (["--prompts", "2", "--chains", "3"], "--chains must be 0..--prompts"),
        (["--chain-seconds", "5"], "--chain-seconds must be at least"),
    ],
)
def test_bad_settings_exit_2_saying_what_to_change(tmp_path, weights, args, says):
    result = invoke("--weights", weights, *args, "--out", str(tmp_path / "e"))
    assert result.exit_code == 2
    assert says in " ".join(result.stderr.split()), result.stderr
    assert not (tmp_path / "e").exists()
