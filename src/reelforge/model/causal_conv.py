"""Causal spacetime layers for the video VAE, and running them a chunk of time at a time.

Every op here is causal in time: its output frame t depends on input frames <= t only,
and frame 0 on frame 0 alone. A chunked pass shares one `Cache` dict between its chunks
(frame 0 alone first, then whole latent frames): each `CausalConv3d` keeps its last
input frames there and each `Down` / `Up` notes that it has seen the first chunk, so the
chunks together compute exactly what one whole pass does. Norms are per voxel, never
across time or space.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

_ONEDNN = torch.backends.mkldnn.is_available()
Cache = dict  # module → its past input frames, or True once it has seen the first chunk


def space_to_depth(x: Tensor, st: int, ss: int) -> Tensor:
    """(B, C, T, H, W) → (B, C*st*ss*ss, T/st, H/ss, W/ss); channels in (C, st, ss, ss) order."""
    B, C, T, H, W = x.shape
    x = x.reshape(B, C, T // st, st, H // ss, ss, W // ss, ss)
    x = x.permute(0, 1, 3, 5, 7, 2, 4, 6)  # (B, C, st, ss, ss, T', H', W')
    return x.reshape(B, C * st * ss * ss, T // st, H // ss, W // ss)


def depth_to_space(x: Tensor, st: int, ss: int) -> Tensor:
    """The inverse of `space_to_depth`."""
    B, C, T, H, W = x.shape
    c = C // (st * ss * ss)
    x = x.reshape(B, c, st, ss, ss, T, H, W)
    x = x.permute(0, 1, 5, 2, 6, 3, 7, 4)  # (B, c, T, st, H, ss, W, ss)
    return x.reshape(B, c, T * st, H * ss, W * ss)


class CausalConv3d(nn.Module):
    """k×k×k convolution that sees only the present and the past k-1 frames (with
    `future` f > 0: the past k-1-f frames and f frames ahead, for a decoder that may look
    at the next latent frame; such a convolution runs whole, never in chunks).

    A whole pass zero-pads k-1 frames before frame 0 (inside the convolution, which is
    cheaper than concatenating) and drops the k-1 extra frames it computes at the end.
    A chunked pass (a `cache` dict shared by its chunks) prepends the last k-1 input
    frames of the previous chunk instead, so chunks compute exactly what the whole does.
    """

    def __init__(self, cin: int, cout: int, kernel: int = 3, future: int = 0):
        super().__init__()
        if not 0 <= future <= kernel // 2:
            raise ValueError(f"future must be 0..{kernel // 2}; got {future}")
        self.future = future  # frames ahead it sees; > 0 gives up causality (no chunks)
        self.past = kernel - 1 - future
        pad_t = max(self.past, future)
        self.conv = nn.Conv3d(cin, cout, kernel, padding=(pad_t, kernel // 2, kernel // 2))

    def forward(self, x: Tensor, cache: Cache | None = None) -> Tensor:
        T, conv = x.shape[2], self.conv
        if cache is None:
            y = conv3d(x, conv.weight, conv.bias, conv.padding)  # (B, cout, T + 2·pad - k + 1, ...)
            start = conv.padding[0] - self.past  # drop what padding computed before frame 0
            return y[:, :, start : start + T]  # (B, cout, T, H, W)
        if self.future:
            raise ValueError("a convolution that looks ahead cannot run in time chunks")
        past = cache.get(self)
        if past is None:
            past = x.new_zeros(*x.shape[:2], self.past, *x.shape[3:])
        x = torch.cat([past, x], dim=2)  # (B, cin, past + T, H, W)
        cache[self] = x[:, :, -self.past :].clone()
        return conv3d(x, conv.weight, conv.bias, conv.padding)[:, :, self.past : self.past + T]


def conv3d(x: Tensor, weight: Tensor, bias: Tensor | None, padding) -> Tensor:
    """F.conv3d, but always through oneDNN on CPU: PyTorch sends batch-1 inputs with
    N*C*D*H <= 20480 (small frames, short chunks, stills) to its native 3D convolution,
    which is 5-10x slower there. Any other device, or autocast, takes F.conv3d.

    In bfloat16 on CPU, an input shorter than the kernel in time gets its time padding
    here rather than from the convolution: oneDNN's bfloat16 kernel (PyTorch 2.13)
    returns garbage, NaN at times, for a 1-frame input with time padding and 3 or 12
    input channels (a still through the encoder's first convolution). Same zeros, same
    result."""
    if x.is_cpu and padding[0] and x.shape[2] < weight.shape[2] and _bfloat16_on_cpu(x):
        x = F.pad(x, (0, 0, 0, 0, padding[0], padding[0]))
        padding = (0, *padding[1:])
    onednn = _ONEDNN and torch.backends.mkldnn.enabled and not torch.is_autocast_enabled("cpu")
    if x.is_cpu and onednn and x.dtype == weight.dtype:
        return torch.ops.aten.mkldnn_convolution(x, weight, bias, padding, (1,) * 3, (1,) * 3, 1)
    return F.conv3d(x, weight, bias, padding=padding)


def _bfloat16_on_cpu(x: Tensor) -> bool:
    """Whether a CPU convolution of x computes in bfloat16 (its dtype, or autocast's)."""
    if x.dtype == torch.bfloat16:
        return True
    return torch.is_autocast_enabled("cpu") and torch.get_autocast_dtype("cpu") == torch.bfloat16


def pointwise(conv: nn.Conv3d, x: Tensor) -> Tensor:
    return conv3d(x, conv.weight, conv.bias, (0, 0, 0))


class ChannelNorm(nn.Module):
    """RMS norm over channels at each voxel, without a gain (as LTX-Video's pixel norm):
    no statistics across time or space, so chunks and tiles see what the whole sees."""

    def __init__(self, eps: float = 1e-6):
        super().__init__()
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        xf = x.float()
        return (xf * torch.rsqrt(xf.square().mean(1, keepdim=True) + self.eps)).to(x.dtype)


def channel_mean(x: Tensor, cout: int) -> Tensor:
    """(B, C, ...) → (B, cout, ...) by averaging groups of C / cout adjacent channels."""
    return x.unflatten(1, (cout, -1)).mean(2)


def channel_repeat(x: Tensor, cout: int) -> Tensor:
    """(B, C, ...) → (B, cout, ...) by repeating each channel cout / C times."""
    return x.repeat_interleave(cout // x.shape[1], dim=1)


class Down(nn.Module):
    """Fold 2×2 pixels (and, if st = 2, frame pairs) into channels, then mix: a learned
    2×2(×2) patch step. Frame 0 is paired with a copy of itself, so it stays alone.
    The folded input, averaged down to `cout` channels, is added back (a parameter-free
    shortcut, as in DC-AE's residual autoencoding): deep stacks train much faster."""

    def __init__(self, cin: int, cout: int, st: int):
        super().__init__()
        self.st, self.cout = st, cout
        self.proj = nn.Conv3d(cin * st * 4, cout, 1)
        self.shortcut = (cin * st * 4) % cout == 0

    def forward(self, x: Tensor, cache: Cache | None = None) -> Tensor:
        if self.st == 2 and first_chunk(self, cache):
            x = torch.cat([x[:, :, :1], x], dim=2)  # (B, C, 2 + 2m, H, W)
        x = space_to_depth(x, self.st, 2)  # (B, C*st*4, 1 + m, H/2, W/2)
        y = pointwise(self.proj, x)
        return y + channel_mean(x, self.cout) if self.shortcut else y


class Up(nn.Module):
    """The inverse of `Down`: unfold channels into 2×2 pixels (and 2 frames), with the
    input's channels repeated as a shortcut; the first latent frame unfolds to one frame
    (its pair's copy is dropped)."""

    def __init__(self, cin: int, cout: int, st: int):
        super().__init__()
        self.st, self.cout = st, cout
        self.proj = nn.Conv3d(cin, cout * st * 4, 1)
        self.shortcut = (cout * st * 4) % cin == 0

    def forward(self, x: Tensor, cache: Cache | None = None) -> Tensor:
        y = pointwise(self.proj, x)  # (B, cout*st*4, T, H, W)
        if self.shortcut:
            y = y + channel_repeat(x, y.shape[1])
        y = depth_to_space(y, self.st, 2)  # (B, cout, st*T, 2H, 2W)
        return y[:, :, 1:] if self.st == 2 and first_chunk(self, cache) else y


def first_chunk(module: nn.Module, cache: Cache | None) -> bool:
    """True on a whole pass or the first chunk of a chunked one (then marks it seen)."""
    if cache is None:
        return True
    first = module not in cache
    cache[module] = True
    return first


def run_chunked(net: Callable, x: Tensor, chunk: int) -> Tensor:
    """`net(x, cache)` over x (B, C, T, H, W) as frame 0, then `chunk` frames at a time."""
    cache: Cache = {}
    bounds = [0, 1, *range(1 + chunk, x.shape[2], chunk), x.shape[2]]
    parts = [net(x[:, :, a:b], cache) for a, b in itertools.pairwise(bounds) if b > a]
    return torch.cat(parts, dim=2)
