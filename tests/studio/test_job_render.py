"""A queued row → its clip (studio/render.py), with the shipped model: what the request
asked for reaches the engine."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
from sqlalchemy import select

from reelforge.safety import ModerationBlocked
from reelforge.studio import Studio, load_config
from reelforge.studio.accounts import create_key
from reelforge.studio.db import videos
from reelforge.studio.render import render


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    """A studio whose workers are never started: jobs stay queued for render() here."""
    return Studio(load_config(tmp_path_factory.mktemp("render") / "data", workers=1))


def _row(studio: Studio, video_id: str):
    with studio.ctx.db.connect() as conn:
        return conn.execute(select(videos).where(videos.c.id == video_id)).one()


def _render(studio: Studio, row) -> np.ndarray:
    return render(studio.ctx, row, lambda f, m: None, lambda: False).frames


def test_the_negative_prompt_reaches_the_engine(studio):
    user = create_key(studio.ctx.db, "ada", "pro").user
    fields = {"prompt": "a red ball bounces at sunset", "size": "128x72", "seconds": "1"}
    video = studio.create_video(user, fields | {"negative_prompt": "red, sunset"}, None)
    row = _row(studio, video["id"])
    assert json.loads(row.params)["negative_prompt"] == "red, sunset"
    without = SimpleNamespace(**row._mapping)
    without.params = json.dumps(json.loads(row.params) | {"negative_prompt": ""})
    avoided, plain = _render(studio, row), _render(studio, without)
    assert avoided.shape == plain.shape == (12, 72, 128, 3)
    assert np.abs(avoided.astype(int) - plain.astype(int)).mean() > 2  # it changed the clip


def test_a_negative_prompt_is_moderated_too(studio):
    user = create_key(studio.ctx.db, "bo", "pro").user
    fields = {"prompt": "a person on a beach", "negative_prompt": "p0rn, nsfw"}
    with pytest.raises(ModerationBlocked) as blocked:
        studio.create_video(user, fields, None)
    assert blocked.value.param == "negative_prompt"


@pytest.mark.parametrize(
    "kind", ["remix", "extend", "recut", "loop", "blend", "fill", "storyboard"]
)
def test_every_edit_job_samples_with_its_negative_prompt(studio, monkeypatch, kind):
    from reelforge.studio import render as render_module
    from reelforge.studio import render_edits

    seen = []

    def capture(*args, sampling, **kwargs):
        seen.append(sampling)
        return "made"

    monkeypatch.setattr(render_module, "source_clip", lambda ctx, params: "source")
    monkeypatch.setattr(render_module.edit, "remix", capture)
    monkeypatch.setattr(render_module.edit, "extend", capture)
    monkeypatch.setattr(render_edits, "KINDS", {kind: lambda job: capture(sampling=job.sampling)})
    params = {"seed": 7, "negative_prompt": "rain", "strength": 0.5, "added_seconds": 1.0}
    row = SimpleNamespace(kind=kind, engine="native", prompt="a kite", params=json.dumps(params))
    assert render(studio.ctx, row, lambda f, m: None, lambda: False) == "made"
    assert [(s.seed, s.negative_prompt) for s in seen] == [(7, "rain")]
