"""The judge's report: one score per metric in [0, 1] (None where it does not apply),
their mean as `overall`, per-object findings and the raw measurements behind them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

METRICS = (
    "presence",
    "count",
    "motion",
    "camera",
    "gravity",
    "permanence",
    "flicker",
    "stray_colour",
    "tile_grid",
    "time_of_day",
    "weather",
    "ground",
    "sound_sync",
)


class ObjectFinding(BaseModel):
    """What the judge found for one requested object (one entry per constraint)."""

    model_config = ConfigDict(frozen=True)

    request: dict[str, Any]
    detected: int  # matching tracks found (colour and shape)
    presence: float
    shape_found: str | None = None
    motion_found: str | None = None  # the motion kind the path reads as best
    motion_score: float | None = None
    track: dict[str, Any] | None = None  # summary of the best track's path
    gravity: float | None = None
    permanence: list[str] = []  # unexplained appearances / disappearances


class JudgeReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    overall: float | None
    metrics: dict[str, float | None]
    objects: list[ObjectFinding]
    measured: dict[str, Any]
    seconds: float  # time the judging took

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def overall(metrics: dict[str, float | None]) -> float | None:
    """Mean of the metrics that apply."""
    vals = [v for v in metrics.values() if v is not None]
    return round(sum(vals) / len(vals), 4) if vals else None
