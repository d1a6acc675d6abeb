"""The world's words: every phrase the captions and prompts write, and the phrases users
type, each tied to the fact it states.

Each table maps a canonical value (the scene's own name, as in scene.py) to the phrases
reelforge *writes* for it, the rich caption's phrase first; the `EXTRA` tables hold
phrases users type that are *read* but never written. Verbs are stored in their base form
("bounce", "pan to the left"); `inflect` makes "bounces" and "bouncing". `SYNONYMS` is
every phrase, written and read, in every form, per category (the scene's eleven: color,
shape, size, material, motion, direction, camera, time, ground, weather, occluder; and
speed, height, event) and canonical value, for the judge's prompt parser. `LEXICON`
inverts it (phrase -> meanings) and `find_terms` reads a text with it.

Disambiguation, for anyone reading prompts:

1. The longest phrase wins (precisely: the reading that covers the most words, then the
   one with the fewest phrases): "snowy field" (ground) over "snowy" (weather), "golden hour"
   (time) over "golden" (colour), "dark blue" (colour) over "dark" (night), "pans to the
   left" (camera) over "to the left" (direction), "as snow falls" (weather) over "falls"
   (motion), "from left to right" (direction right) over "left", "wooden floor" (ground)
   over "wooden" (material), "light rain" (rain) and "light blue" (cyan) over "light".
2. Snow: bare "snow", "snowy", "snowing", "snowfall" are the weather; snow as a place
   ("on snow", "in the snow", "snowy field/ground/meadow", "snow-covered ground") is the
   ground.
3. A direction inside a camera phrase belongs to the camera; a direction elsewhere
   belongs to the nearest object before it. "from the left" means moving right.
4. Still: "stays still", "rests", "sits" are an object's motion (stay); "static shot",
   "still camera", "holds still" (after "camera") are the camera.
5. A speed word (slowly, quickly) belongs to the motion or camera move next to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

from reelforge.world.palette import COLOR_NAMES

# ---------------------------------------------------------------------------
# Written phrases: canonical value -> phrases, the caption's first
# ---------------------------------------------------------------------------

SHAPES = {
    "ball": ("ball", "sphere", "orb"),
    "cube": ("cube", "box", "block"),
    "cone": ("cone",),
    "star": ("star",),
    "ring": ("ring", "hoop"),
    "cylinder": ("cylinder",),
    "pyramid": ("pyramid",),
}
COLORS = {c: (c,) for c in COLOR_NAMES}
SIZES = {
    "small": ("small", "little"),
    "medium": ("medium-sized", "mid-sized"),
    "large": ("large", "big"),
}
MATERIALS = {
    "rubber": ("rubber",),
    "wood": ("wooden",),
    "metal": ("metal", "metallic"),
    "glass": ("glass",),
}
MOTIONS = {  # base-form verbs; stay's "hover" phrases are for objects in the air only
    "bounce": ("bounce", "hop"),
    "roll": ("roll", "roll along"),
    "fall": ("fall to the ground", "fall", "drop"),
    "rise": ("rise", "float up"),
    "fly": ("fly", "glide", "soar"),
    "orbit": ("circle", "orbit"),
    "stay": (
        "rest on the ground",
        "rest",
        "sit still",
        "stay still",
        "hover in the air",
        "hover",
        "float in place",
    ),
}
GROUND_STAY = ("rest on the ground", "rest", "sit still", "stay still")
AIRBORNE_STAY = ("hover in the air", "hover", "float in place")
DIRECTIONS = {
    "left": ("to the left", "left", "leftward", "from right to left", "from the right"),
    "right": ("to the right", "right", "rightward", "from left to right", "from the left"),
    "none": ("in place", "up and down"),
    "clockwise": ("clockwise",),
    "counterclockwise": ("counterclockwise", "anticlockwise"),
}
SPEEDS = {"slow": ("slowly", "slow"), "fast": ("quickly", "fast", "quick")}
HEIGHTS = {
    "low": ("close to the ground", "low", "near the ground"),
    "high": ("high in the air", "high", "high up", "from high up"),
}
CAMERA = {  # base-form verb phrases; their subject is "the camera"
    "static": ("hold still", "hold steady"),
    "pan_left": ("pan to the left", "pan left", "sweep to the left", "sweep left"),
    "pan_right": ("pan to the right", "pan right", "sweep to the right", "sweep right"),
    "tilt_up": ("tilt up", "tilt upward"),
    "tilt_down": ("tilt down", "tilt downward"),
    "push_in": ("push in", "zoom in", "dolly in"),
    "pull_out": ("pull out", "zoom out", "dolly out", "pull back"),
    "tracking": ("follow", "track"),
}
CAMERA_SHOTS = {  # noun phrases for prompts ("slow pan to the left")
    "static": ("static shot", "static camera", "locked-off shot"),
    "pan_left": ("pan to the left", "pan left", "sweep to the left"),
    "pan_right": ("pan to the right", "pan right", "sweep to the right"),
    "tilt_up": ("tilt up", "upward tilt"),
    "tilt_down": ("tilt down", "downward tilt"),
    "push_in": ("push-in", "zoom in", "dolly in"),
    "pull_out": ("pull-out", "zoom out", "dolly out"),
    "tracking": ("tracking shot",),
}
TIMES = {
    "dawn": ("dawn", "sunrise", "early morning"),
    "noon": ("noon", "midday", "daytime"),
    "sunset": ("sunset", "dusk", "golden hour"),
    "night": ("night", "nighttime"),
}
GROUNDS = {
    "grass": ("grassy field", "grass", "meadow"),
    "sand": ("sandy ground", "sand"),
    "snow": ("snowy field", "snow-covered ground"),
    "water": ("open water", "water"),
    "floor": ("wooden floor", "floor"),
}
WEATHERS = {
    "rain": ("rain", "rainy", "raining"),
    "snow": ("as snow falls", "falling snow", "snowfall", "snowing"),
    "fog": ("fog", "foggy", "mist", "misty"),
}
OCCLUDERS = {
    "pillar": ("stone pillar", "pillar", "column"),
    "tree": ("tree", "tree trunk"),
    "wall": ("wall",),
}
EVENTS = {  # what happens, as base-form verb phrases
    "hit": ("hit", "bump into", "strike"),
    "rebound": ("bounce back", "bounce off"),
    "push": ("knock", "push"),
    "enter": ("come into view", "enter the frame"),
    "leave": ("leave the frame", "go out of view"),
    "settle": ("come to rest", "settle"),
    "pass_in_front": ("pass in front", "cross in front"),
    "stand_in_front": ("stand in the foreground", "stand in front"),
}
EVENT_PHRASES = {  # what happens, as fixed phrases
    "light_change": ("turning to", "fading into", "giving way to"),
    "lamps_on": ("street lamps switch on", "street lamps come on"),
    "lamps_off": ("street lamps switch off", "street lamps go out"),
    "lamps_lit": ("street lamps glow", "lit street lamps", "street lamps glowing"),
    "darken": ("as it gets dark", "as darkness falls"),
    "brighten": ("as it gets light", "as the sky brightens"),
    "twice": ("twice",),
    "repeatedly": ("several times", "repeatedly"),
}

# ---------------------------------------------------------------------------
# Read-only phrases: what users type
# ---------------------------------------------------------------------------

EXTRA = {
    "shape": {
        "ball": ("globe", "marble"),
        "cube": ("crate",),
        "ring": ("donut", "doughnut", "torus"),
        "cylinder": ("tube", "can", "barrel", "drum"),
    },
    "color": {
        "red": ("crimson", "scarlet", "dark red"),
        "yellow": ("golden", "gold", "lemon"),
        "green": ("lime", "emerald", "dark green"),
        "cyan": ("teal", "turquoise", "aqua", "light blue", "sky blue"),
        "blue": ("navy", "cobalt", "dark blue"),
        "purple": ("violet", "lilac", "lavender"),
        "pink": ("magenta", "rose", "hot pink"),
    },
    "size": {"small": ("tiny", "mini"), "medium": ("medium",), "large": ("huge", "giant")},
    "material": {
        "wood": ("wood", "timber"),
        "metal": ("steel", "iron", "chrome"),
        "glass": ("glassy", "crystal"),
    },
    "motion": {
        "bounce": ("jump", "bounce along"),
        "roll": ("tumble along",),
        "fall": ("fall down", "plummet", "drop down"),
        "rise": ("ascend", "float upward", "lift off", "levitate"),
        "fly": ("fly across", "sail"),
        "orbit": ("spin around", "go around", "revolve"),
        "stay": ("sit", "stay", "stand", "stand still", "remain", "stay put"),
    },
    "direction": {
        "left": ("right to left", "right-to-left", "leftwards", "towards the left"),
        "right": ("left to right", "left-to-right", "rightwards", "towards the right"),
        "counterclockwise": ("counter-clockwise", "anti-clockwise"),
    },
    "camera": {  # verbs
        "static": ("stay still", "stay fixed"),
        "push_in": ("move closer", "close in"),
        "pull_out": ("move away", "pull away"),
    },
    "camera_shot": {  # nouns
        "static": ("still camera", "fixed camera", "locked-off camera", "tripod shot"),
        "tracking": ("tracking", "tracking camera", "follow cam", "follow shot"),
    },
    "time": {
        "dawn": ("daybreak", "morning", "first light"),
        "noon": ("afternoon", "daylight", "broad daylight"),
        "sunset": ("twilight", "evening", "sundown"),
        "night": ("midnight", "dark", "in the dark", "after dark", "moonlight", "moonlit"),
    },
    "ground": {
        "grass": ("grassy", "lawn", "field"),
        "sand": ("sandy", "beach", "desert", "dunes"),
        "snow": (
            "on snow",
            "on the snow",
            "in the snow",
            "snowy ground",
            "snowy meadow",
            "snowfield",
            "snow field",
        ),
        "water": ("lake", "pond", "sea", "ocean", "on water", "on the water"),
        "floor": ("floorboards", "planks", "indoors", "tiled floor"),
    },
    "weather": {
        "none": ("clear", "clear sky", "clear weather"),
        "rain": ("light rain", "rainfall", "drizzle", "downpour", "rain falls"),
        "snow": ("snow", "snowy", "snowflakes", "snowstorm", "blizzard", "snow falls"),
        "fog": ("haze", "hazy"),
    },
    "occluder": {"pillar": ("post", "pole"), "tree": ("trunk",), "wall": ("fence", "barrier")},
}

# Words that state nothing the world shows (articles, prepositions, "camera", ...).
_FILLER = """a an the of in on at to from into over under across along with while as and
then it its is are by during another other one first second third fourth camera moving
scene shot video clip"""
FILLER_WORDS = frozenset(_FILLER.split())

# Thresholds that choose a speed word: (slow below, fast above) in the motion's unit:
# m/s (bounce and roll and fly: sideways; rise: upward; camera pans, tilts), revolutions
# per second (orbit), zoom change per second (push-in, pull-out).
SPEED_BANDS = {
    "bounce": (0.5, 1.6),
    "roll": (0.5, 1.6),
    "fly": (0.5, 1.6),
    "rise": (0.4, 1.0),
    "orbit": (0.2, 0.5),
    "pan": (0.4, 1.0),
    "tilt": (0.2, 0.6),
    "zoom": (0.15, 0.4),
}
HEIGHT_BANDS = (1.0, 3.0)  # metres: a start height below is low, above is high


def speed_word(kind: str, speed: float) -> str | None:
    """The speed word of a motion or camera kind at `speed`: "slow", "fast" or None."""
    slow, fast = SPEED_BANDS[kind]
    return "slow" if speed < slow else "fast" if speed > fast else None


def height_word(height: float) -> str | None:
    """The height word of a start height (metres): "low", "high" or None."""
    low, high = HEIGHT_BANDS
    return "low" if height < low else "high" if height > high else None


# ---------------------------------------------------------------------------
# Word forms
# ---------------------------------------------------------------------------

_IRREGULAR = {  # base: (third person, -ing)
    "fly": ("flies", "flying"),
    "sit": ("sits", "sitting"),
    "hop": ("hops", "hopping"),
    "drop": ("drops", "dropping"),
    "pan": ("pans", "panning"),
    "go": ("goes", "going"),
    "lie": ("lies", "lying"),
    "dolly": ("dollies", "dollying"),
    "hit": ("hits", "hitting"),
    "spin": ("spins", "spinning"),
}


def inflect(phrase: str, form: str) -> str:
    """The verb phrase with its first word in `form`: "base", "s" (bounces) or "ing"."""
    verb, _, rest = phrase.partition(" ")
    if form == "base":
        word = verb
    elif verb in _IRREGULAR:
        word = _IRREGULAR[verb][0 if form == "s" else 1]
    elif form == "s":
        word = verb + "es" if verb.endswith(("s", "sh", "ch", "x", "z")) else verb + "s"
    else:
        word = verb[:-1] + "ing" if verb.endswith("e") and not verb.endswith("ee") else verb + "ing"
    return f"{word} {rest}" if rest else word


def plural(noun: str) -> str:
    """The plural of a noun phrase (its last word)."""
    head, _, last = noun.rpartition(" ")
    if last.endswith(("s", "x", "sh", "ch")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}" if head else last


# ---------------------------------------------------------------------------
# Inversion
# ---------------------------------------------------------------------------

WRITTEN = {
    "shape": SHAPES,
    "color": COLORS,
    "size": SIZES,
    "material": MATERIALS,
    "motion": MOTIONS,
    "direction": DIRECTIONS,
    "speed": SPEEDS,
    "height": HEIGHTS,
    "camera": CAMERA,
    "camera_shot": CAMERA_SHOTS,
    "time": TIMES,
    "ground": GROUNDS,
    "weather": WEATHERS,
    "occluder": OCCLUDERS,
    "event": EVENTS,
    "event_phrase": EVENT_PHRASES,
}
_VERBS = ("motion", "camera", "event")  # tables of base-form verb phrases
_NOUNS = ("shape", "occluder")  # tables whose phrases also come as plurals
_CATEGORY = {
    "camera_shot": "camera",
    "event_phrase": "event",
}  # tables that state another table's facts


def normalise(text: str) -> str:
    """Lower case; hyphens and underscores to spaces; punctuation other than ' dropped."""
    text = text.lower().replace("’", "'").replace("-", " ").replace("_", " ")
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text).split())


def _forms(table: str, phrase: str) -> list[str]:
    if table in _VERBS:
        return [inflect(phrase, f) for f in ("base", "s", "ing")]
    if table in _NOUNS:
        return [phrase, plural(phrase)]
    return [phrase]


def _synonyms() -> dict[str, dict[str, tuple[str, ...]]]:
    """category -> canonical value -> every phrase (written and read), all forms."""
    out: dict[str, dict[str, list[str]]] = {}
    sources = [(t, v) for t, v in WRITTEN.items()] + [(t, v) for t, v in EXTRA.items()]
    for table, entries in sources:
        category = _CATEGORY.get(table, table)
        for value, phrases in entries.items():
            words = out.setdefault(category, {}).setdefault(value, [])
            for phrase in phrases:
                words += [normalise(f) for f in _forms(table, phrase) if normalise(f) not in words]
    return {c: {v: tuple(p) for v, p in e.items()} for c, e in out.items()}


SYNONYMS = MappingProxyType(_synonyms())


def _lexicon() -> dict[str, tuple[tuple[str, str], ...]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for category, entries in SYNONYMS.items():
        for value, phrases in entries.items():
            for phrase in phrases:
                meanings = out.setdefault(phrase, [])
                if (category, value) not in meanings:
                    meanings.append((category, value))
    return {p: tuple(m) for p, m in out.items()}


# phrase (normalised) -> its meanings as (category, canonical value); most have one
LEXICON = MappingProxyType(_lexicon())
_LONGEST = max(len(p.split()) for p in LEXICON)


@dataclass(frozen=True)
class Term:
    """A phrase found in a text: words [start, end) of the normalised text."""

    phrase: str
    meanings: tuple[tuple[str, str], ...]
    start: int
    end: int


def find_terms(text: str) -> list[Term]:
    """The known phrases of `text`, left to right: the reading that covers the most words,
    and of those the one with the fewest (so longest) phrases. Words that belong to no
    phrase are skipped."""
    words = normalise(text).split()
    # best[i]: (words covered, -phrases, first phrase length or 0 to skip) for words[i:]
    best: list[tuple[int, int, int]] = [(0, 0, 0)] * (len(words) + 1)
    for i in range(len(words) - 1, -1, -1):
        covered, count, _ = best[i + 1]
        options = [(covered, count, 0)]
        for n in range(1, min(_LONGEST, len(words) - i) + 1):
            if " ".join(words[i : i + n]) in LEXICON:
                covered, count, _ = best[i + n]
                options.append((covered + n, count - 1, n))
        best[i] = max(options)
    found, i = [], 0
    while i < len(words):
        n = best[i][2]
        if n:
            phrase = " ".join(words[i : i + n])
            found.append(Term(phrase, LEXICON[phrase], i, i + n))
        i += max(n, 1)
    return found


def canonical(category: str, phrase: str) -> str | None:
    """The canonical value a phrase names in a category ("sphere" -> "ball"), or None."""
    for cat, value in LEXICON.get(normalise(phrase), ()):
        if cat == category:
            return value
    return None
