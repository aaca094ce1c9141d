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
   the front of the queue; a unit forced in lately is only taken out again when nothing
   else is possible (``FORCE_TABU``), which stops two units from evicting each other in
   turn.
5. When the queue is empty, a person whose gap limit the removals broke has that day's
   lessons taken out and queued again.

Everything lives in arrays owned by the caller (:mod:`greedy`), so a run can stop after a
budget of attempts and be resumed. Units in the way are found from the occupancy of the
lesson's people (teachers, groups) and from its min-days partners; daily maxima, teaching
days, gaps, rooms and resources are checked when the unit is put in (no eviction for
those). The caller checks the final timetable with :func:`evaluate`.

Conventions: activities, units, persons and resources are indices; ``-1`` is "none";
``ctr`` holds the run's counters (``CTR_*``). The functions are small on purpose; numba
inlines what matters.
"""

from __future__ import annotations

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

_compile = cast(Callable[..., Any], njit(cache=True, nogil=True, boundscheck=False))


@_compile
def _place(a, s, room, journaled, S, A):
    """Put lesson ``a`` at ``s`` in ``room`` (-1: none), recorded in the journal when
    ``journaled``."""
    (u_ptr, u_act, u_cand_ptr, u_cand, u_locked, a_unit, a_dur, a_pp_ptr, a_pp, a_res_ptr,
     a_res, a_room_ptr, a_rooms, a_md_ptr, a_md_other, a_md_days, a_md_consec, p_dmax,
     p_maxdays, p_gapday, p_gapweek, p_blocked, r_cap, ppd, n_days, chain_effort,
     a_sp_ptr, a_sp_other, a_sp_days, a_sp_weight, soft_share, a_site, p_tr_ptr, p_tr_a,
     p_tr_b, p_tr_k) = S  # fmt: skip
    (occ, load, r_used, start, a_room, journal, ctr, tabu, in_chain, mark, forced_at) = A
    d = a_dur[a]
    day = s // ppd
    for k in range(a_pp_ptr[a], a_pp_ptr[a + 1]):
        p = a_pp[k]
        for t in range(s, s + d):
            occ[p, t] = a
        load[p, day] += d
    for k in range(a_res_ptr[a], a_res_ptr[a + 1]):
        for t in range(s, s + d):
            r_used[a_res[k], t] += 1
    if room >= 0:
        for t in range(s, s + d):
            r_used[room, t] += 1
    start[a] = s
    a_room[a] = room
    j = ctr[CTR_JOURNAL]
    if journaled and j < journal.shape[0]:
        journal[j, 0] = 1
        journal[j, 1] = a
        journal[j, 2] = s
        journal[j, 3] = room
        ctr[CTR_JOURNAL] = j + 1


@_compile
def _unplace(a, journaled, S, A):
    """Take lesson ``a`` out; when ``journaled``, record it and mark the removal (tabu)."""
    (u_ptr, u_act, u_cand_ptr, u_cand, u_locked, a_unit, a_dur, a_pp_ptr, a_pp, a_res_ptr,
     a_res, a_room_ptr, a_rooms, a_md_ptr, a_md_other, a_md_days, a_md_consec, p_dmax,
     p_maxdays, p_gapday, p_gapweek, p_blocked, r_cap, ppd, n_days, chain_effort,
     a_sp_ptr, a_sp_other, a_sp_days, a_sp_weight, soft_share, a_site, p_tr_ptr, p_tr_a,
     p_tr_b, p_tr_k) = S  # fmt: skip
    (occ, load, r_used, start, a_room, journal, ctr, tabu, in_chain, mark, forced_at) = A
    s = start[a]
    room = a_room[a]
    d = a_dur[a]
    day = s // ppd
    for k in range(a_pp_ptr[a], a_pp_ptr[a + 1]):
        p = a_pp[k]
        for t in range(s, s + d):
            occ[p, t] = -1
        load[p, day] -= d
    for k in range(a_res_ptr[a], a_res_ptr[a + 1]):
        for t in range(s, s + d):
            r_used[a_res[k], t] -= 1
    if room >= 0:
        for t in range(s, s + d):
            r_used[room, t] -= 1
    start[a] = -1
    a_room[a] = -1
    if journaled:
        tabu[a, s] = ctr[CTR_STEP]
        j = ctr[CTR_JOURNAL]
        if j < journal.shape[0]:
            journal[j, 0] = 0
            journal[j, 1] = a
            journal[j, 2] = s
            journal[j, 3] = room
            ctr[CTR_JOURNAL] = j + 1


@_compile
def _day_gaps(p, day, extra_s, extra_d, occ, p_blocked, ppd):
    """Gaps of person ``p`` on ``day`` (a slot that is neither busy, blocked nor a break
    between the first and the last busy slot), counting ``extra_d`` periods from
    ``extra_s`` as busy."""
    first = -1
    last = -1
    base = day * ppd
    for t in range(base, base + ppd):
        busy = occ[p, t] >= 0 or (extra_s <= t < extra_s + extra_d)
        if busy:
            if first < 0:
                first = t
            last = t
    if first < 0:
        return 0
    gaps = 0
    for t in range(first, last + 1):
        busy = occ[p, t] >= 0 or (extra_s <= t < extra_s + extra_d)
        if not busy and p_blocked[p, t] == 0:
            gaps += 1
    return gaps


@_compile
def _fits(a, s, S, A):
    """-2 when ``a`` cannot start at ``s``; else the room to use (-1: none needed)."""
    (u_ptr, u_act, u_cand_ptr, u_cand, u_locked, a_unit, a_dur, a_pp_ptr, a_pp, a_res_ptr,
     a_res, a_room_ptr, a_rooms, a_md_ptr, a_md_other, a_md_days, a_md_consec, p_dmax,
     p_maxdays, p_gapday, p_gapweek, p_blocked, r_cap, ppd, n_days, chain_effort,
     a_sp_ptr, a_sp_other, a_sp_days, a_sp_weight, soft_share, a_site, p_tr_ptr, p_tr_a,
     p_tr_b, p_tr_k) = S  # fmt: skip
    (occ, load, r_used, start, a_room, journal, ctr, tabu, in_chain, mark, forced_at) = A
    d = a_dur[a]
    day = s // ppd
    for k in range(a_pp_ptr[a], a_pp_ptr[a + 1]):
        p = a_pp[k]
        for t in range(s, s + d):
            if occ[p, t] >= 0:
                return -2
        if p_dmax[p] >= 0 and load[p, day] + d > p_dmax[p]:
            return -2
        if p_maxdays[p] >= 0 and load[p, day] == 0:
            used = 0
            for dd in range(n_days):
                if load[p, dd] > 0:
                    used += 1
            if used >= p_maxdays[p]:
                return -2
        if p_gapday[p] >= 0 or p_gapweek[p] >= 0:
            before = _day_gaps(p, day, -1, 0, occ, p_blocked, ppd)
            after = _day_gaps(p, day, s, d, occ, p_blocked, ppd)
            if after > before:
                if p_gapday[p] >= 0 and after > p_gapday[p]:
                    return -2
                if p_gapweek[p] >= 0:
                    week = 0
                    for dd in range(n_days):
                        if dd != day:
                            week += _day_gaps(p, dd, -1, 0, occ, p_blocked, ppd)
                    if week + after > p_gapweek[p]:
                        return -2
    for k in range(a_pp_ptr[a], a_pp_ptr[a + 1]):
        p = a_pp[k]
        if p_tr_ptr[p] < p_tr_ptr[p + 1]:
            for t in range(day * ppd, (day + 1) * ppd):
                o = occ[p, t]
                if o >= 0 and _too_close(p, a, s, o, S, A):
                    return -2
    for k in range(a_md_ptr[a], a_md_ptr[a + 1]):
        o = a_md_other[k]
        s2 = start[o]
        if s2 < 0:
            continue
        d2 = s2 // ppd
        if abs(day - d2) < a_md_days[k]:
            return -2
        if a_md_consec[k] and d2 == day and s2 != s + d and s2 + a_dur[o] != s:
            return -2
    for k in range(a_res_ptr[a], a_res_ptr[a + 1]):
        r = a_res[k]
        for t in range(s, s + d):
            if r_used[r, t] >= r_cap[r]:
                return -2
    if a_room_ptr[a] == a_room_ptr[a + 1]:
        return -1
    for k in range(a_room_ptr[a], a_room_ptr[a + 1]):
        r = a_rooms[k]
        free = True
        for t in range(s, s + d):
            if r_used[r, t] >= r_cap[r]:
                free = False
                break
        if free:
            return r
    return -2


@_compile
def _too_close(p, a, s, o, S, A):
    """True when teacher ``p`` cannot travel between lesson ``a`` at ``s`` and the placed
    lesson ``o`` (other sites, the same day, fewer free periods between than needed)."""
    (u_ptr, u_act, u_cand_ptr, u_cand, u_locked, a_unit, a_dur, a_pp_ptr, a_pp, a_res_ptr,
     a_res, a_room_ptr, a_rooms, a_md_ptr, a_md_other, a_md_days, a_md_consec, p_dmax,
     p_maxdays, p_gapday, p_gapweek, p_blocked, r_cap, ppd, n_days, chain_effort,
     a_sp_ptr, a_sp_other, a_sp_days, a_sp_weight, soft_share, a_site, p_tr_ptr, p_tr_a,
     p_tr_b, p_tr_k) = S  # fmt: skip
    start = A[3]
    s2 = start[o]
    if s2 < 0 or s2 // ppd != s // ppd or a_site[a] == a_site[o]:
        return False
    free = max(s, s2) - min(s + a_dur[a], s2 + a_dur[o])
    for k in range(p_tr_ptr[p], p_tr_ptr[p + 1]):
        if p_tr_a[k] == a_site[a] and p_tr_b[k] == a_site[o] and free < p_tr_k[k]:
            return True
    return False


@_compile
def _take(v, out, n, u_locked, in_chain, mark, stamp):
    """Add unit ``v`` to ``out`` once; the new count, or -1 when ``v`` may not move."""
    if mark[v] == stamp:
        return n
    if u_locked[v] or in_chain[v]:
        return -1
    mark[v] = stamp
    out[n] = v
    return n + 1


@_compile
def _victims(u, s, out, S, A):
    """Write the placed units in the way of unit ``u`` at ``s`` into ``out``; return their
    number, or -1 when one of them may not move (locked, or in the current chain).

    In the way: lessons of the same people in those periods, min-days partners too close
    (or, for consecutive-if-same-day, on that day but not adjacent), and -- for a person
    with a daily maximum or a maximum of teaching days -- the fewest lessons of that day
    (or of the person's lightest other day) that make room."""
    (u_ptr, u_act, u_cand_ptr, u_cand, u_locked, a_unit, a_dur, a_pp_ptr, a_pp, a_res_ptr,
     a_res, a_room_ptr, a_rooms, a_md_ptr, a_md_other, a_md_days, a_md_consec, p_dmax,
     p_maxdays, p_gapday, p_gapweek, p_blocked, r_cap, ppd, n_days, chain_effort,
     a_sp_ptr, a_sp_other, a_sp_days, a_sp_weight, soft_share, a_site, p_tr_ptr, p_tr_a,
     p_tr_b, p_tr_k) = S  # fmt: skip
    (occ, load, r_used, start, a_room, journal, ctr, tabu, in_chain, mark, forced_at) = A
    ctr[CTR_STAMP] += 1
    stamp = ctr[CTR_STAMP]
    n = 0
    day = s // ppd
    for i in range(u_ptr[u], u_ptr[u + 1]):
        a = u_act[i]
        d = a_dur[a]
        for k in range(a_pp_ptr[a], a_pp_ptr[a + 1]):
            p = a_pp[k]
            for t in range(s, s + d):
                o = occ[p, t]
                if o >= 0:
                    n = _take(a_unit[o], out, n, u_locked, in_chain, mark, stamp)
                    if n < 0:
                        return -1
        for k in range(a_md_ptr[a], a_md_ptr[a + 1]):
            o = a_md_other[k]
            s2 = start[o]
            if s2 < 0:
                continue
            d2 = s2 // ppd
            clash = abs(day - d2) < a_md_days[k]
            if not clash and a_md_consec[k] and d2 == day:
                clash = s2 != s + d and s2 + a_dur[o] != s
            if clash:
                n = _take(a_unit[o], out, n, u_locked, in_chain, mark, stamp)
                if n < 0:
                    return -1
        for k in range(a_pp_ptr[a], a_pp_ptr[a + 1]):
            p = a_pp[k]
            if p_tr_ptr[p] < p_tr_ptr[p + 1]:  # lessons the teacher could not travel to
                for t in range(day * ppd, (day + 1) * ppd):
                    o = occ[p, t]
                    if o >= 0 and _too_close(p, a, s, o, S, A):
                        n = _take(a_unit[o], out, n, u_locked, in_chain, mark, stamp)
                        if n < 0:
                            return -1
        for k in range(a_sp_ptr[a], a_sp_ptr[a + 1]):
            # a soft partner too close is in the way with a chance of its weight (FET's way)
            s2 = start[a_sp_other[k]]
            if (
                s2 >= 0
                and abs(day - s2 // ppd) < a_sp_days[k]
                and np.random.random() * 100.0 < soft_share * a_sp_weight[k]
            ):
                n = _take(a_unit[a_sp_other[k]], out, n, u_locked, in_chain, mark, stamp)
                if n < 0:
                    return -1
        for k in range(a_pp_ptr[a], a_pp_ptr[a + 1]):
            p = a_pp[k]
            if p_dmax[p] >= 0 or p_maxdays[p] >= 0:
                n = _day_limit_victims(p, day, s, d, out, n, S, A, stamp)
                if n < 0:
                    return -1
    return n


@_compile
def _day_limit_victims(p, day, s, d, out, n, S, A, stamp):
    """Units to take out so that person ``p`` keeps its daily maximum and its maximum of
    teaching days with ``d`` more periods from ``s`` (-1: one of them may not move)."""
    (u_ptr, u_act, u_cand_ptr, u_cand, u_locked, a_unit, a_dur, a_pp_ptr, a_pp, a_res_ptr,
     a_res, a_room_ptr, a_rooms, a_md_ptr, a_md_other, a_md_days, a_md_consec, p_dmax,
     p_maxdays, p_gapday, p_gapweek, p_blocked, r_cap, ppd, n_days, chain_effort,
     a_sp_ptr, a_sp_other, a_sp_days, a_sp_weight, soft_share, a_site, p_tr_ptr, p_tr_a,
     p_tr_b, p_tr_k) = S  # fmt: skip
    (occ, load, r_used, start, a_room, journal, ctr, tabu, in_chain, mark, forced_at) = A
    base = day * ppd
    if p_dmax[p] < 0 and p_maxdays[p] < 0:
        return n
    if p_dmax[p] >= 0:
        # periods of that day still counted after the removals so far (the clashes above)
        kept = 0
        for t in range(base, base + ppd):
            o = occ[p, t]
            if o >= 0 and mark[a_unit[o]] != stamp and not (s <= t < s + d):
                kept += 1
        t = base
        while kept + d > p_dmax[p] and t < base + ppd:
            o = occ[p, t]
            if o >= 0 and mark[a_unit[o]] != stamp and not (s <= t < s + d):
                n = _take(a_unit[o], out, n, u_locked, in_chain, mark, stamp)
                if n < 0:
                    return -1
                kept -= a_dur[o]
            t += 1
    if p_maxdays[p] >= 0 and load[p, day] == 0:
        used = 0
        lightest = -1
        for dd in range(n_days):
            if load[p, dd] > 0:
                used += 1
                if lightest < 0 or load[p, dd] < load[p, lightest]:
                    lightest = dd
        if used >= p_maxdays[p] and lightest >= 0:
            for t in range(lightest * ppd, (lightest + 1) * ppd):
                o = occ[p, t]
                if o >= 0:
                    n = _take(a_unit[o], out, n, u_locked, in_chain, mark, stamp)
                    if n < 0:
                        return -1
    return n


@_compile
def _soft_cost(u, s, S, A):
    """Soft min-days partners of unit ``u`` that a start at ``s`` would put too close."""
    (u_ptr, u_act, u_cand_ptr, u_cand, u_locked, a_unit, a_dur, a_pp_ptr, a_pp, a_res_ptr,
     a_res, a_room_ptr, a_rooms, a_md_ptr, a_md_other, a_md_days, a_md_consec, p_dmax,
     p_maxdays, p_gapday, p_gapweek, p_blocked, r_cap, ppd, n_days, chain_effort,
     a_sp_ptr, a_sp_other, a_sp_days, a_sp_weight, soft_share, a_site, p_tr_ptr, p_tr_a,
     p_tr_b, p_tr_k) = S  # fmt: skip
    start = A[3]
    day = s // ppd
    broken = 0
    for i in range(u_ptr[u], u_ptr[u + 1]):
        a = u_act[i]
        for k in range(a_sp_ptr[a], a_sp_ptr[a + 1]):
            s2 = start[a_sp_other[k]]
            if s2 >= 0 and abs(day - s2 // ppd) < a_sp_days[k]:
                broken += 1
    return broken


@_compile
def _scores(u, level, S, A, scratch, order):
    """Score the starts of unit ``u``: put it at the first start with nothing in its way
    and no soft min-days partner too close -- or, failing that, at the free start with the
    fewest such partners -- (return -1), else write the starts worth trying, best first,
    into ``order`` and return their number (0: none)."""
    (u_ptr, u_act, u_cand_ptr, u_cand, u_locked, a_unit, a_dur, a_pp_ptr, a_pp, a_res_ptr,
     a_res, a_room_ptr, a_rooms, a_md_ptr, a_md_other, a_md_days, a_md_consec, p_dmax,
     p_maxdays, p_gapday, p_gapweek, p_blocked, r_cap, ppd, n_days, chain_effort,
     a_sp_ptr, a_sp_other, a_sp_days, a_sp_weight, soft_share, a_site, p_tr_ptr, p_tr_a,
     p_tr_b, p_tr_k) = S  # fmt: skip
    (occ, load, r_used, start, a_room, journal, ctr, tabu, in_chain, mark, forced_at) = A
    c0 = u_cand_ptr[u]
    n_cand = u_cand_ptr[u + 1] - c0
    scores = np.full(n_cand, np.inf)
    free_cost = np.full(n_cand, np.inf)  # soft min-days broken at a start with no victim
    step = ctr[CTR_STEP]
    for i in range(n_cand):
        s = u_cand[c0 + i]
        n = _victims(u, s, scratch, S, A)
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
            for m in range(u_ptr[v], u_ptr[v + 1]):
                a = u_act[m]
                if step - tabu[a, start[a]] < TABU_STEPS:
                    penalty += 1
        scores[i] = n + 2 * penalty + 0.5 * _soft_cost(u, s, S, A) + np.random.random()
    for i in np.argsort(free_cost):  # no start free of victims and soft breaks: the least
        if free_cost[i] == np.inf:  # soft breaks among the free ones
            break
        if _put(u, u_cand[c0 + i], S, A):
            return -1
    ranked = np.argsort(scores)
    k = 0
    limit = n_cand if level == 0 else DEEP_TRIES
    for i in ranked:
        if scores[i] == np.inf or k >= limit:
            break
        order[k] = u_cand[c0 + i]
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
    (u_ptr, u_act, u_cand_ptr, u_cand, u_locked, a_unit, a_dur, a_pp_ptr, a_pp, a_res_ptr,
     a_res, a_room_ptr, a_rooms, a_md_ptr, a_md_other, a_md_days, a_md_consec, p_dmax,
     p_maxdays, p_gapday, p_gapweek, p_blocked, r_cap, ppd, n_days, chain_effort,
     a_sp_ptr, a_sp_other, a_sp_days, a_sp_weight, soft_share, a_site, p_tr_ptr, p_tr_a,
     p_tr_b, p_tr_k) = S  # fmt: skip
    (occ, load, r_used, start, a_room, journal, ctr, tabu, in_chain, mark, forced_at) = A
    (f_unit, f_order, f_n, f_pos, f_mark, f_victims, f_nv, f_vpos, scratch) = F
    level = 0
    f_unit[0] = u0
    state = _ENTER
    result = False
    while True:
        if state == _ENTER:
            u = f_unit[level]
            ctr[CTR_CALLS] += 1
            k = _scores(u, level, S, A, scratch, f_order[level])
            if k <= 0:
                result = k < 0
                state = _RETURN
            else:
                f_n[level] = k
                f_pos[level] = 0
                in_chain[u] = 1
                state = _NEXT
        elif state == _NEXT:
            u = f_unit[level]
            state = _RETURN
            result = False
            while f_pos[level] < f_n[level] and ctr[CTR_CALLS] <= ctr[CTR_BUDGET]:
                s = f_order[level, f_pos[level]]
                f_pos[level] += 1
                f_mark[level] = ctr[CTR_JOURNAL]
                n = _victims(u, s, f_victims[level], S, A)
                if n < 0:
                    continue
                for j in range(n):
                    v = f_victims[level, j]
                    for m in range(u_ptr[v], u_ptr[v + 1]):
                        _unplace(u_act[m], True, S, A)
                if not _put(u, s, S, A):
                    _undo(f_mark[level], A, S)
                    continue
                f_nv[level] = n
                f_vpos[level] = 0
                f_unit[level + 1] = f_victims[level, 0]
                level += 1
                state = _ENTER
                break
            if state == _RETURN:
                in_chain[u] = 0
        else:  # _RETURN: frame ``level`` answers ``result``
            if level == 0:
                return result
            level -= 1
            if not result:
                _undo(f_mark[level], A, S)
                state = _NEXT
                continue
            f_vpos[level] += 1
            if f_vpos[level] < f_nv[level]:
                f_unit[level + 1] = f_victims[level, f_vpos[level]]
                level += 1
                state = _ENTER
            else:
                in_chain[f_unit[level]] = 0
                result = True  # and RETURN again, one level up


@_compile
def _put(u, s, S, A):
    """Put every lesson of unit ``u`` at ``s`` if each fits (journaled); else no change."""
    (u_ptr, u_act, u_cand_ptr, u_cand, u_locked, a_unit, a_dur, a_pp_ptr, a_pp, a_res_ptr,
     a_res, a_room_ptr, a_rooms, a_md_ptr, a_md_other, a_md_days, a_md_consec, p_dmax,
     p_maxdays, p_gapday, p_gapweek, p_blocked, r_cap, ppd, n_days, chain_effort,
     a_sp_ptr, a_sp_other, a_sp_days, a_sp_weight, soft_share, a_site, p_tr_ptr, p_tr_a,
     p_tr_b, p_tr_k) = S  # fmt: skip
    (occ, load, r_used, start, a_room, journal, ctr, tabu, in_chain, mark, forced_at) = A
    mark_j = ctr[CTR_JOURNAL]
    for i in range(u_ptr[u], u_ptr[u + 1]):
        a = u_act[i]
        room = _fits(a, s, S, A)
        if room == -2:
            _undo(mark_j, A, S)
            return False
        _place(a, s, room, True, S, A)
    return True


@_compile
def _undo(mark_j, A, S):
    """Reverse the journal down to ``mark_j``."""
    (u_ptr, u_act, u_cand_ptr, u_cand, u_locked, a_unit, a_dur, a_pp_ptr, a_pp, a_res_ptr,
     a_res, a_room_ptr, a_rooms, a_md_ptr, a_md_other, a_md_days, a_md_consec, p_dmax,
     p_maxdays, p_gapday, p_gapweek, p_blocked, r_cap, ppd, n_days, chain_effort,
     a_sp_ptr, a_sp_other, a_sp_days, a_sp_weight, soft_share, a_site, p_tr_ptr, p_tr_a,
     p_tr_b, p_tr_k) = S  # fmt: skip
    (occ, load, r_used, start, a_room, journal, ctr, tabu, in_chain, mark, forced_at) = A
    j = ctr[CTR_JOURNAL]
    while j > mark_j:
        j -= 1
        a = journal[j, 1]
        if journal[j, 0] == 1:
            _unplace(a, False, S, A)
        else:
            _place(a, journal[j, 2], journal[j, 3], False, S, A)
    ctr[CTR_JOURNAL] = mark_j


@_compile
def _force(u, S, A, queue):
    """Step 4: put ``u`` at its best start anyway; the units in its way join the front of
    ``queue``. False when no start works even then."""
    (u_ptr, u_act, u_cand_ptr, u_cand, u_locked, a_unit, a_dur, a_pp_ptr, a_pp, a_res_ptr,
     a_res, a_room_ptr, a_rooms, a_md_ptr, a_md_other, a_md_days, a_md_consec, p_dmax,
     p_maxdays, p_gapday, p_gapweek, p_blocked, r_cap, ppd, n_days, chain_effort,
     a_sp_ptr, a_sp_other, a_sp_days, a_sp_weight, soft_share, a_site, p_tr_ptr, p_tr_a,
     p_tr_b, p_tr_k) = S  # fmt: skip
    (occ, load, r_used, start, a_room, journal, ctr, tabu, in_chain, mark, forced_at) = A
    c0 = u_cand_ptr[u]
    n_cand = u_cand_ptr[u + 1] - c0
    scratch = np.empty(u_ptr.shape[0] - 1, np.int32)
    scores = np.full(n_cand, np.inf)
    step = ctr[CTR_STEP]
    for i in range(n_cand):
        s = u_cand[c0 + i]
        n = _victims(u, s, scratch, S, A)
        if n < 0:
            continue
        penalty = 0
        recent = False
        for j in range(n):
            v = scratch[j]
            if ctr[CTR_FORCED] - forced_at[v] < FORCE_TABU:
                recent = True
            for m in range(u_ptr[v], u_ptr[v + 1]):
                a = u_act[m]
                if step - tabu[a, start[a]] < TABU_STEPS:
                    penalty += 1
        # a unit forced in lately is only taken out again when nothing else is possible
        scores[i] = n + 4 * penalty + np.random.random() + (1000.0 if recent else 0.0)
    order = np.argsort(scores)
    for i in order:
        if scores[i] == np.inf:
            break
        s = u_cand[c0 + i]
        mark_j = ctr[CTR_JOURNAL]
        n = _victims(u, s, scratch, S, A)
        victims = scratch[:n].copy()
        for j in range(n):
            v = victims[j]
            for m in range(u_ptr[v], u_ptr[v + 1]):
                _unplace(u_act[m], True, S, A)
        if _put(u, s, S, A):
            ctr[CTR_FORCED] += 1
            forced_at[u] = ctr[CTR_FORCED]
            for j in range(n):
                _push_front(queue, ctr, victims[j])
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
    (u_ptr, u_act, u_cand_ptr, u_cand, u_locked, a_unit, a_dur, a_pp_ptr, a_pp, a_res_ptr,
     a_res, a_room_ptr, a_rooms, a_md_ptr, a_md_other, a_md_days, a_md_consec, p_dmax,
     p_maxdays, p_gapday, p_gapweek, p_blocked, r_cap, ppd, n_days, chain_effort,
     a_sp_ptr, a_sp_other, a_sp_days, a_sp_weight, soft_share, a_site, p_tr_ptr, p_tr_a,
     p_tr_b, p_tr_k) = S  # fmt: skip
    (occ, load, r_used, start, a_room, journal, ctr, tabu, in_chain, mark, forced_at) = A
    queued = 0
    day_gaps = np.zeros(n_days, np.int64)
    for p in range(occ.shape[0]):
        if p_gapday[p] < 0 and p_gapweek[p] < 0:
            continue
        total = 0
        worst = 0
        for day in range(n_days):
            day_gaps[day] = _day_gaps(p, day, -1, 0, occ, p_blocked, ppd)
            total += day_gaps[day]
            worst = max(worst, day_gaps[day])
        over = (p_gapday[p] >= 0 and worst > p_gapday[p]) or (
            p_gapweek[p] >= 0 and total > p_gapweek[p]
        )
        if not over:
            continue
        for day in range(n_days):
            if day_gaps[day] == 0:
                continue
            for t in range(day * ppd, (day + 1) * ppd):
                a = occ[p, t]
                if a < 0 or u_locked[a_unit[a]]:
                    continue
                v = a_unit[a]
                for m in range(u_ptr[v], u_ptr[v + 1]):
                    if start[u_act[m]] >= 0:
                        _unplace(u_act[m], False, S, A)
                _push_back(queue, ctr, v)
                queued += 1
    return queued


@_compile
def place_locked(u, S, A):
    """Put locked unit ``u`` at its only start without the checks that need the rest of the
    timetable (gaps, daily maxima: the lessons around it come later); its room is the first
    of its list free there. False when a locked lesson already holds one of its periods."""
    (u_ptr, u_act, u_cand_ptr, u_cand, u_locked, a_unit, a_dur, a_pp_ptr, a_pp, a_res_ptr,
     a_res, a_room_ptr, a_rooms, a_md_ptr, a_md_other, a_md_days, a_md_consec, p_dmax,
     p_maxdays, p_gapday, p_gapweek, p_blocked, r_cap, ppd, n_days, chain_effort,
     a_sp_ptr, a_sp_other, a_sp_days, a_sp_weight, soft_share, a_site, p_tr_ptr, p_tr_a,
     p_tr_b, p_tr_k) = S  # fmt: skip
    (occ, load, r_used, start, a_room, journal, ctr, tabu, in_chain, mark, forced_at) = A
    if u_cand_ptr[u] == u_cand_ptr[u + 1]:
        return False
    s = u_cand[u_cand_ptr[u]]
    for i in range(u_ptr[u], u_ptr[u + 1]):
        a = u_act[i]
        for k in range(a_pp_ptr[a], a_pp_ptr[a + 1]):
            for t in range(s, s + a_dur[a]):
                if occ[a_pp[k], t] >= 0:
                    return False
    for i in range(u_ptr[u], u_ptr[u + 1]):
        a = u_act[i]
        room = -1
        for k in range(a_room_ptr[a], a_room_ptr[a + 1]):
            free = True
            for t in range(s, s + a_dur[a]):
                if r_used[a_rooms[k], t] >= r_cap[a_rooms[k]]:
                    free = False
            if free:
                room = a_rooms[k]
                break
        _place(a, s, room, False, S, A)
    u_locked[u] = 1
    return True


@_compile
def seed(value):
    """Seed numba's own random generator (used by :func:`run`)."""
    np.random.seed(value)


@_compile
def run(S, A, F, queue, max_calls, max_forced):
    """Place the queued units until the queue is empty (True) or ``max_calls`` attempts /
    ``max_forced`` forced placements are spent (False; call again to go on)."""
    ctr = A[6]
    chain_effort = S[25]
    spent = 0
    forced = 0
    while True:
        if ctr[CTR_QLEN] == 0 and _break_gaps(S, A, queue) == 0:
            return True
        if spent >= max_calls or forced >= max_forced:
            return False
        u = _pop_front(queue, ctr)
        ctr[CTR_STEP] += 1
        ctr[CTR_JOURNAL] = 0
        ctr[CTR_CALLS] = 0
        ctr[CTR_BUDGET] = chain_effort
        ok = _chain(u, S, A, F)
        spent += ctr[CTR_CALLS]
        if ok:
            continue
        ctr[CTR_JOURNAL] = 0
        forced += 1
        if not _force(u, S, A, queue):
            _push_back(queue, ctr, u)
