"""`reelforge moderate`: the decision as JSON; exit 0 allowed, 3 blocked, 2 bad input."""

from __future__ import annotations

import json
from pathlib import Path

from cli_process import run_cli
from reelforge.safety.policy import DEFAULT_POLICY

SIMILARITY_CATEGORIES = ("sexual", "minors", "graphic_violence", "hate", "self_harm",
                         "weapons_extremism", "likeness")  # fmt: skip
EXAMPLES = DEFAULT_POLICY.with_name("examples.yaml")
FIELDS = {"prompt", "allowed", "action", "category", "rule", "layer", "score", "matched",
          "normalized", "scores", "probabilities"}  # fmt: skip


def test_an_allowed_prompt_exits_0_with_every_category_scored(tmp_path):
    from reelforge.media import write_mp4
    from reelforge.world.clip import render_clip
    from reelforge.world.sampler import sample_scene

    video = write_mp4(render_clip(sample_scene(5), 128, 72, 12.0, 1.0), tmp_path / "w.mp4")
    audit = tmp_path / "audit.jsonl"
    proc = run_cli("moderate", "a boxer throws a punch", "--upload", str(video),
                   "--audit", str(audit), "--user", "ann")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    decision = json.loads(proc.stdout)
    assert set(decision) == FIELDS
    assert decision["allowed"] is True and decision["action"] == "allow"
    assert decision["category"] is None and "graphic_violence" in decision["scores"]
    assert decision["probabilities"]["benign"] > 0.5  # the learned head's view
    prompt, upload = (json.loads(line) for line in audit.read_text().splitlines())
    assert (prompt["who"], prompt["what"], prompt["subject"], prompt["action"]) == (
        "ann", "prompt", "a boxer throws a punch", "allow",
    )  # fmt: skip
    assert (upload["what"], upload["rule"], upload["action"]) == ("upload", "faces:none", "allow")


def test_a_blocked_prompt_exits_3_naming_the_category():
    proc = run_cli("moderate", "a p 0 r n video")
    assert proc.returncode == 3, proc.stderr
    decision = json.loads(proc.stdout)
    assert decision["allowed"] is False and decision["action"] == "block"
    assert (decision["category"], decision["layer"]) == ("sexual", "rules")
    assert decision["normalized"] == "a porn video"


def test_an_upload_showing_a_face_needs_consent(tmp_path):
    policy = tmp_path / "policy.yaml"  # words only: this test need not load MiniLM
    categories = ", ".join(f"{c}: {{threshold: null}}" for c in SIMILARITY_CATEGORIES)
    policy.write_text(f"examples: {EXAMPLES}\ncategories: {{{categories}}}\n")
    photo = str(Path(__file__).parents[1] / "data" / "astronaut.jpg")
    args = ("moderate", "she waves at the camera", "--upload", photo, "--policy", str(policy))
    refused = run_cli(*args)
    assert refused.returncode == 3, refused.stderr
    decision = json.loads(refused.stdout)
    assert (decision["category"], decision["layer"], decision["rule"]) == (
        "likeness", "faces", "faces:no_consent",
    )  # fmt: skip
    assert run_cli(*args, "--consent").returncode == 0


def test_bad_input_exits_2_with_a_reason(tmp_path):
    empty = run_cli("moderate", "  ")
    assert empty.returncode == 2 and "prompt" in empty.stderr
    missing = run_cli("moderate", "a cat", "--upload", str(tmp_path / "nope.png"))
    assert missing.returncode == 2 and "nope.png" in missing.stderr
    policy = tmp_path / "policy.yaml"
    policy.write_text("categories: {gambling: {}}\n")
    bad = run_cli("moderate", "a cat", "--policy", str(policy))
    assert bad.returncode == 2 and "gambling" in bad.stderr
