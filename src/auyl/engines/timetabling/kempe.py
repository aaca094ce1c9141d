"""Kempe chains for the greedy start: place a unit by exchanging two blocks of periods.

When recursive swapping (:mod:`swapping`) finds no start for a unit, the week may be
packed so tightly that every start it could use holds another lesson of its teacher or
class, and moving any one of those lessons only moves the problem (Collegiate_Junior_School2:
12 classes with lessons in every period that is not a break). The textbook answer for
class-teacher timetables is a Kempe chain: pick the start ``ux`` for the unit and another
block of periods; the units in its way at ``ux`` move to the other block, the units in
their way there move back, and so on until no one is in anyone's way. The exchange keeps
every other lesson where it is, so it never unplaces anything for good.

Here a block is ``B`` periods of one day (the unit's duration, or one more, so that single
lessons can go round a double); a unit moves with its whole block, keeping its offset, and
may only move if it lies wholly inside its block and its new start is one of its own
candidate starts. The exchange is tried on the real timetable (:func:`swapping._put` checks
every hard rule at the new start) and undone through the journal when a rule breaks.

:func:`evict_and_exchange` combines both moves: the unit takes a start with at most
``MAX_EVICTED`` units in its way, and each of them is placed again at a free start or by
a Kempe chain; only when all are placed is the move kept. The greedy's loop
(:func:`building.run`) tries it after recursive swapping and before forcing a unit in.
"""

from __future__ import annotations

import numpy as np

from .swapping import (
    CTR_JOURNAL,
    CTR_STAMP,
    _compile,
    _put,
    _undo,
    _unplace,
    _victims,
)

#: the most units one exchange may move (longer chains were never needed on the FET examples)
MAX_CHAIN = 40
#: blocks may be this many periods longer than the unit (single lessons go round a double)
EXTRA_PERIODS = 1
#: the most units in the way of the start :func:`evict_and_exchange` takes
MAX_EVICTED = 2


@_compile
def _is_candidate(v, s, S):
    """True when ``s`` is one of unit ``v``'s candidate starts."""
    for i in range(S.u_cand_ptr[v], S.u_cand_ptr[v + 1]):
        if S.u_cand[i] == s:
            return True
    return False


@_compile
def _join(v, side, x, y, B, S, A, units, sides, n, stamp):
    """Add unit ``v`` to the exchange: from block ``x`` to ``y`` (``side`` 0) or back (1).
    The new count, or -1 when ``v`` cannot move so (locked, on the other side already, not
    wholly inside its block, its new start not a candidate, the chain too long)."""
    if A.mark[v] == stamp:
        for j in range(n):
            if units[j] == v:
                return n if sides[j] == side else -1
        return -1  # the unit being placed
    if S.u_locked[v] or n >= units.shape[0]:
        return -1
    src = x if side == 0 else y
    dst = y if side == 0 else x
    for m in range(S.u_ptr[v], S.u_ptr[v + 1]):
        a = S.u_act[m]
        if A.start[a] < src or A.start[a] + S.a_dur[a] > src + B:
            return -1
    if not _is_candidate(v, A.start[S.u_act[S.u_ptr[v]]] - src + dst, S):
        return -1
    A.mark[v] = stamp
    units[n] = v
    sides[n] = side
    return n + 1


@_compile
def _in_the_way(a, s, side, x, y, B, S, A, units, sides, n, stamp):
    """Join every unit whose lesson holds a person of lesson ``a`` in its periods from
    ``s`` to the exchange, on side ``side``; the new count or -1."""
    for k in range(S.a_pp_ptr[a], S.a_pp_ptr[a + 1]):
        p = S.a_pp[k]
        for t in range(s, s + S.a_dur[a]):
            o = A.occ[p, t]
            if o >= 0:
                n = _join(S.a_unit[o], side, x, y, B, S, A, units, sides, n, stamp)
                if n < 0:
                    return -1
    return n


@_compile
def _clashes_with_unit(u, ux, v, x, y, S, A):
    """True when unit ``v``, coming from block ``y`` into block ``x``, would share a person
    and a period with unit ``u`` at ``ux``."""
    for m in range(S.u_ptr[v], S.u_ptr[v + 1]):
        a = S.u_act[m]
        s = A.start[a] - y + x
        for i in range(S.u_ptr[u], S.u_ptr[u + 1]):
            b = S.u_act[i]
            if s < ux + S.a_dur[b] and ux < s + S.a_dur[a]:
                for k in range(S.a_pp_ptr[a], S.a_pp_ptr[a + 1]):
                    for k2 in range(S.a_pp_ptr[b], S.a_pp_ptr[b + 1]):
                        if S.a_pp[k] == S.a_pp[k2]:
                            return True
    return False


@_compile
def _chain_units(u, ux, x, y, B, S, A, units, sides):
    """The units to exchange between blocks ``x`` and ``y`` (``B`` periods each) so that
    unit ``u`` can start at ``ux`` inside block ``x``, written to ``units`` / ``sides``:
    their number (0: nothing in the way), or -1 when no such exchange exists.

    Invariant: every unit joined moves with its whole block, and the closure is complete:
    no person of a moved unit is busy at its new periods with a unit that stays."""
    A.ctr[CTR_STAMP] += 1
    stamp = A.ctr[CTR_STAMP]
    A.mark[u] = stamp
    n = 0
    for i in range(S.u_ptr[u], S.u_ptr[u + 1]):
        n = _in_the_way(S.u_act[i], ux, 0, x, y, B, S, A, units, sides, n, stamp)
        if n < 0:
            return -1
    h = 0
    while h < n:
        v = units[h]
        side = sides[h]
        shift = (y - x) if side == 0 else (x - y)
        for m in range(S.u_ptr[v], S.u_ptr[v + 1]):
            a = S.u_act[m]
            n = _in_the_way(a, A.start[a] + shift, 1 - side, x, y, B, S, A, units, sides, n,
                            stamp)  # fmt: skip
            if n < 0:
                return -1
        h += 1
    for j in range(n):
        if sides[j] == 1 and _clashes_with_unit(u, ux, units[j], x, y, S, A):
            return -1
    return n


@_compile
def _take_out(units, n, S, A):
    """Take every lesson of the first ``n`` units out (journaled)."""
    for j in range(n):
        v = units[j]
        for m in range(S.u_ptr[v], S.u_ptr[v + 1]):
            _unplace(S.u_act[m], True, S, A)


@_compile
def _exchange(u, ux, x, y, n, S, A, units, sides):
    """Move the ``n`` units of the chain to the other block and put ``u`` at ``ux`` (all
    journaled). True when every hard rule holds; else the timetable is as it was."""
    mark_j = A.ctr[CTR_JOURNAL]
    new_start = np.empty(n, np.int32)
    for j in range(n):
        v = units[j]
        shift = (y - x) if sides[j] == 0 else (x - y)
        new_start[j] = A.start[S.u_act[S.u_ptr[v]]] + shift
    _take_out(units, n, S, A)
    ok = _put(u, ux, S, A)
    j = 0
    while ok and j < n:
        ok = _put(units[j], new_start[j], S, A)
        j += 1
    if not ok:
        _undo(mark_j, A, S)
    return ok


@_compile
def _one_day(s, B, ppd):
    """True when the ``B`` periods from ``s`` lie in one day."""
    return s >= 0 and s // ppd == (s + B - 1) // ppd


@_compile
def place_by_exchange(u, S, A):
    """Place unit ``u`` (not placed) by a Kempe chain: its candidate starts in order, each
    block around them, every other block of the week; the first exchange that keeps every
    hard rule is kept (True). False: none does, and nothing changed."""
    d = 0
    for i in range(S.u_ptr[u], S.u_ptr[u + 1]):
        d = max(d, S.a_dur[S.u_act[i]])
    units = np.empty(MAX_CHAIN, np.int32)
    sides = np.empty(MAX_CHAIN, np.int32)
    n_slots = A.occ.shape[1]
    for B in range(d, d + EXTRA_PERIODS + 1):
        for ci in range(S.u_cand_ptr[u], S.u_cand_ptr[u + 1]):
            ux = S.u_cand[ci]
            for x in range(ux - (B - d), ux + 1):
                if not _one_day(x, B, S.ppd):
                    continue
                for y in range(n_slots - B + 1):
                    if abs(x - y) < B or not _one_day(y, B, S.ppd):
                        continue
                    n = _chain_units(u, ux, x, y, B, S, A, units, sides)
                    if n > 0 and _exchange(u, ux, x, y, n, S, A, units, sides):
                        return True
    return False


@_compile
def _place_anywhere(v, S, A, scratch):
    """Put unit ``v`` at its first candidate start with nothing in its way, or by a Kempe
    chain; False when neither works (nothing changed)."""
    for i in range(S.u_cand_ptr[v], S.u_cand_ptr[v + 1]):
        s = S.u_cand[i]
        if _victims(v, s, scratch, S, A, False) == 0 and _put(v, s, S, A):
            return True
    return place_by_exchange(v, S, A)


@_compile
def evict_and_exchange(u, S, A, scratch):
    """Put unit ``u`` at a candidate start with at most ``MAX_EVICTED`` units in its way and
    place each of those again (:func:`_place_anywhere`); the first start where all find a
    place is kept (True). False: no start works, and nothing changed."""
    victims = np.empty(MAX_EVICTED, np.int32)
    for ci in range(S.u_cand_ptr[u], S.u_cand_ptr[u + 1]):
        s = S.u_cand[ci]
        n = _victims(u, s, scratch, S, A, False)
        if n <= 0 or n > MAX_EVICTED:
            continue
        victims[:n] = scratch[:n]
        mark_j = A.ctr[CTR_JOURNAL]
        _take_out(victims, n, S, A)
        ok = _put(u, s, S, A)
        j = 0
        while ok and j < n:  # a Kempe chain may move ``u`` too: it stays placed
            ok = _place_anywhere(victims[j], S, A, scratch)
            j += 1
        if ok:
            return True
        _undo(mark_j, A, S)
    return False
