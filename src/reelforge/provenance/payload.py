"""The invisible mark's payload: 64 bits (installation id, job id) + a CRC-16, as 80 bits.

The high 32 bits name the installation, the low 32 bits the job (a hash of its id). The
CRC-16 (CCITT, polynomial 0x1021) lets the detector tell a right reading from a wrong one:
a random 80-bit word passes with probability 2^-16. `decode` also tries flipping the
least reliable bits (a Chase decoder): a reading with one to a few weak wrong bits is
repaired, and every extra try is counted so callers can bound false positives.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass

import numpy as np

from reelforge.types import InvalidInputError

PAYLOAD_BITS = 64
CRC_BITS = 16
CODED_BITS = PAYLOAD_BITS + CRC_BITS
CRC_POLY = 0x1021
CRC_INIT = 0xFFFF
MAX_FLIPS = 6  # Chase: all subsets of the 6 least reliable bits (64 tries)


@dataclass(frozen=True)
class Payload:
    """Who made a clip: the installation and the job, 32 bits each."""

    installation: int
    job: int

    def __post_init__(self) -> None:
        for name in ("installation", "job"):
            if not 0 <= getattr(self, name) < 2**32:
                raise InvalidInputError(f"{name} id must fit in 32 bits", param=name)

    @classmethod
    def from_ids(cls, installation: str | int, job: str | int) -> Payload:
        """Ints are kept as they are; strings (a job's id, a host name) are hashed."""
        return cls(id32(installation), id32(job))

    @classmethod
    def from_int(cls, value: int) -> Payload:
        if not 0 <= value < 2**PAYLOAD_BITS:
            raise InvalidInputError("payload must fit in 64 bits", param="payload")
        return cls(value >> 32, value & 0xFFFFFFFF)

    def __int__(self) -> int:
        return (self.installation << 32) | self.job

    def hex(self) -> dict[str, str]:
        return {"installation": f"{self.installation:08x}", "job": f"{self.job:08x}"}


def id32(value: str | int) -> int:
    """A 32-bit id: an int as it is (it must fit), a string by its SHA-256."""
    if isinstance(value, int):
        if not 0 <= value < 2**32:
            raise InvalidInputError("an id must fit in 32 bits", param="id")
        return value
    return int.from_bytes(hashlib.sha256(value.encode()).digest()[:4], "big")


def crc16(bits: np.ndarray) -> int:
    """CRC-16/CCITT of a bit array (most significant bit first)."""
    crc = CRC_INIT
    for bit in bits:
        top = ((crc >> 15) & 1) ^ int(bit)
        crc = ((crc << 1) & 0xFFFF) ^ (CRC_POLY if top else 0)
    return crc


def encode(payload: Payload) -> np.ndarray:
    """The 80 coded bits (0/1, uint8): the payload, most significant bit first, then its CRC."""
    data = _bits(int(payload), PAYLOAD_BITS)
    return np.concatenate([data, _bits(crc16(data), CRC_BITS)])


def decode(soft: np.ndarray, max_flips: int = MAX_FLIPS) -> tuple[Payload | None, int]:
    """Soft values (positive: 1, negative: 0; magnitude: reliability) of the 80 coded
    bits -> (the payload, or None when no try passes the CRC; the number of tries)."""
    soft = np.asarray(soft, dtype=np.float64)
    hard = (soft > 0).astype(np.uint8)
    weakest = np.argsort(np.abs(soft))[:max_flips]
    tries = 0
    for count in range(max_flips + 1):
        for flip in itertools.combinations(weakest, count):
            tries += 1
            word = hard.copy()
            word[list(flip)] ^= 1
            if crc16(word[:PAYLOAD_BITS]) == _int(word[PAYLOAD_BITS:]):
                return Payload.from_int(_int(word[:PAYLOAD_BITS])), tries
    return None, tries


def _bits(value: int, n: int) -> np.ndarray:
    return np.array([(value >> (n - 1 - i)) & 1 for i in range(n)], dtype=np.uint8)


def _int(bits: np.ndarray) -> int:
    return int("".join(str(int(b)) for b in bits), 2)
