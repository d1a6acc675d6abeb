"""The moderator: a policy, its rules and its example index, checking prompts, uploads
and outputs.

    moderator = Moderator.from_config()          # the shipped policy.yaml
    decision = moderator.check_prompt("a boxer throws a punch")
    decision.raise_if_blocked()                   # ModerationBlocked names the category

A prompt goes through the layers in order and the first that decides wins: the hard
rule (always on), public-figure names, word rules, then embedding similarity. The text
encoder loads on the first prompt that reaches the similarity layer, so a prompt that a
rule refuses costs no model load.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reelforge.model.text import EncodesText
from reelforge.safety import faces
from reelforge.safety.normalize import Normalized, normalize
from reelforge.safety.policy import CATEGORIES, Decision, Policy
from reelforge.safety.rules import CategoryRules, Hit, NameList, hard_rule
from reelforge.safety.similarity import ExampleIndex
from reelforge.types import Clip

ENCODER_CACHE = 4096  # prompts and example phrases whose embeddings are kept


@dataclass(frozen=True)
class Assessment:
    """What the layers found in one prompt before thresholds apply: the first rule that
    fired, and the similarity to each category's examples (and to `benign`) when computed."""

    normalized: Normalized
    hit: Hit | None
    scores: dict[str, float] | None


class Moderator:
    """Checks prompts, uploads and outputs against one `Policy`.

    `encoder` (default: all-MiniLM-L6-v2) embeds prompts; `detector` (default: OpenCV's
    Haar cascade) finds faces. Both load on first use.
    """

    def __init__(
        self,
        policy: Policy,
        encoder: EncodesText | None = None,
        detector: faces.FaceDetector | None = None,
    ):
        self.policy = policy
        self.rules = [
            CategoryRules.build(name, c.terms, c.pairs, c.allow)
            for name, c in policy.categories.items()
            if c.enabled and name != "public_figures"
        ]
        figures = policy.categories["public_figures"]
        self.names = NameList(figures.names) if figures.enabled else None
        self._encoder, self._detector = encoder, detector
        self._index: ExampleIndex | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_config(
        cls,
        path: str | Path | None = None,
        encoder: EncodesText | None = None,
        detector: faces.FaceDetector | None = None,
    ) -> Moderator:
        """A moderator for the policy file at `path` (default: the shipped policy.yaml)."""
        return cls(Policy.load(path), encoder, detector)

    def load(self) -> Moderator:
        """Load the text encoder and embed the examples now rather than on the first
        prompt that needs them (a server calls this at start)."""
        _ = self.index
        return self

    # -- the layers ---------------------------------------------------------

    @property
    def encoder(self) -> EncodesText:
        """The text encoder (all-MiniLM-L6-v2 unless another was given), loaded on first use."""
        with self._lock:
            if self._encoder is None:
                from reelforge.model.text import TextEncoder

                # room for every example phrase: a moderator built for another policy
                # file with this encoder re-embeds its examples from the cache
                self._encoder = TextEncoder(cache_size=ENCODER_CACHE)
            return self._encoder

    @property
    def index(self) -> ExampleIndex:
        """The example phrases, embedded on first use."""
        encoder = self.encoder
        with self._lock:
            if self._index is None:
                self._index = ExampleIndex(encoder, self.policy.examples_by_category())
            return self._index

    @property
    def detector(self) -> faces.FaceDetector:
        with self._lock:
            if self._detector is None:
                self._detector = faces.HaarFaceDetector()
            return self._detector

    def rule_hit(self, text: Normalized) -> Hit | None:
        """The rule that decides: the hard rule, then names, then the word rules. When
        several categories' word rules fire, a term beats a pair and the longer match
        wins ("suicide bomber" is weapons_extremism, not self_harm)."""
        if hit := hard_rule(text):
            return hit
        if self.names and (hit := self.names.check(text)):
            return hit
        hits = [h for r in self.rules if (h := r.check(text))]
        return max(hits, key=_specificity, default=None)

    def assess_many(self, prompts: Sequence[str], always_score: bool = False) -> list[Assessment]:
        """Assess prompts; similarity is computed in one batch for those no rule decided
        (for all of them with `always_score`, as the benchmark does)."""
        texts = [normalize(p) for p in prompts]
        hits = [self.rule_hit(t) for t in texts]
        todo = [i for i, h in enumerate(hits) if always_score or h is None]
        if not any(self.policy.threshold(c) is not None for c in CATEGORIES):
            todo = []  # the similarity layer is off everywhere: never load the encoder
        found = self.index.scores_many([texts[i].text for i in todo]) if todo else []
        scores = dict(zip(todo, found, strict=True))
        return [
            Assessment(t, h, scores.get(i))
            for i, (t, h) in enumerate(zip(texts, hits, strict=True))
        ]

    def decide(self, assessment: Assessment, policy: Policy | None = None) -> Decision:
        """Apply the policy's thresholds (or another policy's, when tuning)."""
        policy = policy or self.policy
        text, hit, scores = assessment.normalized.text, assessment.hit, assessment.scores or {}
        if hit:
            return Decision(
                "block", hit.category, hit.rule, hit.layer, None, text, hit.matched, scores
            )
        benign = scores.get("benign", 0.0)
        best: tuple[float, str] | None = None
        for name in CATEGORIES:
            threshold, score = policy.threshold(name), scores.get(name)
            if threshold is None or score is None:
                continue
            if score >= threshold and score - benign >= policy.margin:
                best = max(best or (score, name), (score, name))
        if best:
            name = best[1]
            return Decision(
                "block", name, f"similarity:{name}", "similarity", scores[name], text, None, scores
            )
        top = max((v for k, v in scores.items() if k != "benign"), default=None)
        return Decision("allow", score=top, normalized=text, scores=scores)

    # -- the checks ---------------------------------------------------------

    def check_prompt(self, text: str) -> Decision:
        """Allow or block a prompt, before any work is done."""
        return self.decide(self.assess_many([text])[0])

    def check_upload(self, frames: np.ndarray | Sequence[np.ndarray], consent: bool) -> Decision:
        """Block an image or video with faces unless consent is attested."""
        return faces.check_upload(frames, consent, self.detector)

    def check_output(
        self,
        clip: Clip,
        consented_character_used: bool,
        min_frames: int = faces.MIN_FRAMES,
    ) -> Decision:
        """Flag a generated clip with faces for review unless a consented character made
        it (`min_frames`: see faces.check_output)."""
        return faces.check_output(clip, consented_character_used, self.detector, min_frames)

    def check_request(
        self, prompt: str, uploads: Sequence[np.ndarray] = (), consent: bool = False
    ) -> Decision:
        """The prompt, then each upload. Public figures named in the prompt are refused
        whatever the consent attestation says."""
        decision = self.check_prompt(prompt)
        for upload in uploads if decision.allowed else ():
            if (found := self.check_upload(upload, consent)).blocked:
                return found
        return decision


def _specificity(hit: Hit) -> tuple[bool, int]:
    """How specific a word-rule hit is: a term over a pair, then the longer match."""
    return hit.rule.startswith("terms:"), len(hit.matched)
