"""Word rules: term lists, co-occurrence pairs, public-figure names and the hard rule.

Rules read the normalised prompt (`reelforge.safety.normalize`). A term is a phrase of
words; in a term, `word*` matches any ending ("dismember*" → "dismembered"), a lone `*`
skips up to three words ("slit * throat") and the last word may take a plural or
possessive ending. `re:` starts a raw
regular expression.

The hard rule (sexual content with minors) lives here, in code, on purpose: no policy
file can turn it off or weaken its word lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reelforge.safety.normalize import Normalized

# ---------------------------------------------------------------------------
# Term sets
# ---------------------------------------------------------------------------

_GAP = r"[^a-z0-9]{0,3}"  # between the words of a phrase: "self-harm", "self harm", "selfharm"
_SKIP = r"(?:[^a-z0-9]+[a-z0-9']+){0,3}"  # a lone * in a term: up to three words
_END = r"(?:s|es|'s|’s)?"


def _word_pattern(word: str) -> str:
    """A word of a term as a regex; `word*` is a prefix."""
    prefix = word.endswith("*")
    return re.escape(word.rstrip("*")) + (r"[a-z0-9]*" if prefix else "")


def term_pattern(term: str) -> str:
    """One term (see the module docstring) as a regex without its boundaries."""
    if term.startswith("re:"):
        return f"(?:{term[3:]})"
    words = [w for w in re.split(r"[\s\-]+", term.strip().lower()) if w]
    out, gap = "", ""
    for word in words:
        if word == "*":
            out += _SKIP
            continue
        out += gap + _word_pattern(word)
        gap = _GAP
    return out + ("" if words[-1].endswith("*") else _END)


_NEGATED = re.compile(r"(?:^|[^a-z0-9])(?:no|not|non|without|zero|never)[^a-z0-9]{1,3}$")


class TermSet:
    """Terms compiled into one regex; `find` returns the first match in any text.

    With `negatable`, a match right after "no", "not", "without"... does not count
    ("a horror film, no gore"); the hard rule's sets are not negatable.
    """

    def __init__(self, terms: Iterable[str], negatable: bool = False):
        self.terms = tuple(t for t in terms if t.strip())
        self.negatable = negatable
        body = "|".join(term_pattern(t) for t in sorted(self.terms, key=len, reverse=True))
        self.regex = re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])") if body else None

    def find(self, texts: Sequence[str]) -> str | None:
        if self.regex is None:
            return None
        for text in texts:
            for m in self.regex.finditer(text):
                if not (self.negatable and _NEGATED.search(text, 0, m.start())):
                    return m.group(0)
        return None

    def __bool__(self) -> bool:
        return bool(self.terms)


# ---------------------------------------------------------------------------
# A rule hit
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """A rule that fired: its category, its name, the layer it sits in, what it matched."""

    category: str
    rule: str
    layer: str
    matched: str


# ---------------------------------------------------------------------------
# Configurable rules for one category
# ---------------------------------------------------------------------------


@dataclass
class CategoryRules:
    """Terms that block alone, pairs of term lists that block together, and `allow`
    phrases that disarm this category's word rules (the similarity layer still runs)."""

    category: str
    terms: TermSet = field(default_factory=lambda: TermSet(()))
    pairs: list[tuple[TermSet, TermSet]] = field(default_factory=list)
    allow: TermSet = field(default_factory=lambda: TermSet(()))

    @classmethod
    def build(cls, category, terms=(), pairs=(), allow=()) -> CategoryRules:
        pairs = [(TermSet(a, negatable=True), TermSet(b, negatable=True)) for a, b in pairs]
        return cls(category, TermSet(terms, negatable=True), pairs, TermSet(allow))

    def check(self, text: Normalized) -> Hit | None:
        if self.allow.find(text.variants):
            return None
        if found := self.terms.find(text.variants):
            return Hit(self.category, f"terms:{self.category}", "rules", found)
        for first, second in self.pairs:
            a, b = first.find(text.variants), second.find(text.variants)
            if a and b:
                return Hit(self.category, f"pair:{self.category}", "rules", f"{a} + {b}")
        return None


# ---------------------------------------------------------------------------
# Public figures by name
# ---------------------------------------------------------------------------


class NameList:
    """Names of public figures, each with its aliases ("joe biden", "biden").

    A name matches as words in the prompt, or, when it is at least 8 letters without
    spaces, anywhere in the prompt's letters ("t.a.y.l.o.r s.w.i.f.t", "taylorswift").
    A name of 9 letters or more also matches with one letter left out, which is what a
    masked letter leaves after normalising ("d0nald tr*mp" → "donaldtrmp").
    """

    def __init__(self, names: Iterable[str | Sequence[str]]):
        self.entries = [[n] if isinstance(n, str) else list(n) for n in names]
        self.terms = TermSet(alias for entry in self.entries for alias in entry)
        joined = {
            re.sub(r"[^a-z0-9]", "", alias.lower()): entry[0]
            for entry in self.entries
            for alias in entry
        }
        self.compact = {j: name for j, name in joined.items() if len(j) >= 8}
        for j, name in joined.items():
            if len(j) >= 9:
                for i in range(len(j)):
                    self.compact.setdefault(j[:i] + j[i + 1 :], name)

    def check(self, text: Normalized) -> Hit | None:
        if found := self.terms.find(text.variants):
            return Hit("public_figures", "names:public_figures", "names", found)
        for joined, name in self.compact.items():
            if joined in text.compact:
                return Hit("public_figures", "names:public_figures", "names", name)
        return None


# ---------------------------------------------------------------------------
# The hard rule: sexual content with minors. Not configurable.
# ---------------------------------------------------------------------------

MINOR_TERMS = TermSet(
    [
        "child", "children", "childs", "kid", "kiddie", "kiddo", "toddler", "infant", "baby",
        "babies", "preteen", "pre teen", "tween", "underage*", "under age", "minors",
        "a minor", "schoolgirl", "schoolboy", "school girl", "school boy", "little girl",
        "little boy", "young girl", "young boy", "small girl", "small boy", "young child", "teen", "teens", "teenage*", "teenager",
        "adolescent", "pubescent", "prepubescent", "juvenile", "middle school*",
        "elementary school*", "grade school*", "kindergarten*", "high school*", "daughter",
        "son", "stepdaughter", "stepson", "niece", "nephew", "girl scout", "boy scout",
        "youngster*", "little ones", "young teen*", "underaged", "grade schooler*",
        "elementary schooler*", "middle schooler*",
        # ages: normalize() also writes number words as digits ("of eleven" → "of 11")
        "re:(?:[1-9]|1[0-7]) ?-?(?:yo|y/o|y\\.o\\.?|(?:yrs?|years?)[ -]?olds?)",
        "re:(?:[1-9]|1[0-7]) years? of age",
        "re:(?:aged?|age) (?:[1-9]|1[0-7])",
        "re:(?:boy|girl|kid|child|son|daughter|student|pupil|schoolboy|schoolgirl)s?,? "
        "(?:of|aged?|age|maybe|about|around|barely|only|just|under) (?:[1-9]|1[0-7])",
        # school grades, as pupils ("a 7th grader", "seventh grade girls"), not as a
        # grade of something else ("a sexy second grade teacher")
        "re:(?:[1-9]|1[0-2])(?:st|nd|rd|th) (?:graders?|grade (?:girl|boy|kid|student|pupil)s?)",
        "re:(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh"
        "|twelfth) (?:graders?|grade (?:girl|boy|kid|student|pupil)s?)",
        "re:(?:in|into|from|entering|starting) (?:the )?(?:(?:[1-9]|1[0-2])(?:st|nd|rd|th)"
        "|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)"
        " grade|(?:in|into|from) (?:grade|year) (?:[1-9]|1[0-2])",
        # a plain age said of a person ("she's really 16"), but not a height or a time
        "re:(?:she|he|they|i)(?:'s|'re|'m| is| are| am| was| were)"
        "(?: really| only| just| barely| actually| still| like)? (?:[1-9]|1[0-7])"
        "(?! ?(?:foot|feet|ft|inch|inches|in|cm|m|meters?|metres?|kg|lbs?|pounds?|stone|%"
        "|percent|times|mph|km|miles?|min|mins|minutes?|hours?|days?|weeks?|months?"
        "|points?|dollars?|bucks|am|pm|o'clock|[\'\"])(?![a-z0-9]))",
        "re:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
        "|fourteen|fifteen|sixteen|seventeen)[ -]years?[ -]olds?",
    ]
)  # fmt: skip

SEXUAL_TERMS = TermSet(
    [
        "sex", "sexy", "sexual*", "sexualis*", "sexualiz*", "porn*", "nude*", "nudity",
        "naked", "undress*", "unclothed", "no clothes", "without clothes", "topless",
        "bottomless", "lingerie", "erotic*", "sensual*", "seduc*", "striptease",
        "stripper", "stripping", "intercourse", "orgasm*", "masturbat*", "genital*",
        "nipple*", "breasts", "lewd*", "nsfw", "xxx", "hentai", "fetish*", "molest*",
        "grope*", "groping", "fondl*", "rape", "raped", "raping", "making love", "provocative*",
        "onlyfans", "in bed with", "aroused", "arousal", "explicit", "nudes", "suggestive*",
        "lap dance*", "lapdance*", "twerk*", "strip tease", "blowjob*", "handjob*", "boobs",
        "penis", "vagina", "erection", "horny", "kinky", "sexting", "sext", "thong",
        "lace bra", "bdsm", "hooking up",
    ]
)  # fmt: skip

# Terms that name sexual material with minors outright.
CSAM_TERMS = TermSet(
    [
        "csam", "child porn*", "kiddie porn*", "kiddy porn*", "loli", "lolis", "lolicon",
        "shota", "shotacon", "jailbait", "pedo", "pedos", "pedophil*", "paedo",
        "paedophil*", "child abuse material*", "child sexual abuse", "cheese pizza",
    ]
)  # fmt: skip

# Outright terms glued into other words ("xchildpornx"): searched in the compact text.
_GLUED = ("childporn", "kiddieporn", "kiddyporn", "lolicon", "shotacon", "csam")


def hard_rule(text: Normalized) -> Hit | None:
    """Sexual content with minors: a named term, or a minor term and a sexual term
    anywhere in the prompt. Always on; nothing in a policy file reaches this function."""
    if found := CSAM_TERMS.find(text.variants):
        return Hit("minors", "hard:csam_terms", "hard_rule", found)
    if glued := next((g for g in _GLUED if g in text.compact), None):
        return Hit("minors", "hard:csam_terms", "hard_rule", glued)
    minor = MINOR_TERMS.find(text.variants)
    sexual = SEXUAL_TERMS.find(text.variants) if minor else None
    if minor and sexual:
        return Hit("minors", "hard:minor_plus_sexual", "hard_rule", f"{minor} + {sexual}")
    return None
