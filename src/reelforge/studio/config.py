"""The studio's configuration: the shipped defaults.toml, with an operator's TOML file
merged over it, plus what `reelforge serve` takes on its command line."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from reelforge.studio.plans import PlanLimits, read_plans
from reelforge.types import InvalidInputError

OPERATOR_FILE = "reelforge.toml"  # read from the data folder when no --config is given


@dataclass
class ServerSettings:
    poll_after_ms: int = 2000
    max_upload_mb: float = 50
    max_prompt_chars: int = 4000
    default_model: str = "sora-2"
    cleanup_interval_s: float = 300
    stale_after_s: float = 60
    max_attempts: int = 3

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


@dataclass
class ProvenanceSettings:
    """Who signs the Content Credentials: by default a local CA and signing certificate
    made in DATA/identity at first start; or the operator's chain and key (PEM files)."""

    cert_chain: str = ""
    private_key: str = ""
    trust_anchors: list[str] = field(default_factory=list)
    watermark_key: str = ""  # the invisible watermark's key; empty: reelforge's built-in one


@dataclass
class SafetySettings:
    """Moderation: the policy file (empty: the shipped safety/policy.yaml) and whether
    outputs showing faces wait for an admin's review."""

    policy: str = ""
    review_faces: bool = True


@dataclass
class StudioConfig:
    data_dir: Path
    database_url: str | None = None
    workers: int = 1
    server: ServerSettings = field(default_factory=ServerSettings)
    provenance: ProvenanceSettings = field(default_factory=ProvenanceSettings)
    safety: SafetySettings = field(default_factory=SafetySettings)
    models: dict[str, str] = field(default_factory=dict)  # alias -> engine config name
    engines: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> kind + config
    plans: dict[str, PlanLimits] = field(default_factory=dict)

    def plan(self, name: str) -> PlanLimits:
        if name not in self.plans:
            raise InvalidInputError(
                f"no plan named {name!r}; plans: {', '.join(self.plans)}", param="plan"
            )
        return self.plans[name]


def load_config(
    data_dir: str | Path,
    *,
    config_file: str | Path | None = None,
    database_url: str | None = None,
    workers: int = 1,
) -> StudioConfig:
    """Defaults, merged with `config_file` (or DATA/reelforge.toml when it exists)."""
    data_dir = Path(data_dir)
    tables = _read_toml(resources.files("reelforge.studio").joinpath("defaults.toml"))
    operator = Path(config_file) if config_file is not None else data_dir / OPERATOR_FILE
    if config_file is not None or operator.exists():
        tables = _merge(tables, _read_toml(operator))
    server = _settings(tables, "server", ServerSettings)
    provenance = _settings(tables, "provenance", ProvenanceSettings)
    safety = _settings(tables, "safety", SafetySettings)
    if workers < 0:
        raise InvalidInputError("workers must be >= 0", param="workers")
    config = StudioConfig(
        data_dir=data_dir,
        database_url=database_url,
        workers=workers,
        server=server,
        provenance=provenance,
        safety=safety,
        models=dict(tables.get("models", {})),
        engines={k: dict(v) for k, v in tables.get("engines", {}).items()},
        plans=read_plans(tables.get("plans", {})),
    )
    _check_models(config)
    return config


def _settings(tables: dict[str, Any], name: str, kind):
    """The [name] table as a `kind` dataclass; unknown keys are refused."""
    values = tables.get(name, {})
    unknown = set(values) - set(kind.__dataclass_fields__)
    if unknown:
        raise InvalidInputError(
            f"[{name}] has unknown keys: {', '.join(sorted(unknown))}", param="config"
        )
    return kind(**values)


def _check_models(config: StudioConfig) -> None:
    for name, engine in config.engines.items():
        if "kind" not in engine:
            raise InvalidInputError(f"[engines.{name}] needs a kind", param="config")
    for alias, target in config.models.items():
        if target not in config.engines:
            raise InvalidInputError(
                f"model {alias!r} maps to {target!r}, which is not in [engines]: "
                f"{', '.join(config.engines)}",
                param="config",
            )


def _read_toml(path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise InvalidInputError(f"no such configuration file: {path}", param="config") from None
    except tomllib.TOMLDecodeError as e:
        raise InvalidInputError(f"{path} is not valid TOML: {e}", param="config") from None


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
