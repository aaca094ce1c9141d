"""Recursive swapping on plain integer arrays, compiled by numba: the greedy start's core.

This is FET's published heuristic (Lalescu, "recursive swapping"), rewritten from its
description for Auyl's arrays -- no FET code:

1. Units (lessons that must start together) are placed hardest first.
2. A unit goes to a start where nothing is in its way and every hard rule holds.
3. Otherwise every start is scored by the number of placed units in the way (a unit removed
   from that start recently counts more: a tabu against cycling); the starts are tried
   best first: the unit is placed, the units in the way are taken out and placed again the
   same way, recursively (at most ``MAX_LEVEL`` deep, at most ``chain_effort`` attempts
   for one unit; below the first level only the best start is tried). A chain that fails
   is undone (a journal of every change), so a failed attempt leaves the timetable as it
   was.
4. When no chain works, the unit takes its best start anyway and the units in its way go to
   the front of the queue (here also lessons at the edges of days that would leave a
   person too many gaps, as FET strips a day's ends); a unit forced in lately is only
   taken out again when nothing else is possible (``FORCE_TABU``), which stops two units
   from evicting each other in turn.
5. Gaps are counted as FET counts them while building: a teacher's gaps may exceed the
   limit by the periods still to place (they may fill them), which no removal breaks; a
   class's may not. When the queue is empty, a person whose gap limit the removals broke
   has that day's lessons taken out and queued again.

The loop that applies these steps unit by unit is :func:`building.run` (with Kempe chains,
:mod:`kempe`, between steps 3 and 4). Everything lives in arrays owned by the caller
(:mod:`greedy`), so a run can stop after a budget of attempts and be resumed. Units in the
way are found from the occupancy of the lesson's people (teachers, groups), from its min-
days partners, daily maxima and teaching days, the rooms and resources of capacity 1 it
needs (and, for a forced placement, gaps); resources of larger capacity and gaps are
checked when the unit is put in. The caller checks the final timetable with
:func:`evaluate`.

Small helpers called in the innermost loops are inlined (``_inline``): numba passes the
named tuples to a function it calls by value, which cost more than their work (the
long lane took 1.3 to 2 times longer on Highlands and MHS_July2).

Conventions: activities, units, persons and resources are indices; ``-1`` is "none".
Every function takes the problem (:data:`Static`, ``S``) and the timetable being built
(:data:`State`, ``A``) as named tuples of arrays; ``A.ctr`` holds the run's counters
(``CTR_*``).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from typing import Any, cast

import numpy as np
from numba import njit

#: deepest recursion of one placement chain (FET uses about this)
MAX_LEVEL = 14
#: counters in ``ctr``
CTR_JOURNAL, CTR_CALLS, CTR_STAMP, CTR_STEP, CTR_QHEAD, CTR_QLEN, CTR_BUDGET, CTR_FORCED = range(8)
#: starts tried below the first level of a chain (the best ones)
DEEP_TRIES = 1
#: a unit forced in within this many forced placements is not taken out again by one
FORCE_TABU = 10
#: a removal this many top-level steps ago no longer counts as tabu
TABU_STEPS = 40

#: The problem, read only: units (``u_*``: lessons, candidate starts, locked), lessons
#: (``a_*``: unit, duration, people, fixed resources, room choices, hard and soft min-days
#: partners with their days, weights and consecutive flag, site), people (``p_*``: daily
#: maximum, teaching days, gaps a day / a week (-1: none), blocked slots, travel needs,
#: periods of all their lessons),
#: resource capacities, the week, the effort per chain and the share of soft weights used;
#: whether Kempe chains are used (``exchanges``, :mod:`building`).
Static = namedtuple(
    "Static",
    [
        "u_ptr",
        "u_act",
        "u_cand_ptr",
        "u_cand",
        "u_locked",
        "a_unit",
        "a_dur",
        "a_pp_ptr",
        "a_pp",
        "a_res_ptr",
        "a_res",
        "a_room_ptr",
        "a_rooms",
        "a_md_ptr",
        "a_md_other",
        "a_md_days",
        "a_md_consec",
        "p_dmax",
        "p_maxdays",
        "p_gapday",
        "p_gapweek",
        "p_blocked",
        "r_cap",
        "ppd",
        "n_days",
        "chain_effort",
        "a_sp_ptr",
        "a_sp_other",
        "a_sp_days",
        "a_sp_weight",
        "soft_share",
        "a_site",
        "p_tr_ptr",
        "p_tr_a",
        "p_tr_b",
        "p_tr_k",
        "p_hours",
        "p_slack",
        "exchanges",
    ],
)
#: The timetable being built: who is where (``occ`` person x slot), periods a day,
#: resource use (and the lesson last put in each resource and slot: exact for a room or a
#: resource of capacity 1), each lesson's start and room, the undo journal, counters (``CTR_*``),
#: when each (lesson, start) was last left (tabu), the units of the current chain, stamps
#: for de-duplicating, and when each unit was last forced in.
State = namedtuple(
    "State", "occ load r_used r_occ start a_room journal ctr tabu in_chain mark forced_at"
)
#: The explicit recursion stack of :func:`_chain`, one row per level.
Frames = namedtuple("Frames", "f_unit f_order f_n f_pos f_mark f_victims f_nv f_vpos scratch")

_compile = cast(Callable[..., Any], njit(cache=True, nogil=True, boundscheck=False))
#: for small helpers called in the innermost loops: numba passes the named tuples of
#: arrays to a function it does not inline by value, which costs more than the work
_inline = cast(Callable[..., Any], njit(cache=True, nogil=True, boundscheck=False, inline="always"))


@_inline
def _record(placed, a, s, room, A):
    """Append "lesson ``a`` was put at (1) / taken from (0) ``s`` in ``room``" to the
    journal (a chain longer than the journal cannot be undone past its end)."""
    j = A.ctr[CTR_JOURNAL]
    if j < A.journal.shape[0]:
        A.journal[j, 0] = placed
        A.journal[j, 1] = a
        A.journal[j, 2] = s
        A.journal[j, 3] = room
        A.ctr[CTR_JOURNAL] = j + 1


@_inline
def _place(a, s, room, journaled, S, A):
    """Put lesson ``a`` at ``s`` in ``room`` (-1: none), recorded in the journal when
    ``journaled``."""
    d = S.a_dur[a]
    day = s // S.ppd
    for k in range(S.a_pp_ptr[a], S.a_pp_ptr[a + 1]):
        p = S.a_pp[k]
        for t in range(s, s + d):
            A.occ[p, t] = a
        A.load[p, day] += d
    for k in range(S.a_res_ptr[a], S.a_res_ptr[a + 1]):
        for t in range(s, s + d):
            A.r_used[S.a_res[k], t] += 1
            A.r_occ[S.a_res[k], t] = a
    if room >= 0:
        for t in range(s, s + d):
            A.r_used[room, t] += 1
            A.r_occ[room, t] = a
    A.start[a] = s
    A.a_room[a] = room
    if journaled:
        _record(1, a, s, room, A)


@_inline
def _unplace(a, journaled, S, A):
    """Take lesson ``a`` out; when ``journaled``, record it and mark the removal (tabu)."""
    if A.start[a] < 0:
        return
    s = A.start[a]
    room = A.a_room[a]
    d = S.a_dur[a]
    day = s // S.ppd
    for k in range(S.a_pp_ptr[a], S.a_pp_ptr[a + 1]):
        p = S.a_pp[k]
        for t in range(s, s + d):
            A.occ[p, t] = -1
        A.load[p, day] -= d
    for k in range(S.a_res_ptr[a], S.a_res_ptr[a + 1]):
        for t in range(s, s + d):
            A.r_used[S.a_res[k], t] -= 1
            if A.r_occ[S.a_res[k], t] == a:
                A.r_occ[S.a_res[k], t] = -1
    if room >= 0:
        for t in range(s, s + d):
            A.r_used[room, t] -= 1
            if A.r_occ[room, t] == a:
                A.r_occ[room, t] = -1
    A.start[a] = -1
    A.a_room[a] = -1
    if journaled:
        A.tabu[a, s] = A.ctr[CTR_STEP]
        _record(0, a, s, room, A)


@_inline
def _day_gaps(p, day, extra_s, extra_d, occ, p_blocked, ppd, gone, a_unit, stamp):
    """Gaps of person ``p`` on ``day`` (a slot that is neither busy, blocked nor a break
    between the first and the last busy slot), counting ``extra_d`` periods from
    ``extra_s`` as busy and the lessons of units marked ``stamp`` in ``gone`` (about to be
    taken out) as free (``stamp`` -1: none)."""
    first = -1
    last = -1
    base = day * ppd
    for t in range(base, base + ppd):
        o = occ[p, t]
        if (extra_s <= t < extra_s + extra_d) or (
            o >= 0 and (stamp < 0 or gone[a_unit[o]] != stamp)
        ):
            if first < 0:
                first = t
            last = t
    if first < 0:
        return 0
    gaps = 0
    for t in range(first, last + 1):
        o = occ[p, t]
        busy = (extra_s <= t < extra_s + extra_d) or (
            o >= 0 and (stamp < 0 or gone[a_unit[o]] != stamp)
        )
        if not busy and p_blocked[p, t] == 0:
            gaps += 1
    return gaps


@_inline
def _gaps_within(p, s, d, S, A, stamp):
    """True when person ``p``'s gaps, with ``d`` more periods from ``s`` and the units
    marked ``stamp`` taken out, stay within its limits as FET counts them while building:
    each period still to place may fill one gap, so the week's gaps may exceed the limit by
    the periods not yet placed (and the days' excess gaps add up to at most those), times
    the person's slack (``p_slack``: 1 for teachers, 0 for classes, whose count is strict).
    With a slack of 1 taking a lesson out never breaks it (the lesson frees at least as
    many periods as it opens gaps); exact once all of ``p``'s lessons are placed."""
    placed = 0
    week = 0
    excess = 0
    for day in range(S.n_days):
        base = day * S.ppd
        for t in range(base, base + S.ppd):
            o = A.occ[p, t]
            if (s <= t < s + d) or (o >= 0 and (stamp < 0 or A.mark[S.a_unit[o]] != stamp)):
                placed += 1
        gaps = _day_gaps(p, day, s, d, A.occ, S.p_blocked, S.ppd, A.mark, S.a_unit, stamp)
        week += gaps
        if S.p_gapday[p] >= 0 and gaps > S.p_gapday[p]:
            excess += gaps - S.p_gapday[p]
    to_place = int(S.p_slack[p] * (S.p_hours[p] - placed))
    if S.p_gapweek[p] >= 0 and week > S.p_gapweek[p] + to_place:
        return False
    return excess <= to_place


@_inline
def _gaps_ok(p, s, d, S, A, stamp):
    """True when ``d`` more periods from ``s`` keep person ``p`` within its gap limits
    (:func:`_gaps_within`) -- or, for a person with no slack, add no gap to that day."""
    if _gaps_within(p, s, d, S, A, stamp):
        return True
    if S.p_slack[p] > 0:
        return False
    day = s // S.ppd
    after = _day_gaps(p, day, s, d, A.occ, S.p_blocked, S.ppd, A.mark, S.a_unit, stamp)
    return after <= _day_gaps(p, day, -1, 0, A.occ, S.p_blocked, S.ppd, A.mark, S.a_unit, stamp)


@_inline
def _fits(a, s, S, A):
    """-2 when ``a`` cannot start at ``s``; else the room to use (-1: none needed)."""
    d = S.a_dur[a]
    day = s // S.ppd
    for k in range(S.a_pp_ptr[a], S.a_pp_ptr[a + 1]):
        p = S.a_pp[k]
        for t in range(s, s + d):
            if A.occ[p, t] >= 0:
                return -2
        if S.p_dmax[p] >= 0 and A.load[p, day] + d > S.p_dmax[p]:
            return -2
        if S.p_maxdays[p] >= 0 and A.load[p, day] == 0:
            used = 0
            for dd in range(S.n_days):
                if A.load[p, dd] > 0:
                    used += 1
            if used >= S.p_maxdays[p]:
                return -2
        if (S.p_gapday[p] >= 0 or S.p_gapweek[p] >= 0) and not _gaps_ok(p, s, d, S, A, -1):
            return -2
    for k in range(S.a_pp_ptr[a], S.a_pp_ptr[a + 1]):
        p = S.a_pp[k]
        if S.p_tr_ptr[p] < S.p_tr_ptr[p + 1]:
            for t in range(day * S.ppd, (day + 1) * S.ppd):
                o = A.occ[p, t]
                if o >= 0 and _too_close(p, a, s, o, S, A):
                    return -2
    for k in range(S.a_md_ptr[a], S.a_md_ptr[a + 1]):
        if _partner_clash(a, s, k, S, A):
            return -2
    for k in range(S.a_res_ptr[a], S.a_res_ptr[a + 1]):
        r = S.a_res[k]
        for t in range(s, s + d):
            if A.r_used[r, t] >= S.r_cap[r]:
                return -2
    if S.a_room_ptr[a] == S.a_room_ptr[a + 1]:
        return -1
    for k in range(S.a_room_ptr[a], S.a_room_ptr[a + 1]):
        r = S.a_rooms[k]
        free = True
        for t in range(s, s + d):
            if A.r_used[r, t] >= S.r_cap[r]:
                free = False
                break
        if free:
            return r
    return -2


@_inline
def _partner_clash(a, s, k, S, A):
    """True when hard min-days partner ``k`` of lesson ``a`` is placed too few days from a
    start at ``s`` -- or, for consecutive-if-same-day, on that day but not next to it."""
    o = S.a_md_other[k]
    s2 = A.start[o]
    if s2 < 0:
        return False
    day, d2 = s // S.ppd, s2 // S.ppd
    if abs(day - d2) < S.a_md_days[k]:
        return True
    return S.a_md_consec[k] != 0 and d2 == day and s2 != s + S.a_dur[a] and s2 + S.a_dur[o] != s


@_inline
def _too_close(p, a, s, o, S, A):
    """True when teacher ``p`` cannot travel between lesson ``a`` at ``s`` and the placed
    lesson ``o`` (other sites, the same day, fewer free periods between than needed)."""
    s2 = A.start[o]
    if s2 < 0 or s2 // S.ppd != s // S.ppd or S.a_site[a] == S.a_site[o]:
        return False
    free = max(s, s2) - min(s + S.a_dur[a], s2 + S.a_dur[o])
    for k in range(S.p_tr_ptr[p], S.p_tr_ptr[p + 1]):
        if S.p_tr_a[k] == S.a_site[a] and S.p_tr_b[k] == S.a_site[o] and free < S.p_tr_k[k]:
            return True
    return False


@_inline
def _take(v, out, n, u_locked, in_chain, mark, stamp):
    """Add unit ``v`` to ``out`` once; the new count, or -1 when ``v`` may not move."""
    if mark[v] == stamp:
        return n
    if u_locked[v] or in_chain[v]:
        return -1
    mark[v] = stamp
    out[n] = v
    return n + 1


@_inline
def _victims(u, s, out, S, A, edges):
    """Write the placed units in the way of unit ``u`` at ``s`` into ``out``; return their
    number, or -1 when one of them may not move (locked, or in the current chain).

    In the way: lessons of the same people in those periods, min-days partners too close
    (or, for consecutive-if-same-day, on that day but not adjacent), and -- for a person
    with a daily maximum or a maximum of teaching days -- the fewest lessons of that day
    (or of the person's lightest other day) that make room; the lessons holding the
    rooms and resources it needs (:func:`_resource_victims`). With ``edges`` (a forced
    placement), also the lessons at the edge of the day that would leave a person more
    gaps than allowed; a chain leaves such starts out (evicting them there, measured on
    the FET examples, makes chains churn: Brazil went from 4 of 4 seeds found in 10 s to
    none)."""
    A.ctr[CTR_STAMP] += 1
    stamp = A.ctr[CTR_STAMP]
    n = 0
    day = s // S.ppd
    for i in range(S.u_ptr[u], S.u_ptr[u + 1]):
        a = S.u_act[i]
        d = S.a_dur[a]
        for k in range(S.a_pp_ptr[a], S.a_pp_ptr[a + 1]):
            p = S.a_pp[k]
            for t in range(s, s + d):
                o = A.occ[p, t]
                if o >= 0:
                    n = _take(S.a_unit[o], out, n, S.u_locked, A.in_chain, A.mark, stamp)
                    if n < 0:
                        return -1
        for k in range(S.a_md_ptr[a], S.a_md_ptr[a + 1]):
            if _partner_clash(a, s, k, S, A):
                n = _take(S.a_unit[S.a_md_other[k]], out, n, S.u_locked, A.in_chain, A.mark, stamp)
                if n < 0:
                    return -1
        for k in range(S.a_pp_ptr[a], S.a_pp_ptr[a + 1]):
            p = S.a_pp[k]
            if S.p_tr_ptr[p] < S.p_tr_ptr[p + 1]:  # lessons the teacher could not travel to
                for t in range(day * S.ppd, (day + 1) * S.ppd):
                    o = A.occ[p, t]
                    if o >= 0 and _too_close(p, a, s, o, S, A):
                        n = _take(S.a_unit[o], out, n, S.u_locked, A.in_chain, A.mark, stamp)
                        if n < 0:
                            return -1
        for k in range(S.a_sp_ptr[a], S.a_sp_ptr[a + 1]):
            # a soft partner too close is in the way with a chance of its weight (FET's way)
            s2 = A.start[S.a_sp_other[k]]
            if (
                s2 >= 0
                and abs(day - s2 // S.ppd) < S.a_sp_days[k]
                and np.random.random() * 100.0 < S.soft_share * S.a_sp_weight[k]
            ):
                n = _take(S.a_unit[S.a_sp_other[k]], out, n, S.u_locked, A.in_chain, A.mark, stamp)
                if n < 0:
                    return -1
        if S.a_res_ptr[a] < S.a_res_ptr[a + 1] or S.a_room_ptr[a] < S.a_room_ptr[a + 1]:
            n = _resource_victims(a, s, out, n, S, A, stamp)
            if n < 0:
                return -1
        for k in range(S.a_pp_ptr[a], S.a_pp_ptr[a + 1]):
            p = S.a_pp[k]
            if S.p_dmax[p] >= 0 or S.p_maxdays[p] >= 0:
                n = _day_limit_victims(p, day, s, d, out, n, S, A, stamp)
                if n < 0:
                    return -1
            if edges and (S.p_gapday[p] >= 0 or S.p_gapweek[p] >= 0):
                n = _gap_victims(p, s, d, out, n, S, A, stamp)
                if n < 0:
                    return -1
    return n


@_inline
def _resource_victims(a, s, out, n, S, A, stamp):
    """Add to ``out`` the units to take out so that lesson ``a`` has its resources and a
    room at ``s``: the lesson in each full resource of capacity 1 and, when none of its
    rooms is free, the lessons in the room that takes the fewest more units out (a room
    emptied by a unit already in the way costs nothing). The new count, or -1 when this
    cannot be done (a closed slot, a lesson that may not move). A full resource or room of
    larger capacity is left to :func:`_fits` (its lessons are not known one by one)."""
    d = S.a_dur[a]
    for k in range(S.a_res_ptr[a], S.a_res_ptr[a + 1]):
        r = S.a_res[k]
        if S.r_cap[r] != 1:
            continue
        for t in range(s, s + d):
            if A.r_used[r, t] >= 1:
                o = A.r_occ[r, t]
                if o < 0:
                    return -1
                n = _take(S.a_unit[o], out, n, S.u_locked, A.in_chain, A.mark, stamp)
                if n < 0:
                    return -1
    if S.a_room_ptr[a] == S.a_room_ptr[a + 1]:
        return n
    best, fewest = -1, 1 << 30
    for k in range(S.a_room_ptr[a], S.a_room_ptr[a + 1]):
        more = _room_takes(S.a_rooms[k], s, d, S, A, stamp)
        if more == 0:
            return n
        if more < fewest:
            best, fewest = S.a_rooms[k], more
    if best < 0:
        return -1
    for t in range(s, s + d):
        if A.r_used[best, t] >= S.r_cap[best]:
            n = _take(S.a_unit[A.r_occ[best, t]], out, n, S.u_locked, A.in_chain, A.mark, stamp)
            if n < 0:
                return -1
    return n


@_inline
def _room_takes(r, s, d, S, A, stamp):
    """How many more units (not marked with ``stamp``) must leave room ``r`` for a lesson
    of ``d`` periods from ``s``: 0 when it is free -- or holds several lessons (a pool of
    spare rooms), whose lessons are not known one by one: the units already in the way may
    free it, and :func:`_fits` decides; ``1 << 30`` when it cannot be emptied (a closed
    slot, a lesson that may not move)."""
    if S.r_cap[r] != 1:
        return 0
    more = 0
    for t in range(s, s + d):
        if A.r_used[r, t] < 1:
            continue
        o = A.r_occ[r, t]
        if o < 0:
            return 1 << 30
        v = S.a_unit[o]
        if A.mark[v] == stamp:
            continue
        if S.u_locked[v] or A.in_chain[v]:
            return 1 << 30
        if t == s or A.r_occ[r, t - 1] != o:
            more += 1
    return more


@_compile
def _gap_victims(p, s, d, out, n, S, A, stamp):
    """Units to take out so that person ``p`` keeps its gap limits (:func:`_gaps_within`)
    with ``d`` more periods from ``s``: lessons at the first or the last period of a day,
    any day (as FET strips a day's ends), one at a time at random; each frees a period, so
    this ends (-1: no such lesson may move)."""
    edges = np.empty(2 * S.n_days, np.int32)
    while not _gaps_ok(p, s, d, S, A, stamp):
        k = 0
        for day in range(S.n_days):
            first = -1
            last = -1
            for t in range(day * S.ppd, (day + 1) * S.ppd):
                o = A.occ[p, t]
                if o >= 0 and not (s <= t < s + d) and A.mark[S.a_unit[o]] != stamp:
                    if first < 0:
                        first = o
                    last = o
            for o in (first, last):
                if o >= 0 and not S.u_locked[S.a_unit[o]] and not A.in_chain[S.a_unit[o]]:
                    edges[k] = o
                    k += 1
        if k == 0:
            return -1
        o = edges[np.random.randint(k)]
        n = _take(S.a_unit[o], out, n, S.u_locked, A.in_chain, A.mark, stamp)
        if n < 0:
            return -1
    return n


@_compile
def _day_limit_victims(p, day, s, d, out, n, S, A, stamp):
    """Units to take out so that person ``p`` keeps its daily maximum and its maximum of
    teaching days with ``d`` more periods from ``s`` (-1: one of them may not move)."""
    base = day * S.ppd
    if S.p_dmax[p] < 0 and S.p_maxdays[p] < 0:
        return n
    if S.p_dmax[p] >= 0:
        # periods of that day still counted after the removals so far (the clashes above)
        kept = 0
        for t in range(base, base + S.ppd):
            o = A.occ[p, t]
            if o >= 0 and A.mark[S.a_unit[o]] != stamp and not (s <= t < s + d):
                kept += 1
        t = base
        while kept + d > S.p_dmax[p] and t < base + S.ppd:
            o = A.occ[p, t]
            if o >= 0 and A.mark[S.a_unit[o]] != stamp and not (s <= t < s + d):
                n = _take(S.a_unit[o], out, n, S.u_locked, A.in_chain, A.mark, stamp)
                if n < 0:
                    return -1
                kept -= S.a_dur[o]
            t += 1
    if S.p_maxdays[p] >= 0 and A.load[p, day] == 0:
        used = 0
        lightest = -1
        for dd in range(S.n_days):
            if A.load[p, dd] > 0:
                used += 1
                if lightest < 0 or A.load[p, dd] < A.load[p, lightest]:
                    lightest = dd
        if used >= S.p_maxdays[p] and lightest >= 0:
            for t in range(lightest * S.ppd, (lightest + 1) * S.ppd):
                o = A.occ[p, t]
                if o >= 0:
                    n = _take(S.a_unit[o], out, n, S.u_locked, A.in_chain, A.mark, stamp)
                    if n < 0:
                        return -1
    return n


@_inline
def _soft_cost(u, s, S, A):
    """Soft min-days partners of unit ``u`` that a start at ``s`` would put too close."""
    day = s // S.ppd
    broken = 0
    for i in range(S.u_ptr[u], S.u_ptr[u + 1]):
        a = S.u_act[i]
        for k in range(S.a_sp_ptr[a], S.a_sp_ptr[a + 1]):
            s2 = A.start[S.a_sp_other[k]]
            if s2 >= 0 and abs(day - s2 // S.ppd) < S.a_sp_days[k]:
                broken += 1
    return broken


@_compile
def _scores(u, level, S, A, scratch, order):
    """Score the starts of unit ``u``: put it at the first start with nothing in its way
    and no soft min-days partner too close -- or, failing that, at the free start with the
    fewest such partners -- (return -1), else write the starts worth trying, best first,
    into ``order`` and return their number (0: none)."""
    c0 = S.u_cand_ptr[u]
    n_cand = S.u_cand_ptr[u + 1] - c0
    scores = np.full(n_cand, np.inf)
    free_cost = np.full(n_cand, np.inf)  # soft min-days broken at a start with no victim
    step = A.ctr[CTR_STEP]
    for i in range(n_cand):
        s = S.u_cand[c0 + i]
        n = _victims(u, s, scratch, S, A, False)
        if n < 0:
            continue
        if n == 0:
            cost = _soft_cost(u, s, S, A)
            if cost == 0:
                if _put(u, s, S, A):
                    return -1
            else:
                free_cost[i] = cost
            continue
        if level >= MAX_LEVEL:
            continue
        penalty = 0
        for j in range(n):
            v = scratch[j]
            for m in range(S.u_ptr[v], S.u_ptr[v + 1]):
                a = S.u_act[m]
                if step - A.tabu[a, A.start[a]] < TABU_STEPS:
                    penalty += 1
        scores[i] = n + 2 * penalty + 0.5 * _soft_cost(u, s, S, A) + np.random.random()
    for i in np.argsort(free_cost):  # no start free of victims and soft breaks: the least
        if free_cost[i] == np.inf:  # soft breaks among the free ones
            break
        if _put(u, S.u_cand[c0 + i], S, A):
            return -1
    ranked = np.argsort(scores)
    k = 0
    limit = n_cand if level == 0 else DEEP_TRIES
    for i in ranked:
        if scores[i] == np.inf or k >= limit:
            break
        order[k] = S.u_cand[c0 + i]
        k += 1
    return k


_ENTER, _NEXT, _RETURN = 0, 1, 2


@_compile
def _chain(u0, S, A, F):
    """Place unit ``u0`` by recursive swapping, written as a loop over explicit frames
    (numba caches no recursive function). True on success; else nothing changed.

    Frame ``f`` (the recursion level) holds its unit, the starts still to try, the journal
    mark before the start being tried, the units it took out for it and how many of them
    are back in place. States: ENTER a new frame, try the NEXT start of a frame, RETURN a
    frame's answer to its parent."""
    level = 0
    F.f_unit[0] = u0
    state = _ENTER
    result = False
    while True:
        if state == _ENTER:
            u = F.f_unit[level]
            A.ctr[CTR_CALLS] += 1
            k = _scores(u, level, S, A, F.scratch, F.f_order[level])
            if k <= 0:
                result = k < 0
                state = _RETURN
            else:
                F.f_n[level] = k
                F.f_pos[level] = 0
                A.in_chain[u] = 1
                state = _NEXT
        elif state == _NEXT:
            u = F.f_unit[level]
            state = _RETURN
            result = False
            while F.f_pos[level] < F.f_n[level] and A.ctr[CTR_CALLS] <= A.ctr[CTR_BUDGET]:
                s = F.f_order[level, F.f_pos[level]]
                F.f_pos[level] += 1
                F.f_mark[level] = A.ctr[CTR_JOURNAL]
                n = _victims(u, s, F.f_victims[level], S, A, False)
                if n < 0:
                    continue
                for j in range(n):
                    v = F.f_victims[level, j]
                    for m in range(S.u_ptr[v], S.u_ptr[v + 1]):
                        _unplace(S.u_act[m], True, S, A)
                if not _put(u, s, S, A):
                    _undo(F.f_mark[level], A, S)
                    continue
                if n == 0:  # nothing in the way this time (soft partners are drawn anew)
                    result = True
                    break
                F.f_nv[level] = n
                F.f_vpos[level] = 0
                F.f_unit[level + 1] = F.f_victims[level, 0]
                level += 1
                state = _ENTER
                break
            if state == _RETURN:  # no start left (result False), or placed as it is (True)
                A.in_chain[u] = 0
        else:  # _RETURN: frame ``level`` answers ``result``
            if level == 0:
                return result
            level -= 1
            if not result:
                _undo(F.f_mark[level], A, S)
                state = _NEXT
                continue
            F.f_vpos[level] += 1
            if F.f_vpos[level] < F.f_nv[level]:
                F.f_unit[level + 1] = F.f_victims[level, F.f_vpos[level]]
                level += 1
                state = _ENTER
            else:
                A.in_chain[F.f_unit[level]] = 0
                result = True  # and RETURN again, one level up


@_compile
def _put(u, s, S, A):
    """Put every lesson of unit ``u`` at ``s`` if each fits (journaled); else no change."""
    mark_j = A.ctr[CTR_JOURNAL]
    for i in range(S.u_ptr[u], S.u_ptr[u + 1]):
        a = S.u_act[i]
        room = _fits(a, s, S, A)
        if room == -2:
            _undo(mark_j, A, S)
            return False
        _place(a, s, room, True, S, A)
    return True


@_compile
def _undo(mark_j, A, S):
    """Reverse the journal down to ``mark_j``."""
    j = A.ctr[CTR_JOURNAL]
    while j > mark_j:
        j -= 1
        a = A.journal[j, 1]
        if A.journal[j, 0] == 1:
            _unplace(a, False, S, A)
        else:
            _place(a, A.journal[j, 2], A.journal[j, 3], False, S, A)
    A.ctr[CTR_JOURNAL] = mark_j


@_compile
def _force(u, S, A, queue, edges):
    """Step 4: put ``u`` at its best start anyway; the units in its way join the front of
    ``queue`` (with ``edges``, also those that would leave a person too many gaps: see
    :func:`_victims`). False when no start works even then."""
    c0 = S.u_cand_ptr[u]
    n_cand = S.u_cand_ptr[u + 1] - c0
    scratch = np.empty(S.u_ptr.shape[0] - 1, np.int32)
    scores = np.full(n_cand, np.inf)
    step = A.ctr[CTR_STEP]
    for i in range(n_cand):
        s = S.u_cand[c0 + i]
        n = _victims(u, s, scratch, S, A, edges)
        if n < 0:
            continue
        penalty = 0
        recent = False
        for j in range(n):
            v = scratch[j]
            if A.ctr[CTR_FORCED] - A.forced_at[v] < FORCE_TABU:
                recent = True
            for m in range(S.u_ptr[v], S.u_ptr[v + 1]):
                a = S.u_act[m]
                if step - A.tabu[a, A.start[a]] < TABU_STEPS:
                    penalty += 1
        # a unit forced in lately is only taken out again when nothing else is possible
        scores[i] = n + 4 * penalty + np.random.random() + (1000.0 if recent else 0.0)
    order = np.argsort(scores)
    for i in order:
        if scores[i] == np.inf:
            break
        s = S.u_cand[c0 + i]
        mark_j = A.ctr[CTR_JOURNAL]
        n = _victims(u, s, scratch, S, A, edges)
        if n < 0:  # a soft partner drawn in this time is locked
            continue
        victims = scratch[:n].copy()
        for j in range(n):
            v = victims[j]
            for m in range(S.u_ptr[v], S.u_ptr[v + 1]):
                _unplace(S.u_act[m], True, S, A)
        if _put(u, s, S, A):
            A.ctr[CTR_FORCED] += 1
            A.forced_at[u] = A.ctr[CTR_FORCED]
            for j in range(n):
                _push_front(queue, A.ctr, victims[j])
            return True
        _undo(mark_j, A, S)
    return False


@_compile
def _push_front(queue, ctr, u):
    size = queue.shape[0]
    head = (ctr[CTR_QHEAD] - 1) % size
    queue[head] = u
    ctr[CTR_QHEAD] = head
    ctr[CTR_QLEN] += 1


@_compile
def _push_back(queue, ctr, u):
    size = queue.shape[0]
    queue[(ctr[CTR_QHEAD] + ctr[CTR_QLEN]) % size] = u
    ctr[CTR_QLEN] += 1


@_compile
def _pop_front(queue, ctr):
    u = queue[ctr[CTR_QHEAD]]
    ctr[CTR_QHEAD] = (ctr[CTR_QHEAD] + 1) % queue.shape[0]
    ctr[CTR_QLEN] -= 1
    return u


@_compile
def _break_gaps(S, A, queue):
    """Take out every lesson of each day on which a person with a gap limit now exceeds it
    (removals during repairs leave holes) and queue their units again; their number."""
    queued = 0
    day_gaps = np.zeros(S.n_days, np.int64)
    for p in range(A.occ.shape[0]):
        if S.p_gapday[p] < 0 and S.p_gapweek[p] < 0:
            continue
        total = 0
        worst = 0
        for day in range(S.n_days):
            day_gaps[day] = _day_gaps(
                p, day, -1, 0, A.occ, S.p_blocked, S.ppd, A.mark, S.a_unit, -1
            )
            total += day_gaps[day]
            worst = max(worst, day_gaps[day])
        over = (S.p_gapday[p] >= 0 and worst > S.p_gapday[p]) or (
            S.p_gapweek[p] >= 0 and total > S.p_gapweek[p]
        )
        if not over:
            continue
        for day in range(S.n_days):
            if day_gaps[day] == 0:
                continue
            for t in range(day * S.ppd, (day + 1) * S.ppd):
                a = A.occ[p, t]
                if a < 0 or S.u_locked[S.a_unit[a]]:
                    continue
                v = S.a_unit[a]
                for m in range(S.u_ptr[v], S.u_ptr[v + 1]):
                    if A.start[S.u_act[m]] >= 0:
                        _unplace(S.u_act[m], False, S, A)
                _push_back(queue, A.ctr, v)
                queued += 1
    return queued


@_compile
def unit_gaps_ok(u, S, A):
    """True when no person of unit ``u`` has more gaps than a hard rule allows."""
    for i in range(S.u_ptr[u], S.u_ptr[u + 1]):
        a = S.u_act[i]
        for k in range(S.a_pp_ptr[a], S.a_pp_ptr[a + 1]):
            p = S.a_pp[k]
            if S.p_gapday[p] < 0 and S.p_gapweek[p] < 0:
                continue
            week = 0
            for day in range(S.n_days):
                gaps = _day_gaps(p, day, -1, 0, A.occ, S.p_blocked, S.ppd, A.mark, S.a_unit, -1)
                if S.p_gapday[p] >= 0 and gaps > S.p_gapday[p]:
                    return False
                week += gaps
            if S.p_gapweek[p] >= 0 and week > S.p_gapweek[p]:
                return False
    return True


@_compile
def place_locked(u, S, A):
    """Put locked unit ``u`` at its only start without the checks that need the rest of the
    timetable (gaps, daily maxima: the lessons around it come later); its room is the first
    of its list free there. False when a locked lesson already holds one of its periods."""
    if S.u_cand_ptr[u] == S.u_cand_ptr[u + 1]:
        return False
    s = S.u_cand[S.u_cand_ptr[u]]
    for i in range(S.u_ptr[u], S.u_ptr[u + 1]):
        a = S.u_act[i]
        for k in range(S.a_pp_ptr[a], S.a_pp_ptr[a + 1]):
            for t in range(s, s + S.a_dur[a]):
                if A.occ[S.a_pp[k], t] >= 0:
                    return False
    for i in range(S.u_ptr[u], S.u_ptr[u + 1]):
        a = S.u_act[i]
        room = -1
        for k in range(S.a_room_ptr[a], S.a_room_ptr[a + 1]):
            free = True
            for t in range(s, s + S.a_dur[a]):
                if A.r_used[S.a_rooms[k], t] >= S.r_cap[S.a_rooms[k]]:
                    free = False
            if free:
                room = S.a_rooms[k]
                break
        _place(a, s, room, False, S, A)
    S.u_locked[u] = 1
    return True


@_compile
def seed(value):
    """Seed numba's own random generator (used by :func:`building.run`)."""
    np.random.seed(value)
