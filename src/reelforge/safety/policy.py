"""The moderation policy (a YAML file) and the decision it produces.

`Policy.load(path=None)` reads the shipped `policy.yaml` (or another file with the same
shape): per category, whether it is on, its similarity and head thresholds and its word
rules; the public-figure names; the example phrases file; the margin over benign
examples; the learned head's file and how it combines with similarity.
`Decision` is what every check returns: allow, block or review, and why.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from reelforge.safety.errors import ModerationBlocked
from reelforge.types import InvalidInputError

DEFAULT_POLICY = Path(__file__).with_name("policy.yaml")

# Every category the moderator knows, in the order they are reported.
CATEGORIES = (
    "sexual",
    "minors",
    "graphic_violence",
    "hate",
    "self_harm",
    "weapons_extremism",
    "public_figures",
    "likeness",
)

HINTS = {
    "sexual": "reelforge does not make sexual content or nudity",
    "minors": "content that sexualises, exploits or harms children is always refused",
    "graphic_violence": "describe the scene without gore or graphic injury",
    "hate": "reelforge does not make content that demeans people for who they are",
    "self_harm": "if you are struggling, please reach out to someone you trust or a local "
    "crisis line",
    "weapons_extremism": "reelforge does not make weapon instructions or extremist content",
    "public_figures": "reelforge does not depict real public figures by name; describe a "
    "fictional person instead",
    "likeness": "a real person may appear only with their consent",
    "faces": "attest that everyone shown consented (consent=true), or upload an image "
    "without people",
}

# ---------------------------------------------------------------------------
# Decision
# ---------------------------------------------------------------------------

Action = Literal["allow", "block", "review"]


@dataclass(frozen=True)
class Decision:
    """The outcome of one check.

    action: "allow", "block" (the request fails with `ModerationBlocked`) or "review"
    (allowed to finish, held for an admin). layer: "hard_rule", "names", "rules", "head",
    "similarity" or "faces"; rule names the rule within it. score: the probability,
    similarity (or face count) behind the decision; scores: every category's similarity,
    and probabilities: the learned head's probability of each category (and benign),
    when computed.
    """

    action: Action
    category: str | None = None
    rule: str | None = None
    layer: str | None = None
    score: float | None = None
    normalized: str | None = None
    matched: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    probabilities: dict[str, float] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return self.action != "block"

    @property
    def blocked(self) -> bool:
        return self.action == "block"

    @property
    def flagged(self) -> bool:
        return self.action == "review"

    def to_dict(self) -> dict[str, Any]:
        return {"allowed": self.allowed, **asdict(self)}

    def error(self, param: str | None = None) -> ModerationBlocked:
        """The error a blocked request fails with; `param` names the field checked
        (default: the prompt, or the reference image for a face)."""
        faces = self.layer == "faces"
        return ModerationBlocked(
            f"The {'upload' if faces else 'prompt'} was blocked by moderation: {self.category}",
            category=self.category or "unknown",
            rule=self.rule,
            param=param or ("input_reference" if faces else "prompt"),
            hint=HINTS.get("faces" if faces else self.category or ""),
        )

    def raise_if_blocked(self) -> Decision:
        if self.blocked:
            raise self.error()
        return self


# ---------------------------------------------------------------------------
# Policy
# ---------------------------------------------------------------------------


@dataclass
class CategoryPolicy:
    """One category: on or off, its similarity threshold (None: no similarity layer),
    its head threshold (None: the learned head does not block it), its word rules (see
    rules.py for the term syntax) and, for public figures, names."""

    name: str
    enabled: bool = True
    threshold: float | None = None
    head_threshold: float | None = None
    terms: list[str] = field(default_factory=list)
    pairs: list[tuple[list[str], list[str]]] = field(default_factory=list)
    allow: list[str] = field(default_factory=list)
    names: list[str | list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class HeadPolicy:
    """The learned head (head.py): its weights file; `veto`: a similarity block needs
    the head's benign probability below this; `margin`: a head block needs the
    category's similarity to be at least the benign similarity plus this (negative: a
    little below is allowed)."""

    file: Path
    veto: float = 1.0
    margin: float = -1.0


@dataclass
class Policy:
    """The whole policy. `examples` is the example-phrases file (YAML: category → list of
    phrases, plus `benign`); `margin` is how far a category's similarity must beat the
    best benign similarity to block; `head` the learned head, if any."""

    categories: dict[str, CategoryPolicy]
    examples: Path
    margin: float = 0.0
    source: Path | None = None
    head: HeadPolicy | None = None

    @classmethod
    def load(cls, path: str | Path | None = None) -> Policy:
        path = Path(path) if path is not None else DEFAULT_POLICY
        return cls.from_dict(_read_yaml(path), base=path.parent, source=path)

    @classmethod
    def from_dict(cls, data: dict[str, Any], base: Path, source: Path | None = None) -> Policy:
        _only_keys(data, {"examples", "margin", "categories", "head"}, "policy")
        raw = data.get("categories") or {}
        if unknown := set(raw) - set(CATEGORIES):
            raise InvalidInputError(
                f"unknown moderation categories: {', '.join(sorted(unknown))}",
                param="policy",
                hint=f"known: {', '.join(CATEGORIES)}",
            )
        categories = {name: _category(name, raw.get(name) or {}) for name in CATEGORIES}
        for c in categories.values():
            _check_terms(c)
        examples = base / (data.get("examples") or "examples.yaml")
        if not examples.is_file():
            raise InvalidInputError(f"examples file not found: {examples}", param="policy")
        margin = _number(data.get("margin", 0.0), "margin")
        policy = cls(categories, examples, margin, source, _head(data.get("head"), base))
        policy.examples_by_category()  # a bad examples file fails now, not on a prompt
        return policy

    def threshold(self, category: str) -> float | None:
        """The similarity threshold of an enabled category, else None."""
        c = self.categories[category]
        return c.threshold if c.enabled else None

    def head_threshold(self, category: str) -> float | None:
        """The head threshold of an enabled category when the policy has a head, else None."""
        c = self.categories[category]
        return c.head_threshold if c.enabled and self.head else None

    def with_thresholds(
        self, thresholds: dict[str, float | None], head: dict[str, float | None] | None = None
    ) -> Policy:
        """A copy with some similarity (and head) thresholds replaced (tuning)."""
        head = head or {}
        categories = {
            name: CategoryPolicy(
                **{
                    **asdict(c),
                    "threshold": thresholds.get(name, c.threshold),
                    "head_threshold": head.get(name, c.head_threshold),
                }
            )
            for name, c in self.categories.items()
        }
        return Policy(categories, self.examples, self.margin, self.source, self.head)

    def examples_by_category(self) -> dict[str, list[str]]:
        """The example phrases per category (and `benign`), checked."""
        data = _read_yaml(self.examples)
        if unknown := set(map(str, data)) - {*CATEGORIES, "benign"}:
            raise InvalidInputError(
                f"{self.examples}: unknown categories {', '.join(sorted(unknown))}",
                param="policy",
            )
        out = {}
        for name, phrases in data.items():
            if not isinstance(phrases, list | None) or not all(
                isinstance(p, str) for p in phrases or []
            ):
                raise InvalidInputError(
                    f"{self.examples}: {name} must be a list of phrases (quote a phrase "
                    "that holds a colon)",
                    param="policy",
                )
            out[str(name)] = list(phrases or [])
        return out


def _category(name: str, raw: dict[str, Any]) -> CategoryPolicy:
    keys = {"enabled", "threshold", "head_threshold", "terms", "pairs", "allow", "names"}
    _only_keys(raw, keys, name)
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise InvalidInputError(f"{name}: enabled must be true or false", param="policy")
    if name == "minors" and not enabled:
        raise InvalidInputError(
            "the minors category cannot be disabled",
            param="policy",
            hint="sexual content with minors is always blocked",
        )
    threshold = _unit(raw.get("threshold"), f"{name}: threshold")
    head_threshold = _unit(raw.get("head_threshold"), f"{name}: head_threshold")
    pairs = raw.get("pairs") or []
    if not isinstance(pairs, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(side, list) for side in p)
        for p in pairs
    ):
        raise InvalidInputError(
            f"{name}: pairs must be a list of [[terms...], [terms...]]", param="policy"
        )
    return CategoryPolicy(
        name,
        enabled,
        threshold,
        head_threshold,
        _strings(raw.get("terms"), f"{name}.terms"),
        [(_strings(a, f"{name}.pairs"), _strings(b, f"{name}.pairs")) for a, b in pairs],
        _strings(raw.get("allow"), f"{name}.allow"),
        [n if isinstance(n, str) else _strings(n, f"{name}.names") for n in raw.get("names") or []],
    )


def _unit(value: Any, where: str) -> float | None:
    """A threshold: a number in [0, 1], or None."""
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0
    ):
        raise InvalidInputError(
            f"{where} must be a number in [0, 1] or null; got {value!r}", param="policy"
        )
    return None if value is None else float(value)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"{where} must be a number; got {value!r}", param="policy")
    return float(value)


def _head(raw: Any, base: Path) -> HeadPolicy | None:
    """The `head:` section: null or absent (no head), or file, veto and margin."""
    if raw is None:
        return None
    _only_keys(raw, {"file", "veto", "margin"}, "head")
    if not isinstance(raw.get("file"), str):
        raise InvalidInputError("head: file must name the head's .npz", param="policy")
    file = base / raw["file"]  # read on first use (head.py), so --train-head can make it
    veto = _unit(raw.get("veto", 1.0), "head: veto")
    return HeadPolicy(
        file, 1.0 if veto is None else veto, _number(raw.get("margin", -1.0), "head: margin")
    )


def _check_terms(c: CategoryPolicy) -> None:
    """Compile every term list once, so a bad `re:` term fails at load, by name."""
    from reelforge.safety.rules import TermSet

    lists = [c.terms, c.allow, *(side for pair in c.pairs for side in pair)]
    lists += [[n] if isinstance(n, str) else n for n in c.names]
    for terms in lists:
        try:
            TermSet(terms)
        except re.error as e:
            raise InvalidInputError(
                f"{c.name}: a term is not a valid regular expression: {e}", param="policy"
            ) from None


def _strings(value: Any, where: str) -> list[str]:
    """A YAML list of terms (numbers are read as text: "1488")."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise InvalidInputError(f"{where}: expected a list of terms", param="policy")
    return [str(v) for v in value]


def _only_keys(data: Any, allowed: set[str], where: str) -> None:
    if not isinstance(data, dict):
        raise InvalidInputError(f"{where}: expected a mapping", param="policy")
    if unknown := set(data) - allowed:
        raise InvalidInputError(
            f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}",
            param="policy",
            hint=f"allowed: {', '.join(sorted(allowed))}",
        )


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInputError(f"policy file not found: {path}", param="policy") from None
    except yaml.YAMLError as e:
        raise InvalidInputError(f"{path} is not valid YAML: {e}", param="policy") from None
    if not isinstance(data, dict):
        raise InvalidInputError(f"{path}: expected a mapping at the top", param="policy")
    return data
