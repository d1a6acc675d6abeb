"""Plans: what a user may ask for (resolution, length, concurrency, priority, watermark,
monthly quota, retention), read from the [plans] tables of the studio configuration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reelforge.types import InvalidInputError


@dataclass(frozen=True)
class PlanLimits:
    name: str
    max_short_side: int  # 480 = up to 480p in either orientation
    max_seconds: int
    concurrency: int
    priority: int = 0
    watermark: bool = True
    monthly_seconds: float = 0.0  # 0: unlimited
    retention_days: float = 0.0  # 0: kept until deleted
    default_size: str = "720x1280"

    def check_size(self, width: int, height: int) -> None:
        if min(width, height) > self.max_short_side:
            raise InvalidInputError(
                f"size {width}x{height} is above the {self.name} plan's "
                f"{self.max_short_side}p limit",
                param="size",
            )

    def check_seconds(self, seconds: float, param: str = "seconds") -> None:
        if seconds > self.max_seconds:
            raise InvalidInputError(
                f"{seconds:g} seconds is longer than the {self.name} plan's "
                f"{self.max_seconds} s limit",
                param=param,
            )

    @property
    def retention_s(self) -> float | None:
        return self.retention_days * 86400 if self.retention_days > 0 else None


def read_plans(tables: dict[str, dict[str, Any]]) -> dict[str, PlanLimits]:
    """PlanLimits per [plans.NAME] table; a clear error for an unknown or missing key."""
    plans = {}
    known = set(PlanLimits.__dataclass_fields__) - {"name"}
    for name, table in tables.items():
        unknown = set(table) - known
        if unknown:
            raise InvalidInputError(
                f"plan {name!r} has unknown keys: {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(known))}",
                param="plans",
            )
        try:
            plans[name] = PlanLimits(name=name, **table)
        except TypeError as e:
            raise InvalidInputError(f"plan {name!r}: {e}", param="plans") from None
    if not plans:
        raise InvalidInputError("the configuration defines no plans", param="plans")
    return plans
