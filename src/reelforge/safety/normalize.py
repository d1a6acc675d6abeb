"""Prompt normalisation: undo the tricks that hide a word from the rules.

`normalize(text)` applies, in order: NFKC; removal of invisible format characters
(zero-width spaces and joiners, soft hyphens, bidi marks); lower case; accents stripped;
Cyrillic and Greek lookalikes folded to Latin ("рогn" → "porn"); spaced-out letters
joined ("s e x", "s.e.x", "p-o-r-n" → "sex", "porn"); masking marks inside words
dropped ("p*rn" → "prn", "po_rn" → "porn"); leetspeak folded in words that mix letters
with digits or symbols ("p0rn", "k1ll", "s3x", "$uicide"). Pure numbers ("1990", "12")
and numbers with a unit ("4k", "1990s", "15yo", "3d") are left alone. A letter typed three
or more times is read both ways: cut to two ("killll" → "kill") and to one ("sexxx" →
"sex"); rules try every reading. One more reading writes ages as digits, so one rule
reads them all: number words become digits ("eleven" → "11", "twelve-year-old" →
"12-year-old") and an age glued to its unit is spaced ("12yo", "12y/o", "12yrs" →
"12 yo", "12 y/o", "12 yrs").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------

# Lower-case Cyrillic and Greek letters that look like Latin ones (after casefold).
CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "і": "i", "ї": "i", "ј": "j",
        "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y",
        "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ь": "b",
        "п": "n", "г": "r", "ɡ": "g",
        # Greek
        "α": "a", "β": "b", "γ": "y", "ε": "e", "ζ": "z", "η": "n", "ι": "i", "κ": "k",
        "μ": "u", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
        "ς": "c",
        # Latin letters that do not decompose
        "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t",
        # quotes
        "’": "'", "‘": "'", "ʼ": "'", "`": "'",
    }
)  # fmt: skip

LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
     "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e"}
)  # fmt: skip
LEET_ALT = {**LEET, ord("1"): "l", ord("!"): "l"}  # "k1ll" reads "kill", "1oli" reads "loli"

_TOKEN = re.compile(r"[a-z0-9@$!|+€]+")
_NUMBER_WITH_UNIT = re.compile(
    r"\d+(?:[.,]\d+)?(?:s|st|nd|rd|th|k|d|p|x|m|cm|mm|km|kg|g|ft|yo|yrs?|h|hrs?|min|fps|px|am|pm|mb|gb)?"
)
_SINGLE = re.compile(r"[a-z0-9@$]")
_SPACED_GAP = re.compile(r"[ \t.\-_*·•~/\\]{1,4}")
_MASK_INSIDE = re.compile(r"(?<=[a-z])[*_^~`]+(?=[a-z])")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_NUMBER_WORDS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
]  # fmt: skip
_NUMBER_WORD = re.compile(r"(?<![a-z])(" + "|".join(_NUMBER_WORDS) + r")(?![a-z])")
_GLUED_AGE = re.compile(r"(?<![a-z0-9])(\d{1,2})(yo|y/o|y\.o\.?|yrs?|years?)(?![a-z])")

# ---------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------


def strip_invisible(text: str) -> str:
    """Drop format characters (Unicode category Cf): zero-width, soft hyphen, bidi."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def strip_accents(text: str) -> str:
    """Decompose, drop combining marks, recompose: "beyoncé" → "beyonce"."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept)


def join_spaced_letters(text: str, split_article: bool = False) -> str:
    """Runs of three or more single characters with small gaps become one word.

    "s e x" → "sex"; "p.o.r.n" → "porn"; "t a y l o r  s w i f t" → "taylor swift";
    "a n.a.k.e.d" → "a naked" (a blank gap unlike the run's usual gap stays a space).
    With `split_article`, a run of four or more that starts with "a" or "i" keeps that
    letter as a word ("a p o r n" → "a porn"); `normalize` reads it both ways.
    """
    pieces = re.split(r"([a-z0-9@$]+)", text)  # even: gaps, odd: words
    out, i = [], 0
    while i < len(pieces):
        j = i
        # extend while: word at j+1 is one char and the gap before the next word is small
        while (
            j + 3 < len(pieces)
            and _SINGLE.fullmatch(pieces[j + 1])
            and _SPACED_GAP.fullmatch(pieces[j + 2])
            and _SINGLE.fullmatch(pieces[j + 3])
        ):
            j += 2
        if split_article and (j - i) // 2 + 1 >= 4 and pieces[i + 1] in ("a", "i"):
            out += [pieces[i], pieces[i + 1]]  # "a p o r n": the article stays a word
            i += 2
            continue
        if (j - i) // 2 + 1 >= 3:
            letters, gaps = pieces[i + 1 : j + 2 : 2], pieces[i + 2 : j + 1 : 2]
            usual = max(set(gaps), key=gaps.count)
            word = letters[0] + "".join(
                (" " if g != usual and g.strip() == "" else "") + c
                for g, c in zip(gaps, letters[1:], strict=True)
            )
            out += [pieces[i], word]
            i = j + 2
        else:
            out.append(pieces[i])
            i += 1
    return "".join(out)


def ages_as_digits(text: str) -> str:
    """Number words as digits and ages spaced from their unit: "a boy of eleven" → "a boy
    of 11", "twelve-year-old" → "12-year-old", "12yo" → "12 yo"."""
    text = _NUMBER_WORD.sub(lambda m: str(_NUMBER_WORDS.index(m.group(1))), text)
    return _GLUED_AGE.sub(r"\1 \2", text)


def fold_leet(text: str, table: dict[int, str] = LEET) -> str:
    """Fold digits and symbols to letters inside words that also hold letters."""

    def fold(m: re.Match[str]) -> str:
        word = m.group(0)
        core = word.rstrip("!+")  # "kill!" keeps its "!" as punctuation
        tail = word[len(core) :]
        has_letter = any(c.isalpha() for c in core)
        has_leet = any(not c.isalpha() for c in core)
        if not (has_letter and has_leet) or _NUMBER_WITH_UNIT.fullmatch(core):
            return word
        return core.translate(table) + tail

    return _TOKEN.sub(fold, text)


# ---------------------------------------------------------------------------
# The whole pipeline
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Normalized:
    """A prompt after normalisation.

    text: the folded prompt, long letter runs cut to two (what the embedding reads);
    variants: text and the other readings (1 → l, runs as typed, runs cut to one), which
    the rules read; compact: text's letters and digits only ("taylorswift"), for names
    written with tricks between their letters.
    """

    original: str
    text: str
    variants: tuple[str, ...]
    compact: str


def _bases(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)
    text = strip_invisible(text).casefold()
    text = strip_accents(text).translate(CONFUSABLES)
    joined = [join_spaced_letters(text, split) for split in (True, False)]
    return list(dict.fromkeys(_MASK_INSIDE.sub("", t) for t in joined))


def normalize(text: str) -> Normalized:
    """Fold a prompt for the moderation rules; see the module docstring for the steps."""
    readings = [
        _clean(fold_leet(base, table)) for base in _bases(text) for table in (LEET, LEET_ALT)
    ]
    cuts = [_REPEATS.sub(cut, r) for r in readings for cut in (r"\1\1", r"\1")]
    ages = [ages_as_digits(cuts[0]), _clean(ages_as_digits(_bases(text)[-1]))]
    variants = tuple(dict.fromkeys([cuts[0], *readings, *cuts[1:], *ages]))
    return Normalized(text, cuts[0], variants, re.sub(r"[^a-z0-9]+", "", cuts[0]))


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
