"""Hashed per-purpose random streams: one seed, many independent reproducible generators."""

from __future__ import annotations

import hashlib

import numpy as np


def stream(seed: int, purpose: str) -> np.random.Generator:
    """A generator that depends only on ``seed`` and ``purpose`` (not on call order)."""
    digest = hashlib.sha256(f"mdlang-sample:{seed}:{purpose}".encode()).digest()
    return np.random.Generator(np.random.PCG64(int.from_bytes(digest[:16], "little")))


def secret_for(seed: int) -> bytes:
    """The record-key secret of both sample stores: fixed by the seed so builds are byte-identical."""
    return hashlib.sha256(f"mdlang-sample-record-key:{seed}".encode()).digest()


def top_k(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Indices of ``k`` items drawn without replacement with probability ∝ ``weights`` (Gumbel top-k)."""
    k = min(k, int(np.count_nonzero(weights > 0)))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    with np.errstate(divide="ignore"):
        keys = np.log(weights) + rng.gumbel(size=weights.size)
    idx = np.argpartition(-keys, k - 1)[:k]
    return np.sort(idx)
