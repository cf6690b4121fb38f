"""Spells: per-person time intervals with a value, as parallel numpy arrays.

A :class:`Spells` holds ``who`` (person index), ``start``, ``stop`` (exclusive; NEVER = open) and
``val``, sorted by (who, start) without overlaps. :func:`follow` lets one person take another's
values over an interval (children live with their mother, men with their partner).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mdlang.datastore.samplegen.dates import NEVER


def pair_order(major: np.ndarray, minor: np.ndarray) -> np.ndarray:
    """The stable order by (major, minor), as ``np.lexsort((minor, major))`` gives it.

    When both fit in one int64 the pairs are packed into one key, whose stable argsort is about
    eight times faster than lexsort on millions of rows.
    """
    major = np.asarray(major)
    minor = np.asarray(minor)
    if major.size == 0:
        return np.empty(0, np.int64)
    lo_a, hi_a = int(major.min()), int(major.max())
    lo_b, hi_b = int(minor.min()), int(minor.max())
    bits = max(hi_b - lo_b, 1).bit_length()
    if lo_a < 0 or hi_a - lo_a >= 1 << (62 - bits):
        return np.lexsort((minor, major))
    key = ((major.astype(np.int64) - lo_a) << bits) + (minor.astype(np.int64) - lo_b)
    return np.argsort(key, kind="stable")


@dataclass
class Spells:
    """Non-overlapping spells sorted by (who, start)."""

    who: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    val: np.ndarray

    def take(self, idx: np.ndarray) -> Spells:
        return Spells(self.who[idx], self.start[idx], self.stop[idx], self.val[idx])

    def at(self, when: int, n: int, missing=-1) -> np.ndarray:
        """The value of every person on day ``when`` (``missing`` where none)."""
        out = np.full(n, missing, dtype=self.val.dtype)
        hit = (self.start <= when) & (self.stop > when)
        out[self.who[hit]] = self.val[hit]
        return out

    def clip(self, lo: int, hi: int) -> Spells:
        """Spells overlapping [lo, hi)."""
        return self.take(np.flatnonzero((self.stop > lo) & (self.start < hi)))


def concat(parts: list[Spells]) -> Spells:
    return Spells(
        *(np.concatenate([getattr(p, f) for p in parts]) for f in ("who", "start", "stop", "val"))
    )


def normalise(s: Spells) -> Spells:
    """Sort, drop empty spells and merge adjacent spells of one person with equal values."""
    keep = s.start < s.stop
    s = s.take(np.flatnonzero(keep))
    order = pair_order(s.who, s.start)
    s = s.take(order)
    if s.who.size == 0:
        return s
    same = np.zeros(s.who.size, bool)
    same[1:] = (s.who[1:] == s.who[:-1]) & (s.val[1:] == s.val[:-1]) & (s.start[1:] == s.stop[:-1])
    # Runs of merged spells: keep the first of each run, give it the stop of the last.
    head = np.flatnonzero(~same)
    last = np.append(head[1:] - 1, s.who.size - 1)
    out = s.take(head)
    out.stop = s.stop[last]
    return out


def from_events(who: np.ndarray, when: np.ndarray, val: np.ndarray, end: np.ndarray) -> Spells:
    """Spells from change events: each event starts a spell lasting until the person's next event
    or ``end[who]``. Events must be grouped so that (who, when) sorting gives the order."""
    order = pair_order(who, when)
    who, when, val = who[order], when[order], val[order]
    stop = np.empty_like(when)
    stop[:-1] = when[1:]
    if who.size:
        stop[-1] = end[who[-1]]
        last = np.append(who[1:] != who[:-1], True)
        stop[last] = end[who[last]]
    return normalise(Spells(who, when, stop, val))


def follow(
    base: Spells,
    leader: Spells,
    f: np.ndarray,
    lead: np.ndarray,
    fs: np.ndarray,
    fe: np.ndarray,
    n: int,
) -> Spells:
    """Person ``f[j]`` takes person ``lead[j]``'s values during [fs[j], fe[j]); one interval per follower."""
    ok = fs < fe
    f, lead, fs, fe = f[ok], lead[ok], fs[ok], fe[ok]
    fsa = np.full(n, NEVER)
    fea = np.full(n, NEVER)
    fsa[f] = fs
    fea[f] = fe
    bfs, bfe = fsa[base.who], fea[base.who]
    before = Spells(base.who, base.start, np.minimum(base.stop, bfs), base.val)
    after_mask = bfe < NEVER
    after = base.take(np.flatnonzero(after_mask))
    after.start = np.maximum(after.start, bfe[after_mask])
    # Spells of each follower's leader, clipped to the follow interval.
    lo = np.searchsorted(leader.who, lead, "left")
    hi = np.searchsorted(leader.who, lead, "right")
    cnt = hi - lo
    j = np.repeat(np.arange(f.size), cnt)
    first = np.repeat(lo - np.cumsum(cnt) + cnt, cnt)
    idx = first + np.arange(j.size)
    taken = Spells(
        f[j],
        np.maximum(leader.start[idx], fs[j]),
        np.minimum(leader.stop[idx], fe[j]),
        leader.val[idx],
    )
    return normalise(concat([before, after, taken]))
