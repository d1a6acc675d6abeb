"""A real engine whose passes are kept, for tests of what an edit asks the engine for."""


class Recording:
    """A real engine whose passes are kept: what each was given and what it made."""

    def __init__(self, engine):
        self.engine, self.name, self.calls = engine, engine.name, []

    @property
    def capabilities(self):
        return self.engine.capabilities

    def check(self, spec):
        return self.engine.check(spec)

    def generate(self, spec, on_progress=None, should_cancel=None):
        clip = self.engine.generate(spec, on_progress, should_cancel)
        self.calls.append((spec, clip))
        return clip
