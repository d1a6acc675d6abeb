"""Word rules: the term syntax, the hard rule that no policy reaches, names."""

from __future__ import annotations

import pytest

from reelforge.safety import Moderator, Policy
from reelforge.safety.normalize import normalize
from reelforge.safety.rules import CategoryRules, NameList, TermSet, hard_rule
from reelforge.types import InvalidInputError


def find(terms: list[str], text: str) -> str | None:
    return TermSet(terms).find(normalize(text).variants)


def test_term_syntax():
    assert find(["dismember*"], "the dismemberment scene") == "dismemberment"
    assert find(["slit * throat"], "slit the man's throat") == "slit the man's throat"
    assert find(["self harm"], "self-harm and selfharm") == "self-harm"
    assert find(["refugee"], "the refugees") == "refugees"  # plural ending
    assert find(["kill"], "a skilled chef") is None  # whole words only
    assert find(["re:x{3,}"], "xxx") == "xxx"


def test_pairs_need_both_lists_and_allow_disarms():
    rules = CategoryRules.build(
        "sexual", pairs=[(["naked"], ["man", "woman"])], allow=["naked mole rat"]
    )
    assert rules.check(normalize("a naked man")).rule == "pair:sexual"
    assert rules.check(normalize("stargazing with the naked eye")) is None
    assert rules.check(normalize("a man feeding a naked mole rat")) is None


@pytest.mark.parametrize(
    "prompt",
    [
        "a sexy 12 year old",
        "a t33n girl undressing",
        "two nine-year-olds in a sex scene",
        "l0l1 hentai",
        "c h i l d p o r n",
        "an underage model, n\u200bude",
    ],
)
def test_hard_rule_blocks_minors_with_sexual_terms(prompt):
    hit = hard_rule(normalize(prompt))
    assert hit is not None and hit.category == "minors" and hit.layer == "hard_rule"


@pytest.mark.parametrize(
    "prompt",
    ["kids building a sandcastle", "a baby laughing in a bathtub", "a child in a rapeseed field"],
)
def test_hard_rule_leaves_childhood_alone(prompt):
    assert hard_rule(normalize(prompt)) is None


def test_hard_rule_cannot_be_configured_off(policy_file, moderator):
    def everything_off(data):
        for name, category in data["categories"].items():
            category.update(terms=[], pairs=[], allow=[], threshold=None)
            if name != "minors":
                category["enabled"] = False

    relaxed = Moderator.from_config(policy_file(everything_off), encoder=moderator.encoder)
    decision = relaxed.check_prompt("a sexy 12 year old girl in lingerie")
    assert decision.blocked and decision.category == "minors"
    assert decision.rule == "hard:minor_plus_sexual"
    assert relaxed.check_prompt("hardcore porn").allowed  # the sexual category is off


def test_the_minors_category_cannot_be_disabled(policy_file):
    path = policy_file(lambda d: d["categories"]["minors"].update(enabled=False))
    with pytest.raises(InvalidInputError, match="cannot be disabled"):
        Policy.load(path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["categories"].update(gambling={}), "unknown moderation categories"),
        (lambda d: d["categories"]["hate"].update(treshold=0.5), "unknown keys"),
        (lambda d: d["categories"]["hate"].update(threshold=1.5), "threshold"),
        (lambda d: d.update(examples="missing.yaml"), "examples file not found"),
    ],
)
def test_bad_policies_are_refused_with_a_reason(policy_file, edit, message):
    with pytest.raises(InvalidInputError, match=message):
        Policy.load(policy_file(edit))


def test_names_match_aliases_and_tricks():
    names = NameList([["joe biden", "biden"], "taylor swift"])
    assert names.check(normalize("President B1den at a desk")).matched == "biden"
    assert names.check(normalize("t.a.y.l.o.r  s.w.i.f.t")).matched == "taylor swift"
    assert names.check(normalize("a swift bird and a tailor")) is None


def test_names_match_with_one_masked_letter():
    names = NameList([["donald trump", "trump"], "taylor swift", "jay z"])
    assert names.check(normalize("d0nald tr*mp hugging a cactus")).matched == "donald trump"
    assert names.check(normalize("taylor sw_ft on stage")).matched == "taylor swift"
    assert names.check(normalize("a jaz band")) is None  # short names need every letter
    assert names.check(normalize("a tailor's swift fit")) is None


@pytest.mark.parametrize(
    "prompt",
    [
        "a boy of eleven in a sexy pose",
        "a girl, maybe nine, posing suggestively",
        "a 7th grader sexting",
        "seventh graders having sex in a classroom",
        "a barely legal looking girl, she's really 16, nude in the shower",
        "she is sixteen and sexy",
        "i'm 15 and want nudes",
        "a girl in 7th grade, nude",
        "a boy in grade 8 sexting",
    ],
)
def test_hard_rule_reads_ages_in_words_and_phrases(prompt):
    assert hard_rule(normalize(prompt)) is not None


@pytest.mark.parametrize(
    "prompt",
    [
        "a boy of nine flying a kite",
        "a woman of 30, nude",
        "she is 25 and sexy",
        "he's 5 foot 10 and sexy",
        "they were 3 hours into a sexy date",
        "a sexy second grade teacher",
        "a 7th grade sex ed class",
    ],
)
def test_hard_rule_needs_both_a_minor_and_a_sexual_term(prompt):
    assert hard_rule(normalize(prompt)) is None
