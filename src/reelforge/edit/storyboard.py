"""Storyboards: timed cards (a prompt, a start, a duration, maybe an image) made into one
multi-shot clip.

A board is TOML or JSON (examples/storyboard.toml documents it):

    size = "128x72"        # optional; default the engine's 16:9 size
    seed = 0               # optional

    [[card]]
    prompt = "a red ball rolls right on a grassy field"
    duration = 3.0         # seconds
    start = 0.0            # optional: default where the card before ends
    image = "first.png"    # optional, relative to the board file
    cut = false            # optional: true starts a new shot

Timing: the first card starts at 0; a card without `start` starts where the one before
ends; a later `start` leaves a gap that the card before fills (it holds the screen until
the next card starts); an earlier one is refused. Every card gets round(fps·t) frames of
its span, so the clip's length is the last card's end.

Continuity: a card continues the shot before it (the engine's extend mode: the last
CONTEXT_FRAMES frames made so far are given at its start), so the setting, objects and
motion carry over, unless it says `cut = true` (or is the first card): then it starts
afresh from its prompt. An image is the first frame of a card that starts afresh; a card
that continues arrives at its image instead (it is given as the card's last frame).
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reelforge.edit.extend import (
    CONTEXT_FRAMES,
    Canvas,
    Sampling,
    generate_between,
)
from reelforge.edit.lineage import with_parents
from reelforge.engines.base import CancelFn, Engine, ProgressFn
from reelforge.engines.frames import fit, resize
from reelforge.media import read_clip
from reelforge.types import Clip, InvalidInputError, NotFoundError

BOARD_KEYS = {"size", "seed", "card"}
CARD_KEYS = {"prompt", "duration", "start", "image", "cut"}
EPS = 1e-6


@dataclass(frozen=True)
class Card:
    """One shot of a storyboard; times in seconds."""

    prompt: str
    duration: float
    start: float | None = None
    image: Path | None = None
    cut: bool = False


@dataclass(frozen=True)
class Storyboard:
    cards: tuple[Card, ...]
    size: tuple[int, int] | None = None
    seed: int | None = None

    def timeline(self) -> list[tuple[float, float]]:
        """Each card's (start, end) in seconds, gaps filled by the card before."""
        spans: list[list[float]] = []
        at = 0.0
        for i, card in enumerate(self.cards):
            start = at if card.start is None else float(card.start)
            if i == 0 and start > EPS:
                raise InvalidInputError(
                    f"card 1 starts at {start:g} s; the first card starts at 0", param="start"
                )
            if start < at - EPS:
                raise InvalidInputError(
                    f"card {i + 1} starts at {start:g} s, before card {i} ends at {at:g} s",
                    param="start",
                )
            if spans:
                spans[-1][1] = start  # the card before holds the screen until this one
            spans.append([start, start + card.duration])
            at = start + card.duration
        return [(s, e) for s, e in spans]


# ---------------------------------------------------------------------------
# Reading a board
# ---------------------------------------------------------------------------


def load_storyboard(path: str | Path) -> Storyboard:
    """A board from a .toml or .json file; images are found relative to it."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no storyboard file {path}", param="board")
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as e:
        raise InvalidInputError(
            f"{path} is not valid {path.suffix[1:]}: {e}", param="board"
        ) from None
    return parse_storyboard(data, path.parent)


def parse_storyboard(data: dict[str, Any], base: Path = Path(".")) -> Storyboard:
    """A board from its plain data (see the module doc)."""
    _known(data, BOARD_KEYS, "the board")
    cards = data.get("card") or []
    if not isinstance(cards, list) or not cards:
        raise InvalidInputError(
            "a storyboard needs at least one card", param="card", hint="add [[card]] tables"
        )
    return Storyboard(
        tuple(_card(c, i, base) for i, c in enumerate(cards)),
        _size(data.get("size")),
        None if data.get("seed") is None else int(data["seed"]),
    )


def _card(data: Any, i: int, base: Path) -> Card:
    where = f"card {i + 1}"
    if not isinstance(data, dict):
        raise InvalidInputError(f"{where} must be a table of prompt, duration, ...", param="card")
    _known(data, CARD_KEYS, where)
    prompt = data.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidInputError(f"{where} needs a prompt", param="prompt")
    duration = data.get("duration")
    if not isinstance(duration, int | float) or isinstance(duration, bool) or duration <= 0:
        raise InvalidInputError(
            f"{where} needs a positive duration in seconds; got {duration!r}", param="duration"
        )
    start = data.get("start")
    if start is not None and (not isinstance(start, int | float) or start < 0):
        raise InvalidInputError(
            f"{where}: start must be seconds >= 0; got {start!r}", param="start"
        )
    image = data.get("image")
    if image is not None:
        image = base / str(image)
        if not image.is_file():
            raise NotFoundError(f"{where}: no image file {image}", param="image")
    cut = data.get("cut", False)
    if not isinstance(cut, bool):
        raise InvalidInputError(f"{where}: cut must be true or false; got {cut!r}", param="cut")
    return Card(prompt.strip(), float(duration), start, image, cut)


def _known(data: dict, keys: set[str], where: str) -> None:
    unknown = sorted(set(data) - keys)
    if unknown:
        raise InvalidInputError(
            f"{where} has unknown keys: {', '.join(unknown)}",
            param="board",
            hint=f"known: {', '.join(sorted(keys))}",
        )


def _size(value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    parts = str(value).lower().split("x")
    if len(parts) != 2 or not all(p.strip().isdigit() and int(p) > 0 for p in parts):
        raise InvalidInputError(f"bad size {value!r}", param="size", hint="use WIDTHxHEIGHT")
    return int(parts[0]), int(parts[1])


# ---------------------------------------------------------------------------
# Making the clip
# ---------------------------------------------------------------------------


def render_storyboard(
    board: Storyboard,
    engine: Engine,
    *,
    size: tuple[int, int] | None = None,
    sampling: Sampling | None = None,
    on_progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
) -> Clip:
    """One clip of every card in order (see the module doc) at `size` (default the
    board's, else the engine's 16:9 size), at the engine's rate. Each card is made at
    the engine's native size and the whole clip resized once at the end. `sampling`
    defaults to the board's seed."""
    cap = engine.capabilities
    width, height = (
        size or board.size or cap.default_size("16:9" if "16:9" in cap.sizes else cap.aspects[0])
    )
    native = cap.native_size(width, height)  # refuses a size the engine cannot make
    canvas = Canvas(native[0], native[1], cap.fps[0])
    sampling = sampling or Sampling(seed=board.seed or 0)
    images = {
        i: fit(read_clip(c.image).frames[:1], canvas.size)
        for i, c in enumerate(board.cards)
        if c.image is not None
    }
    spans = board.timeline()
    counts = _frame_counts(spans, canvas.fps)
    progress = on_progress or (lambda fraction, message: None)
    shots: list[np.ndarray] = []
    notes: list[dict] = []
    metadata: dict = {}
    offset = 0
    for i, (card, count) in enumerate(zip(board.cards, counts, strict=True)):
        if count < 1:
            raise InvalidInputError(
                f"card {i + 1} is shorter than one frame at {canvas.fps:g} fps", param="duration"
            )
        fresh = card.cut or not shots
        before = None if fresh else np.concatenate(shots)[-CONTEXT_FRAMES:]
        image = images.get(i)
        if fresh and image is not None:
            before = image  # the card's first frame
        after = image if not fresh else None  # a continuing card arrives at its image
        given = int(image is not None)
        share = _card_progress(progress, i, len(counts), card.prompt)
        made = generate_between(
            engine,
            canvas,
            card.prompt,
            count - given,
            sampling,
            before=before,
            after=after,
            offset=offset,
            on_progress=share,
            should_cancel=should_cancel,
        )
        parts = (
            [made.frames]
            if image is None
            else ([image, made.frames] if fresh else [made.frames, image])
        )
        shot = np.concatenate(parts)
        metadata = metadata or made.metadata
        offset += made.passes
        first = sum(len(s) for s in shots)
        shots.append(shot)
        notes.append(
            dict(
                prompt=card.prompt,
                start=spans[i][0],
                end=spans[i][1],
                cut=fresh,
                frames=[first, first + len(shot)],
                image=card.image and card.image.name,
            )
        )
    progress(1.0, "done")
    frames = resize(np.concatenate(shots), (width, height))
    metadata = {**metadata, "prompt": " ".join(c.prompt for c in board.cards)}
    clip = Clip(frames, canvas.fps, metadata=metadata)
    parents = [read_clip(c.image) for c in board.cards if c.image is not None]
    # a continuing card should join the one before seamlessly; a cut is meant to show
    joins = [[n["frames"][0]] * 2 for n in notes if not n["cut"]]
    return with_parents(clip, *parents, operation="storyboard", cards=notes, joins=joins)


def _frame_counts(spans: list[tuple[float, float]], fps: float) -> list[int]:
    """Frames per card: card i holds frames round(fps·start) to round(fps·end), so
    rounding never drifts along the board."""
    return [round(e * fps + EPS) - round(s * fps + EPS) for s, e in spans]


def _card_progress(progress: ProgressFn, i: int, n: int, prompt: str) -> ProgressFn:
    return lambda f, m: progress((i + f) / n, f"card {i + 1}/{n} ({prompt[:30]}): {m}")
