"""Prompt expansion: a short user prompt rewritten in the rich-caption style the native
model is trained on (Sora's recaptioning, at inference).

    expand_prompt("red ball bouncing left at dusk, slow pan right")
    → "Sunset. A red ball bounces to the left. The camera slowly pans to the right."

The prompt is read with the judge's parser (`parse_prompt`, plus `notes.py` for speed,
height and event words) and written back in `captions.rich_caption`'s order and wording,
each fact with its caption phrase:

1. the setting: time of day (and its change), "over" the ground, the weather;
2. one sentence per object: size, colour, material, shape, then its motion with speed,
   height and direction (two red balls: "A red ball ... Another red ball ...");
3. collisions, the occluder, the camera move, the street lamps.

Only what the user stated is written: nothing is invented, and a fact left unsaid stays
unsaid (no default time of day: the setting sentence starts with whatever is known; an
occluder the user only named "stands in the foreground", its resting state). Words the
parser does not understand are passed through verbatim, in their order, as a last
sentence, so nothing the user wrote is lost; filler words (articles, "cinematic", "4k")
are dropped, as the judge ignores them. `parse_prompt(expanded)` reads back the same
constraints as `parse_prompt(text)`.

This module is above the engines: expansion happens in the CLI or service, and the spec
carries both texts (`GenerationSpec.prompt` and `.expanded_prompt`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from reelforge.evaluate.constraints import Constraints, ObjectConstraint
from reelforge.evaluate.lexicon import filler
from reelforge.evaluate.lexicon import normalise as lexicon_normalise
from reelforge.evaluate.prompt_parser import parse_prompt
from reelforge.prompting.notes import ORDINALS, Hit, Notes, ObjectNotes, read_notes
from reelforge.types import GenerationSpec
from reelforge.world import vocabulary as V
from reelforge.world.captions import GROUND_NP, WEATHER_CLAUSE

LOOK_KEYS = ("size", "color", "material", "shape")
MAX_SENTENCES_PER_KIND = 4  # more copies of one object are written as a number
END_ONLY = {  # a change of light with no start time
    "night": "night falls",
    "sunset": "the sun sets",
    "dawn": "the sun rises",
    "noon": "the light turns to noon",
}
_PUNCT = re.compile(r"[,;.!?:()\"]")


@dataclass(frozen=True)
class Expansion:
    """text: what the user wrote; expanded: the caption-style rewrite; understood: what the
    parser read; unknown: the user's words it did not understand, verbatim."""

    text: str
    expanded: str
    understood: Constraints
    unknown: list[str]


def expand_prompt(text: str) -> Expansion:
    """Rewrite `text` in the rich-caption style (see the module doc)."""
    understood = parse_prompt(text)
    notes = read_notes(text, understood)
    objects = understood.objects
    names = object_names(objects)
    sentences = setting_sentences(understood)
    for i, o in enumerate(objects):
        again = any(looks(p) == looks(o) for p in objects[:i])
        sentences += object_sentences(o, notes.objects.get(i, ObjectNotes()), again)
    sentences += [hit_sentence(h, names) for h in notes.hits if h.target is not None]
    if understood.occluder:
        sentences.append(occluder_sentence(understood.occluder, notes))
    if understood.camera:
        sentences.append(camera_sentence(understood.camera, notes, names))
    if notes.lamps:
        sentences.append(lamps_sentence(notes.lamps))
    unknown = verbatim(text, understood.unknown)
    if unknown:
        sentences.append(", ".join(unknown) + ".")
    return Expansion(text, " ".join(sentences), understood, unknown)


def expand_spec(spec: GenerationSpec) -> GenerationSpec:
    """The spec with `expanded_prompt` set, when it asks for expansion and has none."""
    if not spec.expand_prompt or spec.expanded_prompt is not None:
        return spec
    return dataclasses.replace(spec, expanded_prompt=expand_prompt(spec.prompt).expanded)


# ---------------------------------------------------------------------------
# Sentences, in the caption's order and words
# ---------------------------------------------------------------------------


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."


def _article(words: str) -> str:
    return ("an " if words[:1] in "aeiou" else "a ") + words


def _join(clauses: list[str]) -> str:
    return clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + " and " + clauses[-1]


def setting_sentences(c: Constraints) -> list[str]:
    """ "Sunset turning to night over a grassy field in the rain." with what is known."""
    text = ""
    if c.time_of_day:
        text = V.TIMES[c.time_of_day][0]
        if c.time_of_day_end:
            text += f" {V.EVENT_PHRASES['light_change'][0]} {V.TIMES[c.time_of_day_end][0]}"
    if c.ground:
        ground = GROUND_NP[V.GROUNDS[c.ground][0]]
        text = f"{text} over {ground}" if text else ground
    if c.weather in WEATHER_CLAUSE:
        text = f"{text} {WEATHER_CLAUSE[c.weather][0]}".strip()
    elif c.weather == "none":
        text = f"{text} under a clear sky".strip()
    out = [_sentence(text)] if text else []
    if c.time_of_day_end and not c.time_of_day:
        out.append(_sentence(END_ONLY[c.time_of_day_end]))
    return out


def looks(o: ObjectConstraint) -> str:
    """ "small red rubber ball": size, colour, material, shape in caption words."""
    words = [
        V.SIZES[o.size][0] if o.size else None,
        o.color,
        V.MATERIALS[o.material][0] if o.material else None,
        V.SHAPES[o.shape][0] if o.shape else "object",
    ]
    return " ".join(w for w in words if w)


def motion_clause(o: ObjectConstraint, n: ObjectNotes, form: str = "s") -> str:
    """How an object moves, as the caption says it ("bounces high quickly to the left");
    form "s" (one object) or "base" (several)."""
    motion, direction = o.motion, o.direction
    where = V.DIRECTIONS[direction][0] if direction else ""
    if motion is None:
        return f"{V.inflect('move', form)} {where}" if direction else ""
    if motion == "stay":
        if n.height:
            text = f"{V.inflect('hover', form)} {V.HEIGHTS[n.height][0]}"
        else:
            text = V.inflect((V.AIRBORNE_STAY if n.airborne else V.GROUND_STAY)[0], form)
        return f"{text} {where}".strip()
    text = V.inflect(V.MOTIONS[motion][0], form)
    if motion == "bounce" and n.height:
        text += " " + V.HEIGHTS[n.height][1]
    if n.speed:
        text += " " + V.SPEEDS[n.speed][0]
    if motion == "fall" and n.height == "high":
        text += " " + V.HEIGHTS["high"][3]
    if direction in ("left", "right") and motion in ("fall", "rise"):
        text += f", moving {where}"
    elif direction:
        text += f" {where}"
    if motion in ("fly", "orbit") and n.height:
        text += " " + V.HEIGHTS[n.height][0]
    return text


def _events(o: ObjectConstraint, n: ObjectNotes, form: str) -> str:
    clauses = [V.inflect(V.EVENTS["enter"][0], form)] if n.enters else []
    if main := motion_clause(o, n, form):
        clauses.append(main)
    if n.settles:
        clauses.append("then " + V.inflect(V.EVENTS["settle"][0], form))
    if n.leaves:
        clauses.append(V.inflect(V.EVENTS["leave"][0], form))
    return _join(clauses) if clauses else ""


def object_sentences(o: ObjectConstraint, n: ObjectNotes, again: bool = False) -> list[str]:
    """One sentence per object ("A red ball bounces. Another red ball bounces."; `again`:
    an earlier object looks the same), or one for a group: "Several red balls bounce."
    (count unstated), "6 red balls bounce."."""
    desc = looks(o)
    if o.at_least or o.count > MAX_SENTENCES_PER_KIND:
        many = "several" if o.at_least else str(o.count)
        return [_sentence(f"{many} {V.plural(desc)} {_events(o, n, 'base')}".strip())]
    does = _events(o, n, "s")
    first = _sentence(f"{'another ' + desc if again else _article(desc)} {does}".strip())
    return [first] + [_sentence(f"another {desc} {does}".strip())] * (o.count - 1)


def object_names(objects: tuple[ObjectConstraint, ...]) -> dict[int, str]:
    """A short unique name per object, as the caption makes them: "red ball", else with
    its size, else with its material, else "first red ball"."""
    keys = (("color", "shape"), ("size", "color", "shape"), ("size", "color", "material", "shape"))
    names = {}
    for i, o in enumerate(objects):
        for key in keys:
            if sum(all(getattr(p, k) == getattr(o, k) for k in key) for p in objects) == 1:
                names[i] = looks(o.model_copy(update={k: None for k in LOOK_KEYS if k not in key}))
                break
        else:
            twins = [j for j, p in enumerate(objects) if looks(p) == looks(o)]
            plain = looks(o.model_copy(update={"size": None, "material": None}))
            names[i] = f"{ORDINALS[min(twins.index(i), len(ORDINALS) - 1)]} {plain}"
    return names


def hit_sentence(h: Hit, names: dict[int, str]) -> str:
    text = f"the {names[h.hitter]} {V.inflect(V.EVENTS['hit'][0], 's')} the {names[h.target]}"
    if h.times:
        text += " " + V.EVENT_PHRASES[h.times][0]
    if h.rebound:
        text += " and " + V.inflect(V.EVENTS["rebound"][0], "s")
    elif h.push:
        text += f" and {V.inflect(V.EVENTS['push'][0], 's')} it {V.DIRECTIONS[h.push][0]}"
    return _sentence(text)


def occluder_sentence(kind: str, notes: Notes) -> str:
    name = _article(V.OCCLUDERS[kind][0])
    if notes.occluder_event != "pass_in_front":
        return _sentence(f"{name} {V.inflect(V.EVENTS['stand_in_front'][0], 's')}")
    side = f" {V.DIRECTIONS[notes.occluder_direction][3]}" if notes.occluder_direction else ""
    return _sentence(f"{name} {V.inflect(V.EVENTS['pass_in_front'][0], 's')}{side}")


def camera_sentence(move: str, notes: Notes, names: dict[int, str]) -> str:
    verb = V.inflect(V.CAMERA[move][0], "s")
    if move == "tracking":
        target = notes.camera_target
        if target is None and len(names) == 1:
            target = next(iter(names))
        return _sentence(
            f"the camera {verb} the {names[target]}" if target is not None else f"the camera {verb}"
        )
    speed = V.SPEEDS[notes.camera_speed][0] + " " if notes.camera_speed else ""
    return _sentence(f"the camera {speed}{verb}")


def lamps_sentence(lamps: str) -> str:
    if lamps == "on":
        return _sentence(f"{V.EVENT_PHRASES['lamps_on'][0]} {V.EVENT_PHRASES['darken'][0]}")
    if lamps == "off":
        return _sentence(f"{V.EVENT_PHRASES['lamps_off'][0]} {V.EVENT_PHRASES['brighten'][0]}")
    return _sentence(V.EVENT_PHRASES["lamps_lit"][0])


# ---------------------------------------------------------------------------
# Unknown words, verbatim
# ---------------------------------------------------------------------------


def _words(text: str) -> list[tuple[str, int, int]]:
    """The parser's words of `text` (normalised) with the span of the user's word each
    comes from."""
    out = []
    for m in re.finditer(r"\S+", text):
        for part in _PUNCT.split(lexicon_normalise(m.group())):
            out += [(w.strip("'"), m.start(), m.end()) for w in part.split() if w.strip("'")]
    return out


def verbatim(text: str, phrases: tuple[str, ...] | list[str]) -> list[str]:
    """The user's own words for the parser's unknown phrases, in order; phrases next to
    each other (or with only filler between) are one span: "cat playing the piano"."""
    words, skip = _words(text), filler()
    ranges: list[list[int]] = []
    start = 0
    for phrase in phrases:
        target = phrase.split()
        found = _find(words, target, start)
        if found is None:
            found = _find(words, target, 0)
        if found is None:
            continue
        i, j = found
        if (
            ranges
            and all(words[k][0] in skip for k in range(ranges[-1][1], i))
            and i >= ranges[-1][1]
        ):
            ranges[-1][1] = j
        else:
            ranges.append([i, j])
        start = j
    spans = [text[words[i][1] : words[j - 1][2]].strip(",;.!?:()\"' ") for i, j in ranges]
    return [s for s in spans if s]


def _find(words: list[tuple[str, int, int]], target: list[str], start: int):
    n = len(target)
    for i in range(start, len(words) - n + 1):
        if [w for w, _, _ in words[i : i + n]] == target:
            return i, i + n
    return None
