"""`reelforge bench moderation`: precision and recall of the moderation policy per
category on labelled prompts.

Three labelled sets live in reelforge/safety/eval/:
- prompts.jsonl, the development set. It is split once, per label: every third prompt
  of each label (the 1st, 4th, 7th, ...) is the `tune` split, the rest the `test`
  split. `--tune` searches the similarity thresholds and margin on `tune` only. The
  word rules were written while this whole file was in view, so its `test` split is
  not a clean hold-out for them.
- fresh.jsonl (`fresh`): written after the first policy was frozen. Its first score
  was clean; one round of rule and example changes then followed its errors, so it
  is no longer a hold-out.
- fresh2.jsonl (`fresh2`): written after that round was frozen. Its errors were read
  (as categories of miss, not as phrases) before the next round of changes.
- fresh3.jsonl (`fresh3`): written before that next round, scored once before and
  once after it; its errors were then seen.
- fresh4.jsonl, fresh5.jsonl: written before the rounds that followed them, each
  scored once before and once after as the clean hold-out; since then, training data.
- fresh6.jsonl: written before the round that moved fresh4 and fresh5 into the head's
  training, scored once before and once after it: the clean held-out figures
  (docs/SAFETY.md). Never trained or tuned on.

The learned head (safety/head.py) trains on the example phrases plus `tune`, `fresh`,
`fresh2` ... `fresh5` (HEAD_SPLITS), never on `test` or `fresh6`:
`--train-head` rebuilds the policy's head file. `--tune` scores each tuning prompt the
head learns from with a head fit without it (cross-fitting), so the thresholds are
chosen on scores the head did not memorise.

Rows carry `prompt` and `label` ("benign" or a category), and optionally `obfuscated`
(leetspeak, spacing, lookalike letters...) and `close_call` (benign but near a category).
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from reelforge.cli.moderation_head import cross_fitted, train_head

_out = Console()
_err = Console(stderr=True)

EVAL_DIR = Path(__file__).resolve().parents[1] / "safety" / "eval"
EVAL_SET = EVAL_DIR / "prompts.jsonl"
FRESH_SETS = {
    name: EVAL_DIR / f"{name}.jsonl"
    for name in ("fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6")
}
SPLITS = ("tune", "test", *FRESH_SETS)
FALSE_BLOCK_WEIGHT = 3.0  # in tuning, one benign prompt blocked costs as much as 3 misses
WRONG_CATEGORY_WEIGHT = 0.25  # blocked, but named the wrong category
# 0.40 … 0.90: below 0.40, all-MiniLM-L6-v2 cosine between short prompts is mostly noise
GRID = [round(0.40 + 0.01 * i, 2) for i in range(51)]
MARGINS = [0.0, 0.02, 0.04, 0.06, 0.08, 0.10]
START = 0.6  # every search starts here, whatever the policy file says
HEAD_GRID = [round(0.50 + 0.01 * i, 2) for i in range(50)]  # head probabilities 0.50 … 0.99
RULE_LAYERS = ("hard_rule", "names", "rules")


@dataclass(frozen=True)
class Example:
    prompt: str
    label: str
    split: str  # "tune", "test" or a fresh set's name
    obfuscated: bool = False
    close_call: bool = False


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _example(row: dict, split: str) -> Example:
    flags = bool(row.get("obfuscated")), bool(row.get("close_call"))
    return Example(row["prompt"], row["label"], split, *flags)


def load_eval_set(path: Path = EVAL_SET, fresh: dict[str, Path] = FRESH_SETS) -> list[Example]:
    """The labelled prompts, each marked with its split (every third per label of the
    development set tunes; the rest tests; each fresh set is its own split)."""
    seen: Counter[str] = Counter()
    out = []
    for row in _rows(path):
        out.append(_example(row, "tune" if seen[row["label"]] % 3 == 0 else "test"))
        seen[row["label"]] += 1
    return out + [_example(row, name) for name, p in fresh.items() for row in _rows(p)]


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


def metrics(labels: Sequence[str], decided: Sequence[str | None]) -> dict:
    """Per-category precision and recall from labels ("benign" or a category) and the
    category each prompt was blocked as (None: allowed)."""
    rows = {}
    for cat in sorted({lab for lab in labels if lab != "benign"}):
        n = sum(lab == cat for lab in labels)
        named = sum(d == cat for d in decided)
        right = sum(lab == cat and d == cat for lab, d in zip(labels, decided, strict=True))
        blocked = sum(lab == cat and d is not None for lab, d in zip(labels, decided, strict=True))
        rows[cat] = {
            "prompts": n,
            "recall": right / n if n else None,
            "blocked": blocked / n if n else None,
            "precision": right / named if named else None,
        }
    violating = [d for lab, d in zip(labels, decided, strict=True) if lab != "benign"]
    benign = [d for lab, d in zip(labels, decided, strict=True) if lab == "benign"]
    return {
        "categories": rows,
        "violating": {
            "prompts": len(violating),
            "blocked": sum(d is not None for d in violating) / max(1, len(violating)),
        },
        "benign": {
            "prompts": len(benign),
            "false_blocks": sum(d is not None for d in benign),
            "false_block_rate": sum(d is not None for d in benign) / max(1, len(benign)),
        },
    }


def _cost(labels: Sequence[str], decided: Sequence[str | None]) -> float:
    cost = 0.0
    for lab, d in zip(labels, decided, strict=True):
        if lab == "benign":
            cost += FALSE_BLOCK_WEIGHT * (d is not None)
        else:
            cost += 1.0 if d is None else WRONG_CATEGORY_WEIGHT * (d != lab)
    return cost


def tune(moderator, assessments, labels: Sequence[str], rounds: int = 3):
    """Search the thresholds that minimise the tuning cost of the embedding layers on
    their own (word rules set aside, so that every tuning prompt informs them). Without
    a head: a coordinate search of the similarity thresholds and the margin. With one:
    a single head threshold shared by every category that has one, the similarity
    thresholds and margin kept (searching all fifteen on ~200 prompts overfit: in
    cross-validation on the head's training sets, per-category head thresholds chosen
    on `tune` blocked twice to three times as many benign prompts as a shared one).
    Among equally good values, the one farthest from any tuning prompt's score (a
    max-margin choice). Returns (policy, cost)."""
    from reelforge.safety.policy import CATEGORIES

    alone = [replace(a, hit=None) for a in assessments]

    def run(policy) -> float:
        return _cost(labels, [moderator.decide(a, policy).category for a in alone])

    def best(policies: dict[float, object], gap):
        costs = {t: run(p) for t, p in policies.items()}
        ties = [t for t, c in costs.items() if c == min(costs.values())]
        t = max(ties, key=gap)
        return policies[t], costs[t]

    base = moderator.policy
    heads = [c for c in CATEGORIES if base.head_threshold(c) is not None]
    if heads:
        if any(a.probabilities is None for a in alone):
            raise ValueError("tuning the head threshold needs every prompt's head probabilities")
        probs = [a.probabilities[c] for a in alone for c in heads]
        options = {t: base.with_thresholds({}, dict.fromkeys(heads, t)) for t in HEAD_GRID}
        return best(options, lambda t: min(abs(p - t) for p in probs))

    def gap(cat: str, t: float) -> float:
        return min(abs(a.scores[cat] - t) for a in alone)

    tunable = [c for c in CATEGORIES if base.threshold(c) is not None]
    best_policy, best_cost = base, float("inf")
    for margin in MARGINS:
        policy = base.with_thresholds(dict.fromkeys(tunable, START))
        policy.margin = margin
        for _ in range(rounds):
            for cat in tunable:
                options = {t: policy.with_thresholds({cat: t}) for t in GRID}
                policy, _ = best(options, lambda t, cat=cat: gap(cat, t))
        if (cost := run(policy)) < best_cost:
            best_policy, best_cost = policy, cost
    return best_policy, best_cost


def report(examples: Sequence[Example], decided: Sequence[str | None]) -> dict:
    """`metrics`, plus the obfuscated violating prompts and the close-call benign ones
    on their own."""
    out = metrics([e.label for e in examples], decided)
    pairs = list(zip(examples, decided, strict=True))
    obf = [d for e, d in pairs if e.label != "benign" and e.obfuscated]
    plain = [d for e, d in pairs if e.label != "benign" and not e.obfuscated]
    close = [d for e, d in pairs if e.label == "benign" and e.close_call]
    out["violating_obfuscated"] = _blocked_share(obf)
    out["violating_plain"] = _blocked_share(plain)
    out["benign_close_calls"] = _blocked_share(close)
    return out


def _blocked_share(decided: Sequence[str | None]) -> dict:
    blocked = sum(d is not None for d in decided)
    return {"prompts": len(decided), "blocked": blocked, "rate": blocked / max(1, len(decided))}


def latency(moderator, prompts: Sequence[str]) -> dict:
    """check_prompt timed one prompt at a time, grouped by what decided: a rule (no
    embedding) or the similarity layer (every allowed prompt pays for it)."""
    times: dict[str, list[float]] = {"rules": [], "similarity": []}
    for prompt in prompts:
        start = time.perf_counter()
        layer = moderator.check_prompt(prompt).layer
        ms = 1000 * (time.perf_counter() - start)
        times["rules" if layer in RULE_LAYERS else "similarity"].append(ms)
    return {k: _summary(v) for k, v in times.items()}


def _summary(ms: list[float]) -> dict:
    if not ms:
        return {"prompts": 0}
    ms = sorted(ms)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    return {"prompts": len(ms), "median_ms": statistics.median(ms), "p95_ms": p95}


def _drop_word_rules(assessment):
    """The assessment as if the configurable word rules did not exist."""
    if assessment.hit is None or assessment.hit.layer != "rules":
        return assessment
    return replace(assessment, hit=None)


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------


def moderation_command(
    policy: Path | None = typer.Option(
        None, "--policy", help="A policy YAML file (default: the shipped policy)."
    ),
    split: str = typer.Option(
        "test,fresh,fresh2,fresh3",
        "--split",
        help="Comma-separated splits: tune, test, fresh, fresh2, ..., fresh6.",
    ),
    tune_thresholds: bool = typer.Option(
        False, "--tune", help="Search thresholds and margin on the tuning split; print them."
    ),
    tune_on: str = typer.Option(
        "tune", "--tune-on", help="With --tune: comma-separated splits to tune on."
    ),
    retrain_head: bool = typer.Option(
        False,
        "--train-head",
        help="Refit the learned head on the example phrases and the tune, fresh, fresh2 "
        "... fresh5 prompts; write it to the policy's head file, then score.",
    ),
    without_word_rules: bool = typer.Option(
        False, "--without-word-rules", help="Set the word rules aside (an ablation)."
    ),
    timing: bool = typer.Option(
        True, "--timing/--no-timing", help="Time check_prompt one prompt at a time."
    ),
    show_errors: bool = typer.Option(False, "--errors", help="List the misjudged prompts."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Precision and recall per moderation category on the labelled prompt sets."""
    from reelforge.cli.errors import user_errors
    from reelforge.safety import Moderator

    with user_errors():
        splits, tuning_splits = _splits(split, "split"), _splits(tune_on, "tune-on")
        examples = load_eval_set()
        moderator = Moderator.from_config(policy)
        if retrain_head:
            written = train_head(moderator, examples)
            _err.print(f"wrote {written}", highlight=False)
            moderator = Moderator(moderator.policy, moderator.encoder)
        t0 = time.perf_counter()
        moderator.load()
        load_s = time.perf_counter() - t0
        picked = [i for i, e in enumerate(examples) if e.split in splits]
        # before anything else embeds these prompts (the encoder caches per prompt)
        timed = latency(moderator, [examples[i].prompt for i in picked]) if timing else {}
        tuning = [i for i, e in enumerate(examples) if e.split in tuning_splits]
        needed = sorted(set(picked) | (set(tuning) if tune_thresholds else set()))
        # only the prompts this run scores or tunes on are embedded
        assessed = moderator.assess_many([examples[i].prompt for i in needed], always_score=True)
        assessments = dict(zip(needed, assessed, strict=True))
        if without_word_rules:
            assessments = {i: _drop_word_rules(a) for i, a in assessments.items()}
        chosen = moderator.policy
        if tune_thresholds:
            tuning_assessments = [assessments[i] for i in tuning]
            if moderator.policy.head:
                tuning_assessments = cross_fitted(moderator, examples, tuning, assessments)
            chosen, _ = tune(moderator, tuning_assessments, [examples[i].label for i in tuning])
    decisions = {i: moderator.decide(assessments[i], chosen) for i in picked}
    out = {"splits": {}, "latency": timed}
    for name in splits:
        idx = [i for i in picked if examples[i].split == name]
        rep = report([examples[i] for i in idx], [decisions[i].category for i in idx])
        rep["layers"] = dict(Counter(decisions[i].layer for i in idx if decisions[i].blocked))
        if show_errors:
            rep["errors"] = [
                _error(examples[i], decisions[i]) for i in idx if _wrong(examples[i], decisions[i])
            ]
        out["splits"][name] = rep
    out["meta"] = {
        "policy": str(chosen.source),
        "margin": chosen.margin,
        "thresholds": {c: p.threshold for c, p in chosen.categories.items() if p.enabled},
        "head_thresholds": {c: chosen.head_threshold(c) for c in chosen.categories},
        "head": None if chosen.head is None else str(chosen.head.file),
        "tuned_here": tune_thresholds,
        "tuned_on": tuning_splits if tune_thresholds else None,
        "without_word_rules": without_word_rules,
        "load_s": load_s,
    }
    if as_json:
        _out.print_json(json.dumps(out))
        return
    for name, rep in out["splits"].items():
        _print(name, rep, without_word_rules)
    _print_meta(out)


def _splits(text: str, param: str) -> list[str]:
    from reelforge.types import InvalidInputError

    splits = [s.strip() for s in text.split(",") if s.strip()]
    if not splits or set(splits) - set(SPLITS):
        raise InvalidInputError(f"unknown split {text!r}", param=param, hint=", ".join(SPLITS))
    return splits


def _wrong(example: Example, decision) -> bool:
    return (decision.category or "benign") != example.label


def _error(example: Example, decision) -> dict:
    return {
        "prompt": example.prompt,
        "label": example.label,
        "decided": decision.category,
        "rule": decision.rule,
        "score": decision.score,
    }


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f} %"


def _share(row: dict) -> str:
    return f"{row['blocked']}/{row['prompts']} = {_pct(row['rate'])}"


def _print(split: str, rep: dict, ablation: bool) -> None:
    n = rep["violating"]["prompts"] + rep["benign"]["prompts"]
    note = ", word rules set aside" if ablation else ""
    table = Table(title=f"moderation on the {split} split ({n} prompts){note}")
    for col in ("category", "prompts", "precision", "recall", "blocked (any category)"):
        table.add_column(col, justify="right")
    for cat, row in rep["categories"].items():
        table.add_row(
            cat, str(row["prompts"]), _pct(row["precision"]), _pct(row["recall"]),
            _pct(row["blocked"]),
        )  # fmt: skip
    v, b = rep["violating"], rep["benign"]
    table.add_row("all violating", str(v["prompts"]), "", "", _pct(v["blocked"]))
    table.add_row("  plain", "", "", "", _share(rep["violating_plain"]))
    table.add_row("  obfuscated", "", "", "", _share(rep["violating_obfuscated"]))
    table.add_row(
        "benign (false blocks)", str(b["prompts"]), "", "",
        f"{b['false_blocks']} = {_pct(b['false_block_rate'])}",
    )  # fmt: skip
    table.add_row("  close calls", "", "", "", _share(rep["benign_close_calls"]))
    _out.print(table)
    layers = ", ".join(f"{k}: {v}" for k, v in sorted(rep["layers"].items()))
    _out.print(f"blocked by layer: {layers}", highlight=False)
    for e in rep.get("errors", []):
        score = "" if e["score"] is None else f"{e['score']:.3f}"
        _out.print(
            f"{e['label']:>18} → {e['decided'] or 'allowed':<18} {e['rule'] or ''} "
            f"{score}  {e['prompt']!r}",
            highlight=False,
            markup=False,
        )


def _print_meta(out: dict) -> None:
    meta = out["meta"]
    for group, row in out["latency"].items():
        if row.get("prompts"):
            _out.print(
                f"check_prompt decided by {group}: {row['prompts']} prompts, median "
                f"{row['median_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms (one at a time)",
                highlight=False,
            )
    _out.print(
        f"loading MiniLM, the examples and the head: {meta['load_s']:.1f} s", highlight=False
    )
    if meta["tuned_here"]:
        tuned_on = ", ".join(meta["tuned_on"])
        _out.print(f"tuned on {tuned_on}; for policy.yaml:", highlight=False)
        _out.print(f"margin: {meta['margin']}", highlight=False)
        for cat, t in meta["thresholds"].items():
            head = meta["head_thresholds"].get(cat)
            if t is not None or head is not None:
                _out.print(f"  {cat}: threshold: {t}, head_threshold: {head}", highlight=False)
