"""The greedy start's loop: place the queued units one by one, each by the cheapest move
that works, compiled by numba.

For each unit, in turn (:func:`run`):

1. recursive swapping (:func:`swapping._chain`): FET's heuristic, a chain of units taken
   out and placed again, undone when it fails;
2. a start with one or two units in the way, each placed again at a free start or by a
   Kempe chain (:func:`kempe.evict_and_exchange`): nothing is left unplaced;
3. forcing it in (:func:`swapping._force`): the units in its way go back to the queue.

Steps 2 and 3 both count as forced placements, which end a restarted attempt.

At the end of each slice of work, every unit still queued is tried by a Kempe chain
alone (:func:`kempe.place_by_exchange`): a unit forced out a moment ago often has one by
then. Measured on Collegiate_Junior_School2 (every class has a lesson in every period
that is not a break), steps 2 and the slice's end took the greedy from about 100 lessons
left after 30 s to a complete timetable.
"""

from __future__ import annotations

from .kempe import evict_and_exchange, place_by_exchange
from .swapping import (
    CTR_BUDGET,
    CTR_CALLS,
    CTR_FORCED,
    CTR_JOURNAL,
    CTR_QLEN,
    CTR_STEP,
    _break_gaps,
    _chain,
    _compile,
    _force,
    _pop_front,
    _push_back,
)


@_compile
def _exchange_queued(S, A, queue):
    """Try a Kempe chain for every queued unit; those it places leave the queue."""
    ctr = A.ctr
    for _ in range(ctr[CTR_QLEN]):
        u = _pop_front(queue, ctr)
        ctr[CTR_JOURNAL] = 0
        if not place_by_exchange(u, S, A):
            _push_back(queue, ctr, u)


@_compile
def run(S, A, F, queue, max_calls, max_forced):
    """Place the queued units until the queue is empty (True) or ``max_calls`` attempts /
    ``max_forced`` forced placements are spent (False; call again to go on)."""
    ctr = A.ctr
    spent = 0
    forced = 0
    while True:
        if ctr[CTR_QLEN] == 0 and _break_gaps(S, A, queue) == 0:
            return True
        if spent >= max_calls or forced >= max_forced:
            if S.exchanges:
                _exchange_queued(S, A, queue)
            return False
        u = _pop_front(queue, ctr)
        ctr[CTR_STEP] += 1
        ctr[CTR_JOURNAL] = 0
        ctr[CTR_CALLS] = 0
        ctr[CTR_BUDGET] = S.chain_effort
        ok = _chain(u, S, A, F)
        spent += ctr[CTR_CALLS]
        if ok:
            continue
        ctr[CTR_JOURNAL] = 0
        forced += 1
        if S.exchanges and evict_and_exchange(u, S, A, F.scratch):
            # counted as a forced placement, so that a restarted attempt that needs
            # many ends as soon as it did before Kempe chains
            ctr[CTR_FORCED] += 1
            continue
        ctr[CTR_JOURNAL] = 0
        # a day's edges are stripped only when no start works otherwise: it takes out
        # lessons that are not in the way, so it is the last resort
        if not _force(u, S, A, queue, False) and not _force(u, S, A, queue, True):
            _push_back(queue, ctr, u)
