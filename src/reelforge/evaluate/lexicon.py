"""The words the prompt parser knows: phrase -> (category, canonical value).

Canonical values are the scene's own names (scene.py, palette.py). Synonyms come from
`reelforge.world.vocabulary` when it is there, merged over the small tables below, which
also hold the parser's own cues (numbers, change markers, clause breaks) and its policy of
filler words (ignored without being reported as unknown).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache

from reelforge.world.palette import COLOR_NAMES
from reelforge.world.scene import (
    CAMERA_MOVES,
    GROUNDS,
    MATERIALS,
    MOTIONS,
    OCCLUDER_KINDS,
    SHAPES,
    SIZES,
    TIMES_OF_DAY,
    WEATHERS,
)

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------
# Synonyms per category (canonical value -> phrases)
# ---------------------------------------------------------------------------

COLORS = {
    "red": ["crimson", "scarlet", "ruby", "cherry"],
    "orange": ["tangerine", "amber"],
    "yellow": ["golden", "gold", "lemon"],
    "green": ["lime", "emerald", "grass green"],
    "cyan": ["teal", "turquoise", "aqua", "light blue", "sky blue"],
    "blue": ["navy", "cobalt", "azure", "dark blue"],
    "purple": ["violet", "lilac", "lavender", "indigo"],
    "pink": ["magenta", "rose", "fuchsia", "hot pink"],
    "white": ["snow white", "ivory"],
    "black": ["jet black", "ebony"],
}
SHAPE_WORDS = {
    "ball": ["balls", "sphere", "spheres", "orb", "orbs", "marble", "marbles"],
    "cube": ["cubes", "box", "boxes", "block", "blocks", "die", "dice"],
    "cone": ["cones", "traffic cone"],
    "star": ["stars"],
    "ring": ["rings", "donut", "donuts", "doughnut", "torus", "hoop", "hoops"],
    "cylinder": ["cylinders", "can", "cans", "tube", "tubes", "drum", "drums", "barrel"],
    "pyramid": ["pyramids", "tetrahedron"],
}
SIZE_WORDS = {
    "small": ["little", "tiny", "mini", "smaller", "petite", "miniature"],
    "medium": ["medium sized", "medium size", "mid sized", "midsize", "average sized"],
    "large": ["big", "huge", "giant", "bigger", "larger", "enormous", "massive"],
}
MATERIAL_WORDS = {
    "rubber": ["rubbery"],
    "wood": ["wooden"],
    "metal": ["metallic", "steel", "iron", "chrome"],
    "glass": ["glassy", "crystal"],
}
MOTION_WORDS = {
    "bounce": [
        "bounces",
        "bouncing",
        "bounced",
        "bouncy",
        "hops",
        "hopping",
        "jumps",
        "jumping",
        "bounces up and down",
    ],
    "roll": ["rolls", "rolling", "rolled", "slides", "sliding", "tumbles along"],
    "fall": [
        "falls",
        "falling",
        "drops",
        "dropping",
        "dropped",
        "falls down",
        "plummets",
        "plunges",
        "tumbles",
        "tumbling",
        "falls to the ground",
        "drops down",
    ],
    "rise": [
        "rises",
        "rising",
        "ascends",
        "ascending",
        "floats up",
        "floating up",
        "drifts up",
        "drifting up",
        "lifts off",
        "goes up",
        "moves up",
        "floats upward",
        "rises up",
    ],
    "fly": [
        "flies",
        "flying",
        "soars",
        "soaring",
        "glides",
        "gliding",
        "floats across",
        "floating across",
        "sails",
        "drifts across",
        "flies across",
    ],
    "orbit": [
        "orbits",
        "orbiting",
        "circles",
        "circling",
        "spins around",
        "loops",
        "looping",
        "goes around",
        "goes round",
        "moves in a circle",
        "in a circle",
        "circles around",
        "revolves",
        "revolving",
    ],
    "stay": [
        "stays",
        "staying",
        "stays still",
        "stays put",
        "sits",
        "sitting",
        "rests",
        "resting",
        "stationary",
        "motionless",
        "still",
        "standing still",
        "stands still",
        "does not move",
        "doesn't move",
        "not moving",
        "at rest",
        "sits still",
        "static",
        "remains still",
        "stays in place",
        "stands",
    ],
}
DIRECTION_WORDS = {
    "left": [
        "to the left",
        "leftward",
        "leftwards",
        "towards the left",
        "from right to left",
        "right to left",
    ],
    "right": [
        "to the right",
        "rightward",
        "rightwards",
        "towards the right",
        "from left to right",
        "left to right",
    ],
    "clockwise": ["clock wise"],
    "counterclockwise": [
        "anticlockwise",
        "counter clockwise",
        "anti clockwise",
        "counterclockwise",
    ],
}
CAMERA_WORDS = {
    "static": [
        "static camera",
        "still camera",
        "fixed camera",
        "locked off",
        "stationary camera",
        "the camera is still",
        "camera stays still",
        "camera does not move",
        "locked camera",
        "tripod shot",
    ],
    "pan_left": [
        "pans left",
        "pan left",
        "panning left",
        "pans to the left",
        "panning to the left",
        "pan to the left",
    ],
    "pan_right": [
        "pans right",
        "pan right",
        "panning right",
        "pans to the right",
        "panning to the right",
        "pan to the right",
    ],
    "tilt_up": [
        "tilts up",
        "tilt up",
        "tilting up",
        "tilts upward",
        "tilting upward",
        "pans up",
        "panning up",
    ],
    "tilt_down": [
        "tilts down",
        "tilt down",
        "tilting down",
        "tilts downward",
        "tilting downward",
        "pans down",
        "panning down",
    ],
    "push_in": [
        "push in",
        "pushes in",
        "pushing in",
        "zoom in",
        "zooms in",
        "zooming in",
        "dolly in",
        "dollies in",
        "dollying in",
        "moves closer",
        "moving closer",
        "slow push in",
        "closes in",
    ],
    "pull_out": [
        "pull out",
        "pulls out",
        "pulling out",
        "zoom out",
        "zooms out",
        "zooming out",
        "dolly out",
        "dollies out",
        "pull back",
        "pulls back",
        "pulling back",
        "moves away",
        "moving away",
    ],
    "tracking": [
        "tracking shot",
        "tracks",
        "tracking",
        "follows",
        "following",
        "tracking camera",
        "follow cam",
        "follow shot",
    ],
}
TIME_WORDS = {
    "dawn": ["sunrise", "daybreak", "early morning", "morning", "first light", "at dawn"],
    "noon": [
        "midday",
        "daytime",
        "day",
        "afternoon",
        "broad daylight",
        "daylight",
        "middle of the day",
        "high noon",
        "bright day",
    ],
    "sunset": ["dusk", "golden hour", "evening", "twilight", "sundown"],
    "night": [
        "nighttime",
        "night time",
        "midnight",
        "moonlight",
        "moonlit",
        "at night",
        "after dark",
        "nightfall",
    ],
}
WEATHER_WORDS = {
    "none": ["clear", "clear sky", "clear weather", "sunny", "fair weather", "cloudless"],
    "rain": [
        "raining",
        "rainy",
        "rains",
        "drizzle",
        "drizzling",
        "downpour",
        "rainfall",
        "rainstorm",
        "storm",
        "showers",
        "pouring rain",
    ],
    "snow": [
        "snowing",
        "snowfall",
        "snowflakes",
        "snowflake",
        "snows",
        "snowstorm",
        "blizzard",
        "falling snow",
    ],
    "fog": ["foggy", "mist", "misty", "haze", "hazy", "fogbound"],
}
GROUND_WORDS = {
    "grass": ["grassy", "lawn", "meadow", "field", "grassland", "grassy field", "turf"],
    "sand": ["sandy", "beach", "desert", "dunes", "dune"],
    "snow": [
        "snowy ground",
        "snowfield",
        "snow field",
        "snow covered ground",
        "snowy field",
        "on snow",
        "on the snow",
        "across the snow",
        "over the snow",
    ],
    "water": ["lake", "pond", "sea", "ocean", "river", "on water", "on the water"],
    "floor": ["indoors", "indoor", "studio", "tiles", "tiled floor", "room", "hall"],
}
OCCLUDER_WORDS = {
    "pillar": ["pillars", "column", "post", "pole"],
    "tree": ["trees", "tree trunk"],
    "wall": ["walls", "fence", "panel"],
}

NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "single": 1,
    "lone": 1,
    "two": 2,
    "pair of": 2,
    "a pair of": 2,
    "couple of": 2,
    "a couple of": 2,
    "both": 2,
    "twin": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
# a time-of-day word after one of these is the time at the end of the clip
CHANGE_MARKERS = [
    "turning to",
    "turning into",
    "turns to",
    "turns into",
    "becoming",
    "becomes",
    "fading to",
    "fading into",
    "fades to",
    "fades into",
    "changing to",
    "changes to",
    "changing into",
    "giving way to",
    "until",
    "into",
    "to",
    "then",
]
# phrases that mean a change of time of day on their own
CHANGE_PHRASES = {
    "night falls": "night",
    "night falling": "night",
    "getting dark": "night",
    "gets dark": "night",
    "grows dark": "night",
    "darkening": "night",
    "sun sets": "sunset",
    "sun setting": "sunset",
    "sun goes down": "sunset",
    "sun rises": "dawn",
    "sun rising": "dawn",
    "sun comes up": "dawn",
}
CLAUSE_BREAKS = [
    "while",
    "as",
    "whereas",
    "but",
    "meanwhile",
    "and then",
    "when",
    "whilst",
    "next to it",
    "beside it",
    "nearby",
    "also",
]
CAMERA_NOUNS = ["camera", "the camera", "shot", "view", "cam", "lens"]
GENERIC_MOTION = [
    "moves",
    "moving",
    "goes",
    "going",
    "travels",
    "travelling",
    "traveling",
    "heads",
    "heading",
    "drifts",
    "drifting",
    "floats",
    "floating",
    "passes",
    "passing",
    "crosses",
    "crossing",
    "runs",
    "moved",
]
VERTICAL = {
    "up": "rise",
    "upward": "rise",
    "upwards": "rise",
    "down": "fall",
    "downward": "fall",
    "downwards": "fall",
}

# Filler: function words and style/quality words that state nothing the world can show.
# They are skipped silently; every other word the parser does not know is reported.
FILLER = set(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "it's",
        "is",
        "are",
        "was",
        "were",
        "be",
        "being",
        "been",
        "has",
        "have",
        "had",
        "of",
        "in",
        "on",
        "at",
        "to",
        "from",
        "with",
        "without",
        "into",
        "onto",
        "over",
        "under",
        "across",
        "along",
        "through",
        "around",
        "by",
        "for",
        "near",
        "beside",
        "next",
        "behind",
        "front",
        "than",
        "then",
        "there",
        "here",
        "who",
        "which",
        "whose",
        "while",
        "some",
        "and",
        "or",
        "each",
        "other",
        "another",
        "ones",
        "very",
        "appears",
        "appear",
        "appearing",
        "visible",
        "present",
        "really",
        "quite",
        "just",
        "also",
        "too",
        "so",
        "up",
        "its",
        "scene",
        "shot",
        "video",
        "clip",
        "footage",
        "image",
        "picture",
        "frame",
        "view",
        "background",
        "foreground",
        "sky",
        "ground",
        "world",
        "land",
        "surface",
        "landscape",
        "setting",
        "shows",
        "showing",
        "show",
        "seen",
        "we",
        "see",
        "there's",
        "cinematic",
        "beautiful",
        "realistic",
        "photorealistic",
        "detailed",
        "high",
        "quality",
        "hd",
        "4k",
        "8k",
        "1080p",
        "stunning",
        "epic",
        "dramatic",
        "vivid",
        "lovely",
        "nice",
        "simple",
        "tiny-world",
        "render",
        "rendered",
        "animation",
        "animated",
        "style",
        "lighting",
        "light",
        "sunlight",
        "sun",
        "moon",
        "weather",
        "time",
        "together",
        "slowly",
        "gently",
        "smoothly",
        "quickly",
        "fast",
        "slow",
        "steadily",
        "softly",
        "lazily",
        "briskly",
        "repeatedly",
        "again",
        "continuously",
        "playfully",
        "happily",
        "object",
        "objects",
        "thing",
        "things",
        "shape",
        "shapes",
        "item",
        "items",
        "colored",
        "coloured",
        "color",
        "colour",
        "made",
        "from",
        "out",
        "toward",
        "towards",
        "way",
        "side",
        "where",
        "during",
        "its",
        "camera",
        "cam",
        "lens",
        "entire",
        "whole",
    ]
)


def _table() -> dict[str, dict[str, list[str]]]:
    return {
        "color": COLORS,
        "shape": SHAPE_WORDS,
        "size": SIZE_WORDS,
        "material": MATERIAL_WORDS,
        "motion": MOTION_WORDS,
        "direction": DIRECTION_WORDS,
        "camera": CAMERA_WORDS,
        "time": TIME_WORDS,
        "weather": WEATHER_WORDS,
        "ground": GROUND_WORDS,
        "occluder": OCCLUDER_WORDS,
    }


_CANONICAL = {
    "color": COLOR_NAMES,
    "shape": SHAPES,
    "size": SIZES,
    "material": MATERIALS,
    "motion": MOTIONS,
    "direction": ("left", "right", "clockwise", "counterclockwise", "none"),
    "camera": CAMERA_MOVES,
    "time": TIMES_OF_DAY,
    "weather": WEATHERS,
    "ground": GROUNDS,
    "occluder": OCCLUDER_KINDS,
}

# words that name a category value but mean something else in another category first
_AMBIGUOUS_CANONICAL = {
    ("weather", "snow"),
    ("weather", "none"),
    ("direction", "none"),
    ("ground", "snow"),
    ("camera", "static"),
    ("motion", "stay"),
}


NOTED = ("speed", "height", "event")


def _vocabulary_filler() -> set[str]:
    try:
        from reelforge.world import vocabulary
    except ImportError:
        return set()
    return set(getattr(vocabulary, "FILLER_WORDS", ()))


def filler() -> set[str]:
    """The words skipped silently: ours and the vocabulary module's."""
    return FILLER | _vocabulary_filler()


def _vocabulary_synonyms() -> dict[str, dict[str, list[str]]]:
    """Synonym lists from reelforge.world.vocabulary, keyed like `_table()`; {} if absent."""
    try:
        from reelforge.world import vocabulary
    except ImportError:
        return {}
    found = getattr(vocabulary, "SYNONYMS", None)
    if not isinstance(found, Mapping):
        return {}
    out: dict[str, dict[str, list[str]]] = {}
    for category, entries in found.items():
        if isinstance(entries, Mapping):
            out[str(category)] = {str(k): [str(w) for w in v] for k, v in entries.items()}
    return out


def normalise(text: str) -> str:
    """Lower case, hyphens and underscores to spaces, straight apostrophes."""
    return text.lower().replace("’", "'").replace("-", " ").replace("_", " ")


@cache
def phrases() -> dict[tuple[str, ...], tuple[str, str]]:
    """Every known phrase (as a word tuple) -> (category, canonical value)."""
    out: dict[tuple[str, ...], tuple[str, str]] = {}

    def add(category: str, value: str, phrase: str) -> None:
        key = tuple(normalise(phrase).split())
        if key and key not in out:
            out[key] = (category, value)

    for category, entries in _table().items():
        for value, words in entries.items():
            for w in words:
                add(category, value, w)
    # the vocabulary module's synonyms, for the words the tables above do not cover
    vocab_categories = {
        "colour": "color",
        "colors": "color",
        "shapes": "shape",
        "motions": "motion",
        "times": "time",
        "time_of_day": "time",
        "camera_moves": "camera",
        "grounds": "ground",
    }
    for category, entries in _vocabulary_synonyms().items():
        category = vocab_categories.get(category, category)
        if category in NOTED:  # understood, not judged: speeds, heights, events
            for words in entries.values():
                for w in words:
                    add("noted", "", w)
            continue
        if category not in _CANONICAL:
            continue
        for value, words in entries.items():
            if value in _CANONICAL[category]:
                for w in words:
                    add(category, value, w)
    for category, values in _CANONICAL.items():
        for value in values:
            if (category, value) not in _AMBIGUOUS_CANONICAL:
                add(category, value, value.replace("_", " "))
    for phrase, n in NUMBERS.items():
        add("number", str(n), phrase)
    for phrase, end in CHANGE_PHRASES.items():
        add("change_time", end, phrase)
    for phrase in CHANGE_MARKERS:
        add("change", "", phrase)
    for phrase in CLAUSE_BREAKS:
        add("break", "", phrase)
    for phrase in CAMERA_NOUNS:
        add("camera_noun", "", phrase)
    for phrase in GENERIC_MOTION:
        add("generic_motion", "", phrase)
    for phrase, kind in VERTICAL.items():
        add("vertical", kind, phrase)
    add("snow", "", "snow")  # weather or ground: decided by context
    add("snow", "", "snowy")
    for phrase in ("snow falls", "snow falling", "snow is falling", "snow drifting"):
        add("weather", "snow", phrase)
    for phrase in ("rain falls", "rain falling", "rain is falling", "rain pouring"):
        add("weather", "rain", phrase)
    add("pronoun", "", "it")
    add("pronoun", "", "they")
    add("pronoun", "", "one")
    for phrase in ("several", "many", "some", "multiple", "a few", "few"):
        add("number", "0", phrase)
    return out


@cache
def longest_phrase() -> int:
    return max(len(k) for k in phrases())
