"""Captions of a scene: one rich caption (what the model trains on) and short prompts
(what users type), both built from `scene_facts` and worded from `vocabulary`.

The rich caption states every visible fact in a fixed order: the setting (time of day
and its change, ground, weather), each object on screen (size, colour, material, shape,
motion with its direction, speed and height words), the collisions, the occluder, the
camera move and the street lamps. It always uses each fact's first phrase. Short prompts
say a true subset of it in varied words and orders; they never add anything.
"""

from __future__ import annotations

import hashlib
import random

from reelforge.world import vocabulary as V
from reelforge.world.facts import CollisionFacts, ObjectFacts, SceneFacts, scene_facts
from reelforge.world.scene import Scene

# How a ground and a weather sit in a sentence (the words are vocabulary phrases).
GROUND_NP = {
    "grassy field": "a grassy field",
    "grass": "grass",
    "meadow": "a meadow",
    "sandy ground": "sandy ground",
    "sand": "sand",
    "snowy field": "a snowy field",
    "snow-covered ground": "snow-covered ground",
    "open water": "open water",
    "water": "water",
    "wooden floor": "a wooden floor",
    "floor": "the floor",
}
WEATHER_CLAUSE = {
    "rain": ("in the rain", "in rain", "raining"),
    "snow": ("as snow falls", "in falling snow", "snowing"),
    "fog": ("in fog", "in the mist", "foggy", "misty"),
}
TIME_PREP = {"early morning": "in the", "daytime": "in the", "golden hour": "during"}


def _article(words: str) -> str:
    return ("an " if words[:1] in "aeiou" else "a ") + words


def _join(clauses: list[str]) -> str:
    """Clauses joined as in a list: a; a and b; a, b and c."""
    return clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + " and " + clauses[-1]


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."


def _names(facts: SceneFacts) -> dict[int, str]:
    """A short unique name per object: "red ball", else "large red ball", else with its
    material, else "first red ball"."""
    objs = facts.objects
    keys = [
        lambda o: (o.color, o.shape),
        lambda o: (o.size, o.color, o.shape),
        lambda o: (o.size, o.color, o.material, o.shape),
    ]
    names = {}
    for o in objs:
        for key in keys:
            if sum(key(p) == key(o) for p in objs) == 1:
                names[o.index] = " ".join(_word(k) for k in key(o))
                break
        else:
            twins = [p.index for p in objs if keys[2](p) == keys[2](o)]
            ordinal = ("first", "second", "third", "fourth")[twins.index(o.index)]
            names[o.index] = f"{ordinal} {o.color} {V.SHAPES[o.shape][0]}"
    return names


def _word(value: str) -> str:
    """The caption word of an object attribute value (size, colour, material, shape)."""
    for table in (V.SIZES, V.MATERIALS, V.SHAPES):
        if value in table:
            return table[value][0]
    return value


# ---------------------------------------------------------------------------
# Rich caption
# ---------------------------------------------------------------------------


def _time_phrase(facts: SceneFacts) -> str:
    text = V.TIMES[facts.time_start][0]
    if facts.time_end:
        text += f" {V.EVENT_PHRASES['light_change'][0]} {V.TIMES[facts.time_end][0]}"
    return text


def _setting(facts: SceneFacts) -> str:
    text = f"{_time_phrase(facts)} over {GROUND_NP[V.GROUNDS[facts.ground][0]]}"
    if facts.weather in WEATHER_CLAUSE:
        text += " " + WEATHER_CLAUSE[facts.weather][0]
    return _sentence(text)


def _stay_clause(o: ObjectFacts, pick, form: str) -> str:
    if not o.airborne:
        return V.inflect(pick(V.GROUND_STAY), form)  # "rests on the ground"
    if o.height:
        return f"{V.inflect('hover', form)} {V.HEIGHTS[o.height][0]}"  # "hovers high in the air"
    return V.inflect(pick(V.AIRBORNE_STAY), form)


def _first(words: tuple[str, ...]) -> str:
    return words[0]


def _motion_clause(o: ObjectFacts, pick=_first, form: str = "s", speed: bool = True) -> str:
    """How an object moves, e.g. "rolls quickly to the left". pick chooses among
    synonyms (the caption takes the first), form is the verb form ("s" or "ing")."""
    if o.motion == "stay":
        return _stay_clause(o, pick, form)
    text = V.inflect(pick(V.MOTIONS[o.motion]), form)
    if o.motion == "bounce" and o.height:
        text += " " + V.HEIGHTS[o.height][1]  # "bounces high"
    if o.speed and speed:
        text += " " + V.SPEEDS[o.speed][0]
    if o.motion == "fall" and o.height == "high":
        text += " " + V.HEIGHTS["high"][3]  # "from high up"
    if o.direction in ("left", "right"):
        where = pick(V.DIRECTIONS[o.direction][:3])
        text += f", moving {where}" if o.motion in ("fall", "rise") else f" {where}"
    elif o.direction in ("clockwise", "counterclockwise"):
        text += " " + pick(V.DIRECTIONS[o.direction])
    elif o.motion == "bounce":
        text += " " + pick(V.DIRECTIONS["none"])
    if o.motion in ("fly", "orbit") and o.height:
        text += " " + V.HEIGHTS[o.height][0]  # "close to the ground"
    return text


def _object_sentence(o: ObjectFacts, earlier: list[ObjectFacts]) -> str:
    looks = (o.size, o.color, o.material, o.shape)
    desc = " ".join(_word(v) for v in looks)
    same = any((p.size, p.color, p.material, p.shape) == looks for p in earlier)
    subject = f"another {desc}" if same else _article(desc)
    events = V.EVENTS
    clauses = [V.inflect(events["enter"][0], "s")] if o.enters else []
    clauses.append(_motion_clause(o))
    if o.settles:
        clauses.append("then " + V.inflect(events["settle"][0], "s"))
    if o.leaves:
        clauses.append(V.inflect(events["leave"][0], "s"))
    return _sentence(f"{subject} {_join(clauses)}")


def _collision_sentence(c: CollisionFacts, names: dict[int, str]) -> str:
    text = f"the {names[c.hitter]} {V.inflect(V.EVENTS['hit'][0], 's')} the {names[c.target]}"
    if c.count == 2:
        text += " " + V.EVENT_PHRASES["twice"][0]
    elif c.count > 2:
        text += " " + V.EVENT_PHRASES["repeatedly"][0]
    if c.rebound:
        text += " and " + V.inflect(V.EVENTS["rebound"][0], "s")
    elif c.push:
        text += f" and {V.inflect(V.EVENTS['push'][0], 's')} it {V.DIRECTIONS[c.push][0]}"
    return _sentence(text)


def _occluder_sentence(facts: SceneFacts) -> str:
    name = _article(V.OCCLUDERS[facts.occluder][0])
    if facts.occluder_direction == "none":
        return _sentence(f"{name} {V.inflect(V.EVENTS['stand_in_front'][0], 's')}")
    side = V.DIRECTIONS[facts.occluder_direction][3]  # "from left to right"
    return _sentence(f"{name} {V.inflect(V.EVENTS['pass_in_front'][0], 's')} {side}")


def _camera_sentence(facts: SceneFacts, names: dict[int, str]) -> str:
    verb = V.inflect(V.CAMERA[facts.camera][0], "s")
    if facts.camera == "tracking":
        return _sentence(f"the camera {verb} the {names[facts.camera_target]}")
    speed = V.SPEEDS[facts.camera_speed][0] + " " if facts.camera_speed else ""
    return _sentence(f"the camera {speed}{verb}")


def _lamps_sentence(facts: SceneFacts) -> str:
    if facts.lamps == "on":
        return _sentence(f"{V.EVENT_PHRASES['lamps_on'][0]} {V.EVENT_PHRASES['darken'][0]}")
    if facts.lamps == "off":
        return _sentence(f"{V.EVENT_PHRASES['lamps_off'][0]} {V.EVENT_PHRASES['brighten'][0]}")
    return _sentence(V.EVENT_PHRASES["lamps_lit"][0])


def caption_of(facts: SceneFacts) -> str:
    """The rich caption of already computed facts."""
    names = _names(facts)
    sentences = [_setting(facts)]
    for k, o in enumerate(facts.objects):
        sentences.append(_object_sentence(o, list(facts.objects[:k])))
    sentences += [_collision_sentence(c, names) for c in facts.collisions]
    if facts.occluder:
        sentences.append(_occluder_sentence(facts))
    sentences.append(_camera_sentence(facts, names))
    if facts.lamps:
        sentences.append(_lamps_sentence(facts))
    return " ".join(sentences)


def rich_caption(scene: Scene) -> str:
    """One caption stating every visible fact of `scene`, in a fixed order."""
    return caption_of(scene_facts(scene))


# ---------------------------------------------------------------------------
# Short prompts
# ---------------------------------------------------------------------------

# optional parts of a prompt, dropped in this order while it is too long
OPTIONAL = ("lamps", "occluder", "hits", "weather", "camera", "others", "ground", "time")


def _pieces(facts: SceneFacts, rng: random.Random) -> dict:
    """The parts one prompt may say, each worded at random, some left out at random."""
    pick = rng.choice
    names = _names(facts)
    objects = list(facts.objects)
    main = next((o for o in objects if o.index == facts.camera_target), None)
    main = main or next((o for o in objects if o.motion != "stay"), objects[0] if objects else None)
    others = [o for o in objects if o is not main and rng.random() < 0.5]
    shown = {o.index for o in [main, *others] if o is not None}
    p: dict = {"main": main, "others": others}
    if not main or rng.random() < 0.8:
        p["time"] = _prompt_time(facts, pick)
    if not main or rng.random() < 0.65:
        ground = pick(V.GROUNDS[facts.ground])
        prep = "over" if facts.ground == "water" else "in" if ground == "meadow" else "on"
        p["ground"] = f"{prep} {GROUND_NP[ground]}"
    if facts.weather in WEATHER_CLAUSE and rng.random() < 0.6:
        p["weather"] = pick(WEATHER_CLAUSE[facts.weather])
    if rng.random() < 0.55:
        p["camera"] = _prompt_camera(facts, names, shown, rng)
    hits = [c for c in facts.collisions if {c.hitter, c.target} <= shown]
    if hits and rng.random() < 0.5:
        c = hits[0]
        verb = V.inflect(pick(V.EVENTS["hit"]), "s")
        p["hits"] = f"the {names[c.hitter]} {verb} the {names[c.target]}"
    if facts.occluder and rng.random() < 0.3:
        event = "stand_in_front" if facts.occluder_direction == "none" else "pass_in_front"
        thing = _article(pick(V.OCCLUDERS[facts.occluder]))
        p["occluder"] = f"{thing} {V.inflect(pick(V.EVENTS[event]), 's')}"
    if facts.lamps and rng.random() < 0.3:
        key = {"on": "lamps_on", "off": "lamps_off", "lit": "lamps_lit"}[facts.lamps]
        p["lamps"] = pick(V.EVENT_PHRASES[key][:2])
    return p


def _prompt_time(facts: SceneFacts, pick) -> tuple[str, str]:
    """(as a lead, as a tail with its separator): ("At dusk", " at dusk"), ("Dusk turning
    to night", ", dusk turning to night")."""
    start = pick(V.TIMES[facts.time_start])
    if not facts.time_end:
        text = f"{TIME_PREP.get(start, 'at')} {start}"
        return text, " " + text
    end = pick(V.TIMES[facts.time_end])
    if pick((True, False)):
        return f"from {start} to {end}", f" from {start} to {end}"
    text = f"{start} {pick(V.EVENT_PHRASES['light_change'])} {end}"
    return text, ", " + text


def _prompt_camera(facts: SceneFacts, names: dict, shown: set[int], rng) -> tuple[str, bool]:
    """(text, whether it is a shot name that can lead the prompt)."""
    move, pick = facts.camera, rng.choice
    target = names.get(facts.camera_target, "")
    plain = not target.startswith(("first", "second", "third", "fourth"))  # no twin to tell
    if move == "tracking" and facts.camera_target in shown and plain and rng.random() < 0.5:
        return f"camera {V.inflect(pick(V.CAMERA['tracking']), 's')} the {target}", False
    if rng.random() < 0.6:
        speed = {"slow": "slow ", "fast": pick(["quick ", "fast "])}.get(facts.camera_speed, "")
        return speed + pick(V.CAMERA_SHOTS[move]), True
    speed = V.SPEEDS[facts.camera_speed][0] + " " if facts.camera_speed else ""
    return f"the camera {speed}{V.inflect(pick(V.CAMERA[move]), 's')}", False


def _noun(o: ObjectFacts, rng: random.Random, article: bool) -> str:
    words = [rng.choice(V.SIZES[o.size])] if rng.random() < 0.35 else []
    words.append(o.color)
    if rng.random() < 0.25:
        words.append(rng.choice(V.MATERIALS[o.material]))
    text = " ".join([*words, rng.choice(V.SHAPES[o.shape])])
    return _article(text) if article else text


def _subject(o: ObjectFacts, rng: random.Random, form: str, article: bool) -> str:
    """ "a red ball bounces to the left" (form "s") or "red sphere hopping left" ("ing")."""
    pick = rng.choice
    speed = rng.random() < 0.5
    clause = _motion_clause(o, pick, form, speed)
    if o.motion in ("fall", "rise"):
        clause = clause.split(",")[0]  # the sideways drift is a detail prompts leave out
    return f"{_noun(o, rng, article)} {clause}"


def _assemble(p: dict, rng: random.Random) -> str:
    """One prompt in one of four word orders:
    0 "At dusk, a red ball bounces to the right on grass, slow pan left"
    1 "red ball bouncing to the right on grass at dusk, slow pan left"
    2 "Slow pan left: a red ball bouncing to the right on grass at dusk"
    3 "At dusk on grass: a red ball bounces to the right, slow pan left"."""
    style = rng.randrange(4)
    form = "ing" if style in (1, 2) else "s"
    article = style != 1 or rng.random() < 0.5
    subjects = [_subject(o, rng, form, article) for o in [p["main"], *p["others"]] if o]
    if len(subjects) == 2 and form == "s":
        who = rng.choice([" while ", " and "]).join(subjects)
    else:
        who = _join(subjects) if subjects else ""
    ground, time = p.get("ground"), p.get("time")
    if style == 3 and time and ground and who:
        body = f"{time[0]} {ground}: {who}"
    else:
        body = " ".join(x for x in (who, ground) if x)
        if style == 0 and time and body:
            body = f"{time[0]}, {body}"
        elif time:
            body = body + time[1] if body else time[0]
    tail = [p[k] for k in ("weather", "hits", "occluder", "lamps") if k in p]
    if "camera" in p:
        camera, shot = p["camera"]
        if style == 2 and who and shot:
            body = f"{camera}: {body}"
        else:
            tail.append(camera)
    text = ", ".join([body, *tail])
    text = text[0].upper() + text[1:] if rng.random() < 0.75 else text
    return text + "." if rng.random() < 0.5 else text


def _prompt(facts: SceneFacts, rng: random.Random, limit: int) -> str:
    p = _pieces(facts, rng)
    state = rng.getstate()
    for drop in (None, *OPTIONAL):
        if drop == "others":
            p["others"] = []
        elif drop:
            p.pop(drop, None)
        rng.setstate(state)  # the same wording with one part fewer
        text = _assemble(p, rng)
        if len(text) < limit:
            return text
    return text


def _prompt_seed(scene: Scene, seed: int) -> int:
    digest = hashlib.sha256(f"{seed}:{scene.to_json()}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def _variants(text: str) -> list[str]:
    """The same prompt with other capitals and full stops."""
    bare = text.rstrip(".")
    cases = {bare, bare[0].upper() + bare[1:], bare[0].lower() + bare[1:]}
    return sorted(c + stop for c in cases for stop in ("", "."))


def short_prompts(scene: Scene, count: int = 4, seed: int = 0) -> list[str]:
    """`count` distinct short prompts a user might type for `scene`, each shorter than
    its rich caption and stating only true facts. The same seed gives the same prompts.
    (A scene too bare to word `count` ways gets as many as it has.)"""
    facts = scene_facts(scene)
    limit = len(caption_of(facts))
    rng = random.Random(_prompt_seed(scene, seed))
    out: list[str] = []
    seen: set[str] = set()
    for _ in range(60 * max(count, 0)):
        if len(out) == count:
            return out
        text = _prompt(facts, rng, limit)
        if V.normalise(text) not in seen:
            seen.add(V.normalise(text))
            out.append(text)
    for text in [v for t in out for v in _variants(t)]:  # too little to vary: vary the look
        if len(out) < count and text not in out:
            out.append(text)
    return out[: max(count, 0)]
