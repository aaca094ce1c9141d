"""Soft polish of a complete timetable, compiled by numba: hill climbing (and, for a
cluster, simulated annealing) on the soft min-days and preferred-start rules and the
cluster model's goals.

The greedy start (and CP-SAT's first timetable in the race) only uses soft rules to break
ties or, on every other attempt, by chance; its first timetable can break many soft
min-days rules that a few moves would mend. This pass makes those moves before the first
timetable is handed back:

* a unit whose soft cost (:func:`_unit_cost`) is above zero tries every start where its
  own cost would be lower; a unit whose people have gaps or end a day with a hard subject
  (:func:`_people_cost`) tries every start;
* the units in its way there (at most ``MAX_SWAP``; none locked) go to their cheapest start
  where nothing is in their way -- usually the unit's old start, a swap;
* the move is kept when the soft cost of every unit it touched falls, and no hard rule
  breaks (:func:`swapping._put` checks the new starts, :func:`swapping.unit_gaps_ok` the days left);
  otherwise it is undone from the journal.

The cost of a rule between two moved units is counted once (half on each side), and the
goals of a person's week are counted for every person of the moved units, so the sum is
the exact change of the timetable's cost for these rules. :func:`anneal` makes the same
moves at random and keeps some that raise the cost. The caller (:func:`greedy.polish`,
:func:`greedy.anneal`) keeps the result only when :func:`evaluate` agrees.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from auyl.engines.timetabling.swapping import (
    CTR_BUDGET,
    CTR_CALLS,
    CTR_JOURNAL,
    CTR_STEP,
    _chain,
    _compile,
    _day_gaps,
    _inline,
    _place,
    _put,
    _undo,
    _unplace,
    _victims,
    unit_gaps_ok,
)

#: most units a move may push out of its way
MAX_SWAP = 2

#: The soft rules only this pass reads: per lesson, its soft preferred-start rules
#: (``pf_ptr`` rows of ``pf_w``: cost when broken, ``pf_ok``: slot allowed); the cluster
#: model's goals of a person's week: per person the cost of a gap (``p_gap_w``, 0: none
#: counted) and whether it is a group, per lesson the cost of it being its group's last of
#: the day (``a_last_w``, hard subjects); the stamps marking the units of the move being
#: weighed, the people and lessons counted once (``p_mark``, ``a_mark``), and their counter;
#: ``week_goals[0]`` is 0 when no goal of a person's week counts (a FET import).
Soft = namedtuple(
    "Soft", "pf_ptr pf_w pf_ok mark stamp p_gap_w p_group a_last_w p_mark a_mark week_goals"
)


@_compile
def load(S, A, lessons, starts, rooms):
    """Put each of ``lessons`` at its start and room as given (a complete timetable)."""
    for i in range(lessons.shape[0]):
        _place(lessons[i], starts[i], rooms[i], False, S, A)


@_inline
def _pair_cost(k, day, s2, S):
    """Cost of soft min-days partner ``k`` placed at ``s2`` (-1: not placed) for a lesson on
    ``day``: weight/100 per day missing."""
    if s2 < 0:
        return 0.0
    short = S.a_sp_days[k] - abs(day - s2 // S.ppd)
    return S.a_sp_weight[k] / 100.0 * short if short > 0 else 0.0


@_inline
def _unit_cost(u, s, S, A, P, stamp):
    """Soft cost of unit ``u`` at start ``s`` with everything else where it is: its soft
    min-days shortfalls (weight/100 per day missing; half for a partner in a unit marked
    with ``stamp``, counted again from that side) and its soft preferred starts missed."""
    day = s // S.ppd
    cost = 0.0
    for i in range(S.u_ptr[u], S.u_ptr[u + 1]):
        a = S.u_act[i]
        for k in range(S.a_sp_ptr[a], S.a_sp_ptr[a + 1]):
            o = S.a_sp_other[k]
            w = _pair_cost(k, day, s if S.a_unit[o] == u else A.start[o], S)
            cost += 0.5 * w if P.mark[S.a_unit[o]] == stamp else w
        for k in range(P.pf_ptr[a], P.pf_ptr[a + 1]):
            if P.pf_ok[k, s] == 0:
                cost += P.pf_w[k]
    return cost


@_inline
def _gap_cost(p, S, A, P):
    """Cost of person ``p``'s gaps over the week."""
    if P.p_gap_w[p] == 0.0:
        return 0.0
    gaps = 0
    for day in range(S.n_days):
        gaps += _day_gaps(p, day, -1, 0, A.occ, S.p_blocked, S.ppd, A.mark, S.a_unit, -1)
    return P.p_gap_w[p] * gaps


@_inline
def _last_cost(a, S, A, P):
    """Cost of lesson ``a`` (a hard subject) being the last of the day for one of its
    groups."""
    s = A.start[a]
    if s < 0 or P.a_last_w[a] == 0.0:
        return 0.0
    end = s + S.a_dur[a]
    day_end = (s // S.ppd + 1) * S.ppd
    for k in range(S.a_pp_ptr[a], S.a_pp_ptr[a + 1]):
        p = S.a_pp[k]
        if P.p_group[p] == 0:
            continue
        later = False
        for t in range(end, day_end):
            if A.occ[p, t] >= 0:
                later = True
                break
        if not later:
            return P.a_last_w[a]
    return 0.0


@_compile
def _people_cost(units, n, S, A, P):
    """The cost of the week goals of every person of the first ``n`` of ``units``: their
    gaps, and their groups' hard-subject lessons that end a day (each counted once). A move
    of these units changes no one else's, so the difference before and after it is exact."""
    cost = 0.0
    if P.week_goals[0] == 0:
        return cost
    stamp = _new_stamp(P)
    for j in range(n):
        u = units[j]
        for i in range(S.u_ptr[u], S.u_ptr[u + 1]):
            a = S.u_act[i]
            for k in range(S.a_pp_ptr[a], S.a_pp_ptr[a + 1]):
                p = S.a_pp[k]
                if P.p_mark[p] == stamp:
                    continue
                P.p_mark[p] = stamp
                cost += _gap_cost(p, S, A, P)
                if P.p_group[p] == 0:
                    continue
                for t in range(A.occ.shape[1]):
                    o = A.occ[p, t]
                    if o >= 0 and P.a_last_w[o] > 0.0 and P.a_mark[o] != stamp:
                        P.a_mark[o] = stamp
                        cost += _last_cost(o, S, A, P)
    return cost


@_inline
def _start_of(u, S, A):
    return A.start[S.u_act[S.u_ptr[u]]]


@_inline
def _new_stamp(P):
    P.stamp[0] += 1
    return P.stamp[0]


@_compile
def _to_cheapest(v, S, A, P, stamp):
    """Put unit ``v`` (out of the timetable) at its cheapest start with nothing in its way;
    False when there is none."""
    best = -1
    best_cost = np.inf
    for c in range(S.u_cand_ptr[v], S.u_cand_ptr[v + 1]):
        s = S.u_cand[c]
        cost = _unit_cost(v, s, S, A, P, stamp)
        if cost >= best_cost:
            continue
        mark_j = A.ctr[CTR_JOURNAL]
        if _put(v, s, S, A):
            best, best_cost = s, cost
            _undo(mark_j, A, S)
    return best >= 0 and _put(v, best, S, A)


@_compile
def _try_move(u, s, S, A, P, scratch, slack):
    """Move unit ``u`` to ``s`` and the units in its way to their cheapest starts; kept
    when every hard rule holds and the soft cost changes by less than ``slack`` (below 0:
    it must fall by more), else undone. The change when kept, else infinity."""
    n = _victims(u, s, scratch, S, A, False)
    if n < 0 or n > MAX_SWAP:
        return np.inf
    for j in range(n):
        if scratch[j] == u:
            return np.inf
    stamp = _new_stamp(P)
    P.mark[u] = stamp
    moved = np.empty(n + 1, np.int32)
    moved[0] = u
    for j in range(n):
        P.mark[scratch[j]] = stamp
        moved[j + 1] = scratch[j]
    before = _unit_cost(u, _start_of(u, S, A), S, A, P, stamp)
    for j in range(n):
        before += _unit_cost(scratch[j], _start_of(scratch[j], S, A), S, A, P, stamp)
    before += _people_cost(moved, n + 1, S, A, P)
    mark_j = A.ctr[CTR_JOURNAL]
    for j in range(n):
        for m in range(S.u_ptr[scratch[j]], S.u_ptr[scratch[j] + 1]):
            _unplace(S.u_act[m], True, S, A)
    for m in range(S.u_ptr[u], S.u_ptr[u + 1]):
        _unplace(S.u_act[m], True, S, A)
    kept = _put(u, s, S, A)
    for j in range(n):
        kept = kept and _to_cheapest(scratch[j], S, A, P, stamp)
    kept = kept and unit_gaps_ok(u, S, A)
    after = _unit_cost(u, s, S, A, P, stamp) if kept else np.inf
    for j in range(n):
        if kept:
            kept = unit_gaps_ok(scratch[j], S, A)
            after += _unit_cost(scratch[j], _start_of(scratch[j], S, A), S, A, P, stamp)
    if kept:
        after += _people_cost(moved, n + 1, S, A, P)
    if kept and after - before < slack:
        return after - before
    _undo(mark_j, A, S)
    return np.inf


@_compile
def polish(S, A, P, order, scratch):
    """One pass over the units in ``order``: each with a soft cost moves to the first start
    (earliest first) where a move lowers the cost. Returns the number of moves made."""
    moves = 0
    alone = np.empty(1, np.int32)
    for u in order:
        if S.u_locked[u]:
            continue
        s0 = _start_of(u, S, A)
        alone[0] = u
        people = _people_cost(alone, 1, S, A, P) > 0.0  # any start may lower it: try all
        stamp = _new_stamp(P)
        P.mark[u] = stamp
        now = _unit_cost(u, s0, S, A, P, stamp)
        if now <= 0.0 and not people:
            continue
        for c in range(S.u_cand_ptr[u], S.u_cand_ptr[u + 1]):
            s = S.u_cand[c]
            if s == s0 or (not people and _unit_cost(u, s, S, A, P, stamp) >= now - 1e-9):
                continue
            A.ctr[CTR_JOURNAL] = 0
            if _try_move(u, s, S, A, P, scratch, -1e-9) < np.inf:
                moves += 1
                break
    return moves


@_compile
def anneal(S, A, P, scratch, units, moves, temperature, cost, best_start, best_room):
    """``moves`` random moves (a unit of ``units`` to one of its starts, the units in its
    way to their cheapest) at ``temperature``: one that raises the soft cost by ``d`` is
    kept with a chance of exp(-d / temperature) (simulated annealing), one that breaks a
    hard rule never. ``cost[0]`` follows the timetable's cost; whenever it falls below
    ``cost[1]``, the starts and rooms are copied to ``best_start`` and ``best_room``."""
    kept = 0
    for _ in range(moves):
        u = units[np.random.randint(units.shape[0])]
        c0 = S.u_cand_ptr[u]
        s = S.u_cand[c0 + np.random.randint(S.u_cand_ptr[u + 1] - c0)]
        if s == _start_of(u, S, A):
            continue
        A.ctr[CTR_JOURNAL] = 0
        change = _try_move(u, s, S, A, P, scratch, -temperature * np.log(1.0 - np.random.random()))
        if change == np.inf:
            continue
        kept += 1
        cost[0] += change
        if cost[0] < cost[1] - 1e-9:
            cost[1] = cost[0]
            best_start[:] = A.start
            best_room[:] = A.a_room
    return kept


@_compile
def restore(S, A, starts, rooms):
    """Put every lesson back at ``starts`` in ``rooms`` (a timetable ``anneal`` saw)."""
    for a in range(A.start.shape[0]):
        _unplace(a, False, S, A)
    for a in range(A.start.shape[0]):
        if starts[a] >= 0:
            _place(a, starts[a], rooms[a], False, S, A)


@_compile
def total_cost(S, A, P):
    """The timetable's cost for the soft rules and goals this pass weighs."""
    return _total_cost(S, A, P)


@_compile
def _total_cost(S, A, P):
    """The timetable's cost for the soft rules and goals this pass weighs."""
    cost = 0.0
    for a in range(A.start.shape[0]):
        s = A.start[a]
        if s < 0:
            continue
        day = s // S.ppd
        for k in range(S.a_sp_ptr[a], S.a_sp_ptr[a + 1]):
            cost += 0.5 * _pair_cost(k, day, A.start[S.a_sp_other[k]], S)  # seen from both sides
        for k in range(P.pf_ptr[a], P.pf_ptr[a + 1]):
            if P.pf_ok[k, s] == 0:
                cost += P.pf_w[k]
        cost += _last_cost(a, S, A, P)
    if P.week_goals[0] != 0:
        for p in range(A.occ.shape[0]):
            cost += _gap_cost(p, S, A, P)
    return cost


@_compile
def _journal_gaps_ok(S, A):
    """True when no person of a lesson in the journal has more gaps than allowed."""
    n = A.ctr[CTR_JOURNAL]
    j = 0
    while j < n and unit_gaps_ok(S.a_unit[A.journal[j, 1]], S, A):
        j += 1
    return j == n


@_compile
def rechain(S, A, F, P, order):
    """One pass of bigger moves over the units in ``order``: each with a soft cost is
    taken out and placed again by recursive swapping (:func:`swapping._chain`, with
    ``S.soft_share`` deciding how often a soft partner too close is in the way); kept when
    the timetable's soft cost falls and every hard rule holds. The number of moves kept."""
    moves = 0
    for u in order:
        if S.u_locked[u]:
            continue
        stamp = _new_stamp(P)
        P.mark[u] = stamp
        if _unit_cost(u, _start_of(u, S, A), S, A, P, stamp) <= 0.0:
            continue
        before = _total_cost(S, A, P)
        A.ctr[CTR_JOURNAL] = 0
        A.ctr[CTR_CALLS] = 0
        A.ctr[CTR_BUDGET] = S.chain_effort
        A.ctr[CTR_STEP] += 1
        for m in range(S.u_ptr[u], S.u_ptr[u + 1]):
            _unplace(S.u_act[m], True, S, A)
        kept = _chain(u, S, A, F) and _journal_gaps_ok(S, A)
        if kept and _total_cost(S, A, P) < before - 1e-9:
            moves += 1
        else:
            _undo(0, A, S)
    return moves
