"""The training loop both trainers share: steps, EMA, checkpoints, resume, metrics.

A task (`train/vae.py`, `train/dit.py`) gives a model, a batch sampler, a step function
`step_fn(prepared, rng) -> (loss, parts, samples)` and optionally `prepare(batch, rng)`, the
step's CPU work; `Trainer.fit` runs them:

    batch = next(sampler); rng = default_rng([seed, step])    (all randomness of the step)
    prepared = prepare(batch, rng); loss = step_fn(prepared, rng)
    loss.backward(); clip grads; AdamW; LR schedule; EMA
    every log_every: a "train" line in metrics.jsonl; every eval_every: the task's evaluate
    every checkpoint_every (and at the end): a checkpoint

With `run.prefetch` (by default on CUDA) the next step's `prepare` runs on a worker thread
while this step computes (prefetch.py); what every step draws is unchanged.

Every random draw of a step comes from a generator seeded by (seed, step), never from a
global one, so a resumed run repeats the uninterrupted run bit for bit on the same machine
(the global RNG states are still saved and restored, for anything else that uses them).
The step runs under bf16 autocast where `run.dtype` says bfloat16 (`auto`: on CUDA, not
on the CPU): weights, optimizer state and EMA stay float32. On a CPU with AMX, bfloat16
is about 1.2x faster for the transformer; on any CPU it runs the same autocast path as a
GPU run, which is how the tests check that path.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from reelforge.model.precision import auto_dtype
from reelforge.train.batches import BucketBatches
from reelforge.train.checkpoint import (
    list_checkpoints,
    load_checkpoint,
    save_checkpoint,
    set_rng_state,
)
from reelforge.train.config import to_dict
from reelforge.train.optim import EMA, make_optimizer, make_scheduler
from reelforge.train.prefetch import Prefetcher, PrepareFn
from reelforge.types import InvalidInputError

logger = logging.getLogger(__name__)

Batch = tuple[str, list[int]]  # (bucket name, item indices)
StepFn = Callable[[Any, np.random.Generator], tuple[torch.Tensor, dict[str, torch.Tensor], int]]
Progress = Callable[[str, int, int, dict[str, Any]], None]  # (phase, done, total, info)
# config keys a resumed run may change
_FREE_ON_RESUME = {"run", "preview"}


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise InvalidInputError(
            "run.device is cuda but torch sees no CUDA device", param="run.device", hint="use cpu"
        )
    return torch.device(name)


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """torch.set_num_threads(n) for the block (0: leave it), then back to what it was."""
    old = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def step_rng(seed: int, step: int, stream: int = 0) -> np.random.Generator:
    return np.random.default_rng([seed, step, stream])


def torch_generator(rng: np.random.Generator, device: torch.device | str = "cpu"):
    """A torch generator seeded from `rng` (one draw)."""
    return torch.Generator(device).manual_seed(int(rng.integers(2**62)))


class Trainer:
    def __init__(self, model: nn.Module, config, batches: BucketBatches):
        run = config.run
        self.config, self.run, self.out = config, run, Path(run.out)
        self.device = resolve_device(run.device)
        name = auto_dtype(self.device.type) if run.dtype == "auto" else run.dtype
        self.dtype = getattr(torch, name)
        self.model = model.to(self.device).train()
        self.ema = EMA(self.model, config.optim.ema_decay)
        self.opt = make_optimizer(self.model, config.optim)
        self.sched = make_scheduler(self.opt, config.optim, run.steps)
        self.batches, self.step = batches, 0
        self.prefetch = _prefetch_on(run.prefetch, self.device)
        self._feed: Prefetcher | None = None  # while fit runs
        self.last_eval: dict[str, Any] = {}  # the latest evaluation, if it was at this step
        self.metrics_path = self.out / "metrics.jsonl"

    # -- state ------------------------------------------------------------------------------

    def state_dict(self) -> dict:
        return {
            "step": self.step,
            "model": self.model.state_dict(),
            "ema": self.ema.state_dict(),
            "optimizer": self.opt.state_dict(),
            "scheduler": self.sched.state_dict(),
            "batches": self._feed.batches_state() if self._feed else self.batches.state_dict(),
            "config": self.saved_config(),
        }

    def saved_config(self) -> str:
        """The config as a checkpoint keeps it (JSON: a tuple comes back a list)."""
        return json.dumps(to_dict(self.config))

    def load_state_dict(self, state: dict) -> None:
        self.model.load_state_dict(state["model"])
        self.ema.load_state_dict(state["ema"])
        self.opt.load_state_dict(state["optimizer"])
        self.sched.load_state_dict(state["scheduler"])
        self.batches.load_state_dict(state["batches"])
        self.step = int(state["step"])
        set_rng_state(state["rng"])

    def start(self, resume: bool) -> None:
        """Continue from the newest checkpoint (resume) or refuse to overwrite one."""
        found = list_checkpoints(self.out)
        if found and not resume:
            raise InvalidInputError(
                f"{self.out} already holds checkpoints (newest {found[-1].name})",
                param="out",
                hint="pass --resume to continue that run, or choose another --out",
            )
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "config.json").write_text(json.dumps(to_dict(self.config), indent=2))
        if not found:
            self.metrics_path.unlink(missing_ok=True)
            return
        state = load_checkpoint(found[-1])
        _warn_changes(json.loads(state["config"]), json.loads(self.saved_config()))
        self.load_state_dict(state)
        _truncate_metrics(self.metrics_path, self.step)
        logger.info("resumed from %s at step %d", found[-1], self.step)

    def save(self) -> Path:
        return save_checkpoint(self.out, self.state_dict(), self.run.keep_checkpoints)

    # -- the loop ---------------------------------------------------------------------------

    def autocast(self):
        if self.dtype == torch.bfloat16:
            return torch.autocast(self.device.type, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def fit(
        self,
        step_fn: StepFn,
        evaluate: Callable[[nn.Module, int], dict[str, Any]] | None = None,
        on_progress: Progress | None = None,
        prepare: PrepareFn | None = None,
    ) -> None:
        """Train up to run.steps (or until run.max_minutes have passed), then checkpoint
        (unless the last step just did). Without `prepare`, step_fn gets the batch itself."""
        prepare = prepare or _the_batch
        rng = functools.partial(step_rng, self.run.seed)
        self._feed = Prefetcher(self.batches, prepare, rng, ahead=self.prefetch)
        try:
            self._fit(step_fn, evaluate, on_progress)
        finally:
            self._feed.close()  # puts back a batch drawn ahead
            self._feed = None
        last = list_checkpoints(self.out)
        if not last or last[-1].name != f"step-{self.step:08d}.pt":
            self.save()

    def _fit(self, step_fn: StepFn, evaluate, on_progress: Progress | None) -> None:
        window: dict[str, float] = {}
        smooth: dict[str, float] = {}
        deadline = time.monotonic() + self.run.max_minutes * 60 if self.run.max_minutes else None
        while self.step < self.run.steps:
            if deadline is not None and time.monotonic() > deadline:
                logger.warning("run.max_minutes reached: stopping at step %d", self.step)
                self.log({"split": "stop", "reason": "max_minutes"})
                break
            values = self.train_step(step_fn)
            for k, v in {**values, "steps": 1}.items():
                window[k] = window.get(k, 0.0) + v
            for k in ("loss", "samples", "seconds"):  # for the progress bar
                smooth[k] = values[k] if k not in smooth else 0.9 * smooth[k] + 0.1 * values[k]
            if self._periodic(window, evaluate):
                window = {}
            if on_progress:
                speed = smooth["samples"] / max(smooth["seconds"], 1e-9)
                info = {"loss": smooth["loss"], "samples_per_s": speed, "lr": values["lr"]}
                on_progress("train", self.step, self.run.steps, info)

    def train_step(self, step_fn: StepFn) -> dict[str, float]:
        """One optimizer step on the next batch; its loss, parts, grad norm, lr and timing."""
        t0 = time.perf_counter()
        prepared, rng = self._feed.take(self.step)
        with self.autocast():
            loss, parts, samples = step_fn(prepared, rng)
        if not torch.isfinite(loss):
            raise InvalidInputError(
                f"the loss became {loss.item()} at step {self.step + 1}",
                param="optim.lr",
                hint="lower optim.lr or raise optim.warmup_steps, then resume",
            )
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        clip = self.config.optim.grad_clip or math.inf
        norm = nn.utils.clip_grad_norm_(self.model.parameters(), clip)
        lr = self.opt.param_groups[0]["lr"]
        self.opt.step()
        self.sched.step()
        self.ema.update(self.model, self.step)
        self.step += 1
        self.last_eval = {}
        values = {"loss": loss.item(), **{k: float(v) for k, v in parts.items()}}
        seconds = time.perf_counter() - t0
        return values | {"grad_norm": float(norm), "lr": lr, "samples": samples, "seconds": seconds}

    def _periodic(self, window: dict[str, float], evaluate) -> bool:
        """Log, evaluate and checkpoint when their step comes; True when a log line was written."""
        run, step = self.run, self.step
        logged = bool(run.log_every) and step % run.log_every == 0
        if logged:
            self.log(_summary(window) | {"lr": window["lr"] / window["steps"]})
        if evaluate is not None and run.eval_every and step % run.eval_every == 0:
            self.evaluate(evaluate)
        if run.checkpoint_every and step % run.checkpoint_every == 0:
            self.save()
        return logged

    def evaluate(self, evaluate: Callable[[nn.Module, int], dict[str, Any]]) -> dict[str, Any]:
        with torch.no_grad(), self.autocast():
            result = evaluate(self.ema.model, self.step)
        self.log({"split": "eval", **result})
        self.last_eval = result
        return result

    def log(self, record: dict[str, Any]) -> None:
        record = {"step": self.step, "split": "train", **record}
        with open(self.metrics_path, "a") as f:
            f.write(json.dumps(record) + "\n")


def _the_batch(batch: Batch, rng: np.random.Generator) -> Batch:
    return batch


def _prefetch_on(value: str, device: torch.device) -> bool:
    if value not in ("auto", "on", "off"):
        raise InvalidInputError(
            f"run.prefetch must be 'auto', 'on' or 'off'; got {value!r}", param="run.prefetch"
        )
    return value == "on" or (value == "auto" and device.type == "cuda")


def _summary(window: dict[str, float]) -> dict[str, float]:
    """Averages over a log window; samples/s over its wall time."""
    n, skip = window["steps"], {"steps", "samples", "seconds", "lr"}
    out = {k: v / n for k, v in window.items() if k not in skip}
    out["samples_per_s"] = window["samples"] / max(window["seconds"], 1e-9)
    return out


def _truncate_metrics(path: Path, step: int) -> None:
    """Drop the lines an interrupted run wrote after the checkpoint it resumes from."""
    if not path.exists():
        return
    lines = path.read_text().splitlines(keepends=True)
    keep = [line for line in lines if _line_step(line) <= step]
    path.write_text("".join(keep))


def _line_step(line: str) -> int:
    try:
        return int(json.loads(line)["step"])
    except (ValueError, KeyError, TypeError):
        return 1 << 62  # a torn last line


def _warn_changes(old: dict, new: dict) -> None:
    for section in sorted(set(old) | set(new)):
        if section not in _FREE_ON_RESUME and old.get(section) != new.get(section):
            logger.warning(
                "resuming with a changed [%s] section: %s → %s",
                section,
                old.get(section),
                new.get(section),
            )
