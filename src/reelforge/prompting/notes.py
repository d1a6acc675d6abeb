"""What a prompt says beyond the judge's `Constraints`: speed and height words, object
events (comes into view, leaves, comes to rest), collisions, the occluder's move, the
camera's speed and tracking target, street lamps.

The judge's parser reads these phrases (they are known words, never "unknown") but keeps
no record of them; expansion must not lose them. `read_notes` walks the same token
stream as `parse_prompt` and ties each such phrase to an object of the parsed
constraints: the object named last in the same clause, else the next one named in it;
a speed word next to the camera (or in a camera clause before any object) is the
camera's. A mention matches the first constraint object that agrees with its colour,
shape, size and material ("the" + a mention: the one mentioned most recently).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reelforge.evaluate.constraints import Constraints
from reelforge.evaluate.prompt_parser import tokenize
from reelforge.world import vocabulary as V

LOOKS = ("color", "shape", "size", "material")
AIRBORNE = frozenset(V.inflect(p, f) for p in V.AIRBORNE_STAY for f in ("base", "s", "ing"))
ORDINALS = ("first", "second", "third", "fourth")  # "the second red ball": twins
LAMPS = {"lamps_on": "on", "lamps_off": "off", "lamps_lit": "lit"}


@dataclass
class ObjectNotes:
    speed: str | None = None  # "slow" | "fast"
    height: str | None = None  # "low" | "high"
    airborne: bool = False  # a staying object said to hover
    enters: bool = False
    leaves: bool = False
    settles: bool = False


@dataclass
class Hit:
    hitter: int  # indices into Constraints.objects
    target: int | None = None
    times: str | None = None  # "twice" | "repeatedly"
    rebound: bool = False
    push: str | None = None  # the direction the target is knocked


@dataclass
class Notes:
    objects: dict[int, ObjectNotes] = field(default_factory=dict)
    camera_speed: str | None = None
    camera_target: int | None = None
    hits: list[Hit] = field(default_factory=list)
    occluder_event: str | None = None  # "pass_in_front" | "stand_in_front"
    occluder_direction: str | None = None  # "left" | "right"
    lamps: str | None = None  # "on" | "off" | "lit"

    def of(self, index: int) -> ObjectNotes:
        return self.objects.setdefault(index, ObjectNotes())


def read_notes(text: str, understood: Constraints) -> Notes:
    """The notes of `text`, tied to the objects of `understood` (= parse_prompt(text))."""
    walk = _Walk(understood)
    tokens = [
        t for t in tokenize(text) if t.cat != "filler" or t.text == "the" or t.text in ORDINALS
    ]
    for i, tok in enumerate(tokens):
        walk.step(tok, tokens[i + 1] if i + 1 < len(tokens) else None)
    return walk.notes


def _meaning(phrase: str) -> tuple[str, str] | None:
    """(category, value) of a phrase the parser only notes: speed, height or event."""
    for cat, value in V.LEXICON.get(phrase, ()):
        if cat in ("speed", "height", "event"):
            return cat, value
    return None


class _Walk:
    def __init__(self, understood: Constraints):
        self.objects, self.notes = understood.objects, Notes()
        self.np: dict[str, str] = {}
        self.definite = False
        self.ordinal: int | None = None  # "first", "second": which of several twins
        self.history: list[int] = []  # every mention, in order
        self.clause: list[int] = []  # mentions in the current clause
        self.pending: list[Callable[[int], None]] = []  # notes for the next mention
        self.camera = self.camera_fresh = self.tracking = False
        self.hit: Hit | None = None  # waiting for its target
        self.expect: str | None = None  # "push" | "occluder": a direction completes it

    # -- mentions ---------------------------------------------------------------------------

    def match(self) -> int | None:
        fits = [
            i
            for i, o in enumerate(self.objects)
            if all(self.np.get(k) in (None, getattr(o, k)) for k in LOOKS)
        ]
        if self.ordinal is not None and self.ordinal < len(fits):
            return fits[self.ordinal]
        if self.definite:
            seen = [i for i in reversed(self.history) if i in fits]
            if seen:
                return seen[0]
        fresh = [i for i in fits if i not in self.history]
        return (fresh or fits or [None])[0]

    def mention(self, index: int | None) -> None:
        self.np, self.definite, self.ordinal = {}, False, None
        if index is None:
            return
        if self.tracking and self.notes.camera_target is None:
            self.notes.camera_target, self.tracking = index, False
        if self.hit is not None and index != self.hit.hitter:
            self.hit.target = index
            self.notes.hits.append(self.hit)
            self.hit = None
        for note in self.pending:
            note(index)
        self.pending = []
        self.history.append(index)
        self.clause.append(index)
        self.camera_fresh = False

    def on_subject(self, note: Callable[[int], None]) -> None:
        """Apply `note` to the object this clause is about (or will be)."""
        if self.clause:
            note(self.clause[-1])
        else:
            self.pending.append(note)

    def end_clause(self) -> None:
        self.np, self.definite, self.ordinal = {}, False, None
        self.clause, self.pending = [], []
        self.camera = self.camera_fresh = self.tracking = False
        self.hit, self.expect = None, None

    # -- tokens -----------------------------------------------------------------------------

    def step(self, tok, after) -> None:
        cat, value = tok.cat, tok.value
        if cat not in ("color", "size", "material", "number", "shape", "filler"):
            self.definite = False  # "the" reaches only the noun phrase it opens
        if cat in ("color", "size", "material"):
            self.np[cat] = value
        elif cat == "filler" and tok.text in ORDINALS:
            self.ordinal = ORDINALS.index(tok.text)
        elif cat == "filler":  # only "the" is kept
            self.definite = not self.np
        elif cat == "shape":
            self.np["shape"] = value
            self.mention(self.match())
        elif cat == "pronoun" and self.history:
            self.mention(self.history[-1])
        elif cat == "motion" and value == "stay" and tok.text in AIRBORNE:
            self.on_subject(lambda i: setattr(self.notes.of(i), "airborne", True))
        elif cat in ("camera", "camera_noun"):
            self.camera = self.camera_fresh = True
            self.tracking = self.tracking or value == "tracking"
        elif cat == "direction":
            self.on_direction(value)
        elif cat == "noted":
            self.on_noted(tok.text, after)
        elif cat == "punct":
            self.end_clause()
        elif cat == "break":  # "and then", "while": the camera clause ends, the subject stays
            self.camera = self.camera_fresh = self.tracking = False
            self.hit, self.expect = None, None

    def on_direction(self, value: str) -> None:
        if self.expect == "push" and self.notes.hits:
            self.notes.hits[-1].push = value
        elif self.expect == "occluder" and value in ("left", "right"):
            self.notes.occluder_direction = value
        self.expect = None

    def on_noted(self, phrase: str, after) -> None:
        meaning = _meaning(phrase)
        if meaning is None:
            return
        cat, value = meaning
        if cat == "speed":
            near_camera = after is not None and after.cat in ("camera", "camera_noun")
            if near_camera or (self.camera and self.camera_fresh):
                self.notes.camera_speed = value
            else:
                self.on_subject(lambda i: setattr(self.notes.of(i), "speed", value))
        elif cat == "height":
            self.on_subject(lambda i: setattr(self.notes.of(i), "height", value))
        else:
            self.on_event(value)

    def on_event(self, value: str) -> None:
        notes, last_hit = self.notes, self.notes.hits[-1] if self.notes.hits else None
        if value == "hit" and self.clause:
            self.hit = Hit(self.clause[-1])
        elif value in ("twice", "repeatedly") and last_hit is not None:
            last_hit.times = value
        elif value == "rebound" and last_hit is not None:
            last_hit.rebound = True
        elif value == "push":  # "knocks it to the left", or a hit of its own
            if last_hit is None or last_hit.hitter not in self.clause:
                if not self.clause:
                    return
                self.hit = Hit(self.clause[-1])
            self.expect = "push"
        elif value in ("enter", "leave", "settle"):
            flag = {"enter": "enters", "leave": "leaves", "settle": "settles"}[value]
            self.on_subject(lambda i: setattr(notes.of(i), flag, True))
        elif value in ("pass_in_front", "stand_in_front"):
            notes.occluder_event = value
            self.expect = "occluder" if value == "pass_in_front" else None
        elif value in LAMPS:
            notes.lamps = LAMPS[value]
