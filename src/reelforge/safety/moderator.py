"""The moderator: a policy, its rules and its example index, checking prompts, uploads
and outputs.

    moderator = Moderator.from_config()          # the shipped policy.yaml
    decision = moderator.check_prompt("a boxer throws a punch")
    decision.raise_if_blocked()                   # ModerationBlocked names the category

A prompt goes through the layers in order and the first that decides wins: the hard
rule (always on), public-figure names, word rules, then the embedding layers: the
learned head (head.py), then example similarity, which the head can veto. The text
encoder loads on the first prompt that reaches the embedding layers, so a prompt that a
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
from reelforge.safety.head import Head
from reelforge.safety.normalize import Normalized, normalize
from reelforge.safety.policy import CATEGORIES, Decision, Policy
from reelforge.safety.rules import CategoryRules, Hit, NameList, hard_rule
from reelforge.safety.similarity import ExampleIndex
from reelforge.types import Clip, InvalidInputError

ENCODER_CACHE = 4096  # prompts and example phrases whose embeddings are kept


@dataclass(frozen=True)
class Assessment:
    """What the layers found in one prompt before thresholds apply: the first rule that
    fired, the similarity to each category's examples (and to `benign`) and the head's
    probabilities, when computed."""

    normalized: Normalized
    hit: Hit | None
    scores: dict[str, float] | None
    probabilities: dict[str, float] | None = None


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
        self._head: Head | None = None
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
        """Load the text encoder, embed the examples and read the head now rather than on
        the first prompt that needs them (a server calls this at start)."""
        _ = self.index, self.head
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
    def head(self) -> Head | None:
        """The learned head of the policy (None: the policy has none), checked against the
        encoder: a head reads only the embeddings it was trained on."""
        if self.policy.head is None:
            return None
        encoder = self.encoder
        with self._lock:
            if self._head is None:
                self._head = _checked(Head.load(self.policy.head.file), encoder)
            return self._head

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
        """Assess prompts; the embedding layers score, in one batch, those no rule decided
        (for all of them with `always_score`, as the benchmark does)."""
        texts = [normalize(p) for p in prompts]
        hits = [self.rule_hit(t) for t in texts]
        todo = [i for i, h in enumerate(hits) if always_score or h is None]
        if not self._embeds():
            todo = []  # the embedding layers are off everywhere: never load the encoder
        scores, probs = self.embedding_scores([texts[i].text for i in todo])
        found = {i: (s, p) for i, s, p in zip(todo, scores, probs, strict=True)}
        return [
            Assessment(t, h, *found.get(i, (None, None)))
            for i, (t, h) in enumerate(zip(texts, hits, strict=True))
        ]

    def embedding_scores(self, texts: Sequence[str], head: Head | None = None):
        """Similarity scores and head probabilities (None without a head) of normalised
        texts, from one embedding of their pieces; `head` replaces the policy's (tuning)."""
        if not texts:
            return [], []
        emb, spans = self.index.embed_pieces(texts)  # (P, D)
        head = head or self.head
        probs = head.scores_of(emb.numpy(), spans) if head else [None] * len(texts)
        return self.index.scores_of(emb, spans), probs

    def _embeds(self) -> bool:
        p = self.policy
        return any(
            p.threshold(c) is not None or p.head_threshold(c) is not None for c in CATEGORIES
        )

    def decide(self, assessment: Assessment, policy: Policy | None = None) -> Decision:
        """Apply the policy's thresholds (or another policy's, when tuning)."""
        policy = policy or self.policy
        text, hit = assessment.normalized.text, assessment.hit
        scores, probs = assessment.scores or {}, assessment.probabilities or {}
        if hit:
            return Decision(
                "block", hit.category, hit.rule, hit.layer, None, text, hit.matched, scores, probs
            )
        for layer, name in (("head", _head_block(policy, scores, probs)),
                            ("similarity", _similarity_block(policy, scores, probs))):  # fmt: skip
            if name:
                score = (probs if layer == "head" else scores)[name]
                rule = f"{layer}:{name}"
                return Decision("block", name, rule, layer, score, text, None, scores, probs)
        top = max((v for k, v in scores.items() if k != "benign"), default=None)
        return Decision("allow", score=top, normalized=text, scores=scores, probabilities=probs)

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
    ) -> Decision:
        """Flag a generated clip with faces for review unless a consented character made
        it (see faces.check_output)."""
        return faces.check_output(clip, consented_character_used, self.detector)

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


def _head_block(policy: Policy, scores: dict, probs: dict) -> str | None:
    """The category the head blocks: the most probable one at or above its head threshold
    whose similarity is not more than the head margin below the benign similarity."""
    if not probs or policy.head is None:
        return None
    benign, best = scores.get("benign", 0.0), None
    for name in CATEGORIES:
        threshold, p = policy.head_threshold(name), probs.get(name)
        if threshold is None or p is None or p < threshold:
            continue
        if scores.get(name, 1.0) - benign >= policy.head.margin:
            best = max(best or (p, name), (p, name))
    return best and best[1]


def _similarity_block(policy: Policy, scores: dict, probs: dict) -> str | None:
    """The category similarity blocks: the most similar one at or above its threshold
    that beats the benign similarity by the margin, unless the head vetoes (its benign
    probability at or above the policy's veto)."""
    if policy.head and probs.get("benign", 0.0) >= policy.head.veto:
        return None
    benign, best = scores.get("benign", 0.0), None
    for name in CATEGORIES:
        threshold, score = policy.threshold(name), scores.get(name)
        if threshold is None or score is None:
            continue
        if score >= threshold and score - benign >= policy.margin:
            best = max(best or (score, name), (score, name))
    return best and best[1]


def _checked(head: Head, encoder: EncodesText) -> Head:
    fingerprint = getattr(encoder, "fingerprint", None)
    if fingerprint and head.fingerprint and fingerprint != head.fingerprint:
        raise InvalidInputError(
            f"the moderation head was trained on {head.fingerprint} embeddings, not {fingerprint}",
            param="policy",
            hint="retrain it with `reelforge bench moderation --train-head`",
        )
    return head


def _specificity(hit: Hit) -> tuple[bool, int]:
    """How specific a word-rule hit is: a term over a pair, then the longer match."""
    return hit.rule.startswith("terms:"), len(hit.matched)
