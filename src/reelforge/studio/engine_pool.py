"""The engines the studio serves, by model name, built once on first use and shared."""

from __future__ import annotations

import threading

from reelforge.engines import Engine, get_engine
from reelforge.studio.config import StudioConfig
from reelforge.types import InvalidInputError


class EnginePool:
    def __init__(self, config: StudioConfig):
        self.config = config
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()

    def models(self) -> list[str]:
        """Every name the API accepts: the aliases, then the engines' own names."""
        return list(dict.fromkeys([*self.config.models, *self.config.engines]))

    def resolve(self, model: object) -> str:
        """The engine config name serving `model`, or a 400 naming the models there are."""
        if isinstance(model, str) and model in self.config.models:
            return self.config.models[model]
        if isinstance(model, str) and model in self.config.engines:
            return model
        raise InvalidInputError(
            f"unknown model {model!r}; available: {', '.join(self.models())}", param="model"
        )

    def get(self, name: str) -> Engine:
        with self._lock:
            if name not in self._engines:
                settings = dict(self.config.engines[name])
                kind = settings.pop("kind")
                self._engines[name] = get_engine(kind, **settings)
            return self._engines[name]
