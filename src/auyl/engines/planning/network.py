"""Hub-and-magnet network design: choose hub schools and assign every magnet school to one
hub, minimising pupil-weighted travel, as a capacitated p-median / facility-location MIP
solved with HiGHS.

This module fixes the interface between the network app and the solver. Invariants of a
:class:`NetworkResult` with status optimal/time_limit: every school to serve is assigned to
exactly one open hub within the distance limit (or listed in ``unserved`` with reasons);
no hub has more magnets than allowed; fixed hubs are open; at most/exactly ``hubs`` hubs
are open; with ``same_district`` a magnet's hub is in its district.

The model (``docs/engines/network-design.md`` has it in plain words):

* ``y[h]`` binary: candidate hub ``h`` is open. Candidates are the sites with ``can_be_hub``
  or ``fixed_hub``.
* ``x[s, h]`` in [0, 1]: school ``s`` is served by hub ``h``. Only *feasible pairs* get a
  variable (within ``max_km`` road km, within ``max_minutes`` when a travel-time table is
  given and the table has the pair, same district when asked), so the model stays sparse.
* A school that is itself a candidate serves itself when it is opened: its own
  ``y[s]`` stands in its assignment row (distance 0, no magnet place used).
* minimise  sum pupils[s] * dist(s, h) * x[s, h]  (+ hub_open_cost * sum y  when hubs is None)
* assign:   sum_h x[s, h] (+ y[s] if s is a candidate) (+ u[s]) = 1   for every school
* link:     x[s, h] <= y[h]                                         for every pair
* capacity: sum_s x[s, h] <= max_magnets * y[h]                      when max_magnets
* count:    sum_h y[h] = hubs                                        when hubs is given
* fixed:    y[h] = 1 for fixed hubs.

``x`` is declared continuous although each school goes to exactly one hub (single
sourcing). That is exact, not a relaxation: for any integral ``y`` the remaining problem
in ``x`` (and the slack ``u``) is a transportation problem -- a min-cost flow from schools
(supply 1) through hubs (capacity ``max_magnets``) -- whose constraint matrix is totally
unimodular, so it has an integral optimal vertex with the same cost. After HiGHS stops we
re-solve that transportation problem with the simplex method for the chosen hubs whenever
HiGHS's ``x`` is not already integral, which yields a single-sourced assignment of equal
cost. Only the ``y`` (a few hundred) are branched on.

When not every school can get a place (capacity or hub count too small), the engine first
finds the largest number of schools that can be served (phase 1: proven by an LP bound
matched by the heuristic, or by a small MIP), then minimises travel among the solutions
serving that many (phase 2, with slack ``u[s]`` and ``sum u <= shortfall``). The schools
left out are listed in ``unserved`` with the reason.

A greedy + swap local search gives a warm start (passed to HiGHS with ``setSolution``); the
same heuristic, run alone, is :func:`heuristic_network` (the benchmark's peer). Large models
(national scale) first get the LP relaxation and a RENS sub-MIP (hubs the LP opens or closes
fixed), then the full MIP with the time left; see :func:`_solve`.

``bound`` is a proven lower bound on the objective (0, the trivial one, when the solver had
none yet: costs are never negative); ``gap`` = (objective - bound) / objective.

``highspy`` is imported lazily, inside the solving functions, so the data classes can be
imported in any process.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import highspy

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

EARTH_RADIUS_KM = 6371.0
#: Schools processed per block when computing distances (keeps memory at a few MB).
_BLOCK = 512
#: Closed candidates tried as a replacement for each open hub in the swap search.
_SWAP_NEIGHBOURS = 10
_INTEGRAL_TOL = 1e-6
#: Share of the time limit (at most _WARM_MAX_S seconds) given to the greedy + swap start.
_WARM_SHARE, _WARM_MAX_S = 1 / 12, 10.0
_ALLOW_RESTART = False
#: Models with at least this many pairs get the LP + RENS start (see ``_solve``); hubs
#: the LP opens (closes) to within _RENS_FIX are fixed open (closed) in the sub-MIP.
_DIVE_MIN_PAIRS, _RENS_FIX = 20_000, 0.01


@dataclass(frozen=True)
class Site:
    """A school: a candidate hub, a school to serve, or both."""

    code: str
    district: str
    latitude: float
    longitude: float
    pupils: int
    can_be_hub: bool  # eligibility (capacity, connectivity, specialist teachers, labs)
    must_be_served: bool  # a (small) school that needs a hub
    fixed_hub: bool = False  # an existing hub kept open


@dataclass(frozen=True)
class NetworkRequest:
    sites: tuple[Site, ...]
    hubs: int | None  # number of hubs to open; None: as many as needed (facility location)
    max_km: float | None = None
    max_magnets: int | None = None
    same_district: bool = False
    road_factor: float = 1.3  # road distance ~ haversine x road_factor
    travel_minutes: dict[tuple[str, str], float] | None = None  # (magnet, hub) -> minutes
    max_minutes: float | None = None
    hub_open_cost: float = 0.0  # pupil-km equivalent, used when hubs is None
    time_limit_s: float = 120.0
    mip_rel_gap: float = 0.0
    #: Pass a greedy + swap design to HiGHS as a starting solution (off: for comparison).
    warm_start: bool = True


@dataclass(frozen=True)
class Assignment:
    magnet: str
    hub: str
    km: float  # road km (haversine x road_factor); 0 for a hub serving itself
    minutes: float | None


@dataclass(frozen=True)
class Unserved:
    school: str
    reason: str  # plain words, e.g. "no eligible hub within 60 km (nearest: X at 84 km)"
    #: "out_of_range" (no eligible hub within the limits), "no_room" (the hubs in reach
    #: are full or not chosen), "no_hub" (no site may be a hub at all). For translation.
    kind: str = "out_of_range"
    nearest_hub: str | None = None  # nearest eligible (out_of_range) or chosen (no_room) hub
    nearest_km: float | None = None


@dataclass(frozen=True)
class NetworkResult:
    status: str  # "optimal", "time_limit", "infeasible" ("heuristic" from heuristic_network)
    hubs: tuple[str, ...]
    assignments: tuple[Assignment, ...]
    unserved: tuple[Unserved, ...]
    objective: float  # pupil-weighted km (or minutes); 0 when infeasible (no design)
    bound: float  # always finite: 0 when the solver proved nothing (costs are >= 0)
    gap: float  # (objective - bound) / objective; 0 when infeasible
    seconds: float
    messages: tuple[str, ...] = ()
    #: The travel part of the objective (the objective less hub_open_cost x hubs).
    travel: float = 0.0
    #: Schools that could be reached but found no place (capacity or hub count).
    shortfall: int = 0
    #: Objective of the greedy + swap warm start (None if none was built).
    warm_start_objective: float | None = None
    variables: int = 0
    constraints: int = 0


# --- Distances --------------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def haversine_matrix_km(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Great-circle km between every point of the first set (rows) and the second."""
    p1, p2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    dl = np.radians(lon2)[None, :] - np.radians(lon1)[:, None]
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: FloatArray = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return out


# --- The instance: schools, candidate hubs and feasible pairs ----------------------------


@dataclass
class _Instance:
    """The request reduced to arrays. Schools ``s`` and candidates ``h`` are numbered
    0..S-1 and 0..H-1; ``school[s]``/``hub[h]`` give the site index."""

    request: NetworkRequest
    school: IntArray
    hub: IntArray
    fixed: BoolArray
    self_hub: IntArray  # per school: its own candidate number, or -1
    ps: IntArray  # pair -> school
    ph: IntArray  # pair -> candidate hub
    pcost: FloatArray  # pupils x km (or minutes)
    pkm: FloatArray
    pmin: FloatArray  # minutes, nan without a travel-time table
    unserved: list[Unserved] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @property
    def n_schools(self) -> int:
        return len(self.school)

    @property
    def n_hubs(self) -> int:
        return len(self.hub)

    @property
    def n_pairs(self) -> int:
        return len(self.ps)

    @property
    def cap(self) -> int | None:
        return self.request.max_magnets

    @property
    def open_cost(self) -> float:
        return self.request.hub_open_cost if self.request.hubs is None else 0.0

    def code(self, site: int) -> str:
        return self.request.sites[site].code


def _validate(request: NetworkRequest) -> None:
    """Programming errors (not infeasible requests) are refused with ValueError."""
    codes = [s.code for s in request.sites]
    if len(set(codes)) != len(codes):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        raise ValueError(f"duplicate school codes: {', '.join(dup[:5])}")
    if request.hubs is not None and request.hubs < 0:
        raise ValueError("hubs must be >= 0")
    if request.max_magnets is not None and request.max_magnets < 0:
        raise ValueError("max_magnets must be >= 0")
    if request.hub_open_cost < 0:
        raise ValueError("hub_open_cost must be >= 0")
    if request.road_factor <= 0:
        raise ValueError("road_factor must be > 0")
    if request.max_minutes is not None and request.travel_minutes is None:
        raise ValueError("max_minutes needs a travel-time table (travel_minutes)")
    if any(s.pupils < 0 for s in request.sites):
        raise ValueError("pupils must be >= 0")
    if request.travel_minutes is not None and any(
        not math.isfinite(m) or m < 0 for m in request.travel_minutes.values()
    ):
        raise ValueError("travel minutes must be finite and >= 0")


def _limits_text(request: NetworkRequest) -> str:
    parts = []
    if request.max_km is not None:
        parts.append(f"within {request.max_km:g} km")
    if request.max_minutes is not None:
        parts.append(f"within {request.max_minutes:g} minutes")
    text = "no eligible hub"
    if request.same_district:
        text += " in its district"
    if parts:
        text += " " + " and ".join(parts)
    if request.travel_minutes is not None and request.max_minutes is None:
        text += " with a travel time in the table"
    return text


def _prepare(request: NetworkRequest) -> _Instance:
    """Feasible pairs (sparse), costs, and the schools no eligible hub can reach."""
    _validate(request)
    sites = request.sites
    lat = np.array([s.latitude for s in sites], dtype=np.float64)
    lon = np.array([s.longitude for s in sites], dtype=np.float64)
    pupils = np.array([s.pupils for s in sites], dtype=np.float64)
    district_ids: dict[str, int] = {}
    district = np.array(
        [district_ids.setdefault(s.district, len(district_ids)) for s in sites], dtype=np.int64
    )
    cand = np.array([i for i, s in enumerate(sites) if s.can_be_hub or s.fixed_hub], dtype=np.int64)
    wanted = np.array([i for i, s in enumerate(sites) if s.must_be_served], dtype=np.int64)
    fixed = np.array([sites[i].fixed_hub for i in cand], dtype=np.bool_)
    messages = [
        f"{sites[i].code} is an existing hub though not marked eligible; it is kept open."
        for i in cand
        if sites[i].fixed_hub and not sites[i].can_be_hub
    ]
    cand_of_site = np.full(len(sites), -1, dtype=np.int64)
    cand_of_site[cand] = np.arange(len(cand))
    travel = request.travel_minutes

    rows: list[IntArray] = []
    cols: list[IntArray] = []
    kms: list[FloatArray] = []
    nearest = np.full(len(wanted), -1, dtype=np.int64)
    nearest_km = np.full(len(wanted), np.inf)
    for start in range(0, len(wanted), _BLOCK):
        block = wanted[start : start + _BLOCK]
        if len(cand) == 0:
            break
        km = request.road_factor * haversine_matrix_km(lat[block], lon[block], lat[cand], lon[cand])
        itself = block[:, None] == cand[None, :]
        km_other = np.where(itself, np.inf, km)
        arg = np.argmin(km_other, axis=1)
        nearest[start : start + len(block)] = cand[arg]
        nearest_km[start : start + len(block)] = km_other[np.arange(len(block)), arg]
        mask = ~itself
        if request.max_km is not None:
            mask &= km <= request.max_km + 1e-9
        if request.same_district:
            mask &= district[block][:, None] == district[cand][None, :]
        r, c = np.nonzero(mask)
        rows.append(r.astype(np.int64) + start)
        cols.append(c.astype(np.int64))
        kms.append(km[r, c])
    w_of = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    ph = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    pkm = np.concatenate(kms) if kms else np.zeros(0, dtype=np.float64)
    pmin = np.full(len(ph), np.nan)
    if travel is not None:
        keep = np.zeros(len(ph), dtype=np.bool_)
        codes = [s.code for s in sites]
        w_codes = [codes[i] for i in wanted]
        c_codes = [codes[i] for i in cand]
        limit = request.max_minutes
        for k, (w, h) in enumerate(zip(w_of.tolist(), ph.tolist(), strict=True)):
            m = travel.get((w_codes[w], c_codes[h]))
            if m is not None and (limit is None or m <= limit + 1e-9):
                keep[k] = True
                pmin[k] = m
        w_of, ph, pkm, pmin = w_of[keep], ph[keep], pkm[keep], pmin[keep]

    # Schools with no pair and no self option cannot be served: say why, drop them.
    has_pair = np.zeros(len(wanted), dtype=np.bool_)
    has_pair[w_of] = True
    self_cand = cand_of_site[wanted]
    reachable = has_pair | (self_cand >= 0)
    unserved: list[Unserved] = []
    head = _limits_text(request)
    for w in np.flatnonzero(~reachable).tolist():
        code = sites[int(wanted[w])].code
        if len(cand) == 0 or nearest[w] < 0:
            unserved.append(Unserved(code, "no school is eligible to be a hub", "no_hub"))
            continue
        near, near_km = sites[int(nearest[w])], float(nearest_km[w])
        detail = f"{near.code} at {near_km:.0f} km"
        if request.same_district and near.district != sites[int(wanted[w])].district:
            detail += f" in district {near.district}"
        if travel is not None:
            m = travel.get((code, near.code))
            detail += " (no travel time given)" if m is None else f" ({m:g} minutes)"
        unserved.append(
            Unserved(
                code,
                f"{head}; nearest eligible: {detail}",
                "out_of_range",
                near.code,
                round(near_km, 1),
            )
        )
    if unserved:
        messages.append(
            f"{len(unserved)} schools have no eligible hub within reach; they are listed "
            "with reasons and the rest is solved."
        )

    new_index = np.cumsum(reachable) - 1
    keep_pairs = reachable[w_of]
    w_of, ph, pkm, pmin = w_of[keep_pairs], ph[keep_pairs], pkm[keep_pairs], pmin[keep_pairs]
    school = wanted[reachable]
    ps = new_index[w_of].astype(np.int64)
    dist = pmin if travel is not None else pkm
    pcost = pupils[school][ps] * dist
    return _Instance(
        request=request,
        school=school,
        hub=cand,
        fixed=fixed,
        self_hub=cand_of_site[school],
        ps=ps,
        ph=ph,
        pcost=pcost.astype(np.float64),
        pkm=pkm,
        pmin=pmin,
        unserved=unserved,
        messages=messages,
    )


# --- The MIP ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkMip:
    """The MIP in column-wise sparse form: what HiGHS gets, and what the benchmark hands to
    a second solver. Columns: ``y`` (one per candidate hub, binary), then ``x`` (one per
    feasible pair, continuous, see the module docstring), then ``u`` (one per school,
    only when not every school can get a place)."""

    col_cost: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    integrality: npt.NDArray[np.int32]  # 1 integer, 0 continuous
    row_lower: FloatArray
    row_upper: FloatArray
    a_start: npt.NDArray[np.int32]
    a_index: npt.NDArray[np.int32]
    a_value: FloatArray
    n_hubs: int
    n_pairs: int
    n_slack: int

    @property
    def num_col(self) -> int:
        return len(self.col_cost)

    @property
    def num_row(self) -> int:
        return len(self.row_lower)


class _Rows:
    """Collects constraint rows as coordinates (row, column, value) with bounds."""

    def __init__(self) -> None:
        self.r: list[IntArray] = []
        self.c: list[IntArray] = []
        self.v: list[FloatArray] = []
        self.lower: list[FloatArray] = []
        self.upper: list[FloatArray] = []
        self.n = 0

    def add(self, n: int, lower: float, upper: float) -> int:
        """Open ``n`` rows with the same bounds; return the first row's number."""
        first = self.n
        self.lower.append(np.full(n, lower))
        self.upper.append(np.full(n, upper))
        self.n += n
        return first

    def coef(self, rows: IntArray, cols: IntArray, vals: FloatArray | float) -> None:
        self.r.append(rows.astype(np.int64))
        self.c.append(cols.astype(np.int64))
        self.v.append(np.broadcast_to(np.asarray(vals, dtype=np.float64), rows.shape).copy())


def _add_assign(rows: _Rows, inst: _Instance, slack: bool) -> None:
    """Each school goes to exactly one open hub, or serves itself when it is opened as a
    hub, or (with slack) is left without a place: sum_h x + y_self + u = 1."""
    S, H, P = inst.n_schools, inst.n_hubs, inst.n_pairs
    first = rows.add(S, 1.0, 1.0)
    rows.coef(first + inst.ps, H + np.arange(P), 1.0)
    own = np.flatnonzero(inst.self_hub >= 0)
    rows.coef(first + own, inst.self_hub[own], 1.0)
    if slack:
        rows.coef(first + np.arange(S), H + P + np.arange(S), 1.0)


def _add_link(rows: _Rows, inst: _Instance) -> None:
    """A school can only go to an open hub: x[s, h] <= y[h] (the strong p-median link)."""
    H, P = inst.n_hubs, inst.n_pairs
    first = rows.add(P, -np.inf, 0.0)
    rows.coef(first + np.arange(P), H + np.arange(P), 1.0)
    rows.coef(first + np.arange(P), inst.ph, -1.0)


def _add_capacity(rows: _Rows, inst: _Instance) -> None:
    """At most max_magnets magnets per open hub (a hub serving itself is not a magnet):
    sum_s x[s, h] <= max_magnets * y[h]."""
    if inst.cap is None:
        return
    H, P = inst.n_hubs, inst.n_pairs
    first = rows.add(H, -np.inf, 0.0)
    rows.coef(first + inst.ph, H + np.arange(P), 1.0)
    rows.coef(first + np.arange(H), np.arange(H), -float(inst.cap))


def _add_hub_count(rows: _Rows, inst: _Instance) -> None:
    """Exactly ``hubs`` hubs are open: sum_h y[h] = hubs."""
    p = inst.request.hubs
    if p is None:
        return
    first = rows.add(1, float(p), float(p))
    rows.coef(np.full(inst.n_hubs, first), np.arange(inst.n_hubs), 1.0)


def _add_shortfall(rows: _Rows, inst: _Instance, max_unserved: int) -> None:
    """At most ``max_unserved`` schools are left without a place: sum_s u[s] <= K."""
    S, H, P = inst.n_schools, inst.n_hubs, inst.n_pairs
    first = rows.add(1, -np.inf, float(max_unserved))
    rows.coef(np.full(S, first), H + P + np.arange(S), 1.0)


def _build_mip(inst: _Instance, max_unserved: int | None, phase1: bool = False) -> NetworkMip:
    """Phase 2 (``phase1`` False): minimise travel (+ hub costs); with ``max_unserved`` the
    slack ``u`` is allowed up to that many schools. Phase 1: maximise schools served, i.e.
    minimise sum u, travel ignored."""
    S, H, P = inst.n_schools, inst.n_hubs, inst.n_pairs
    slack = phase1 or max_unserved is not None
    n_u = S if slack else 0
    rows = _Rows()
    _add_assign(rows, inst, slack)
    _add_link(rows, inst)
    _add_capacity(rows, inst)
    _add_hub_count(rows, inst)
    if max_unserved is not None and not phase1:
        _add_shortfall(rows, inst, max_unserved)

    n_col = H + P + n_u
    cost = np.zeros(n_col)
    if phase1:
        cost[H + P :] = 1.0
    else:
        cost[:H] = inst.open_cost
        cost[H : H + P] = inst.pcost
    lower = np.zeros(n_col)
    lower[:H] = inst.fixed.astype(np.float64)
    upper = np.ones(n_col)
    integrality = np.zeros(n_col, dtype=np.int32)
    integrality[:H] = 1

    r = np.concatenate(rows.r) if rows.r else np.zeros(0, dtype=np.int64)
    c = np.concatenate(rows.c) if rows.c else np.zeros(0, dtype=np.int64)
    v = np.concatenate(rows.v) if rows.v else np.zeros(0)
    order = np.lexsort((r, c))
    r, c, v = r[order], c[order], v[order]
    start = np.zeros(n_col + 1, dtype=np.int64)
    np.cumsum(np.bincount(c, minlength=n_col), out=start[1:])
    return NetworkMip(
        col_cost=cost,
        col_lower=lower,
        col_upper=upper,
        integrality=integrality,
        row_lower=np.concatenate(rows.lower) if rows.lower else np.zeros(0),
        row_upper=np.concatenate(rows.upper) if rows.upper else np.zeros(0),
        a_start=start.astype(np.int32),
        a_index=r.astype(np.int32),
        a_value=v,
        n_hubs=H,
        n_pairs=P,
        n_slack=n_u,
    )


@dataclass(frozen=True)
class _HighsRun:
    status: str  # "optimal", "time_limit", "infeasible", "error"
    values: FloatArray | None
    objective: float
    bound: float


def _new_highs(time_limit: float, rel_gap: float) -> highspy.Highs:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(0.05, float(time_limit)))
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    h.setOptionValue("random_seed", 1)
    # Measured on the Aktobe demo region: HiGHS's root restarts (after reduced-cost
    # fixing) double the time to prove optimality (4.7 s -> 2.5 s CPU without them).
    h.setOptionValue("mip_allow_restart", _ALLOW_RESTART)
    return h


def _run_highs(
    mip: NetworkMip,
    time_limit: float,
    rel_gap: float,
    warm: FloatArray | None = None,
    lp_only: bool = False,
) -> _HighsRun:
    """Solve ``mip`` with HiGHS (as an LP with ``lp_only``), warm-started when given."""
    import highspy

    h = _new_highs(time_limit, rel_gap)
    integrality = np.zeros_like(mip.integrality) if lp_only else mip.integrality
    if lp_only:
        h.setOptionValue("solver", "simplex")
    h.passModel(
        mip.num_col,
        mip.num_row,
        len(mip.a_value),
        1,  # column-wise
        1,  # minimise
        0.0,
        mip.col_cost,
        mip.col_lower,
        mip.col_upper,
        mip.row_lower,
        mip.row_upper,
        mip.a_start,
        mip.a_index,
        mip.a_value,
        integrality,
    )
    if warm is not None and not lp_only:
        h.setSolution(mip.num_col, np.arange(mip.num_col, dtype=np.int32), warm)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = np.array(h.getSolution().col_value, dtype=np.float64) if has_solution else None
    if lp_only:
        obj = info.objective_function_value if has_solution else math.inf
        bound = obj
    else:
        obj = info.objective_function_value if has_solution else math.inf
        bound = info.mip_dual_bound
    ms = highspy.HighsModelStatus
    if status == ms.kOptimal:
        name = "optimal"
    elif status == ms.kInfeasible:
        name = "infeasible"
    elif has_solution or status == ms.kTimeLimit:
        name = "time_limit"
    else:
        name = "error"
    return _HighsRun(name, values, float(obj), float(bound))


def _solve(
    mip: NetworkMip, time_limit: float, rel_gap: float, warm: FloatArray | None
) -> _HighsRun:
    """HiGHS on the MIP; on large models (``_DIVE_MIN_PAIRS`` pairs or more) first the LP
    relaxation and a sub-MIP with the hubs the LP opens or closes fixed (RENS), so a good
    design and a bound exist early, then the full MIP from there with the time left."""
    if mip.n_pairs < _DIVE_MIN_PAIRS:
        return _run_highs(mip, time_limit, rel_gap, warm)
    deadline = time.perf_counter() + time_limit

    def left() -> float:
        return max(0.5, deadline - time.perf_counter())

    lp = _run_highs(mip, time_limit, 0.0, lp_only=True)
    if lp.values is None:
        if lp.status == "infeasible":
            return _HighsRun("infeasible", None, math.inf, math.inf)
        return _run_highs(mip, left(), rel_gap, warm)
    bound = lp.objective
    best = (
        _HighsRun("time_limit", warm, float(mip.col_cost @ warm), bound)
        if warm is not None
        else None
    )
    y = lp.values[: mip.n_hubs]
    lower, upper = mip.col_lower.copy(), mip.col_upper.copy()
    lower[: mip.n_hubs][y >= 1 - _RENS_FIX] = 1.0
    upper[: mip.n_hubs][y <= _RENS_FIX] = 0.0
    sub = NetworkMip(
        mip.col_cost, lower, upper, mip.integrality, mip.row_lower, mip.row_upper,
        mip.a_start, mip.a_index, mip.a_value, mip.n_hubs, mip.n_pairs, mip.n_slack,
    )  # fmt: skip
    fits = warm is not None and bool(np.all(warm >= lower - 1e-9) and np.all(warm <= upper + 1e-9))
    rens = _run_highs(sub, left() / 2, rel_gap, warm if fits else None)
    if rens.values is not None and (best is None or rens.objective < best.objective):
        best = _HighsRun("time_limit", rens.values, rens.objective, bound)
    if best is not None and best.objective - bound <= rel_gap * abs(best.objective) + 1e-9:
        return _HighsRun("optimal", best.values, best.objective, bound)
    full = _run_highs(mip, left(), rel_gap, best.values if best is not None else None)
    bound = max(bound, full.bound)
    if full.values is not None and (best is None or full.objective <= best.objective):
        best = _HighsRun(full.status, full.values, full.objective, bound)
    if best is None:
        return _HighsRun(full.status, None, math.inf, bound)
    status = "optimal" if full.status == "optimal" else "time_limit"
    return _HighsRun(status, best.values, best.objective, bound)


# --- Assignment for a given set of open hubs ---------------------------------------------


def _transport_mip(
    inst: _Instance, open_mask: BoolArray, max_unserved: int | None, phase1: bool
) -> tuple[NetworkMip, _Instance]:
    """The transportation problem for fixed open hubs: the MIP restricted to pairs with an
    open hub and with y fixed to the open set (an LP; totally unimodular)."""
    keep = open_mask[inst.ph]
    sub = _Instance(
        request=inst.request,
        school=inst.school,
        hub=inst.hub,
        fixed=open_mask.copy(),
        self_hub=inst.self_hub,
        ps=inst.ps[keep],
        ph=inst.ph[keep],
        pcost=inst.pcost[keep],
        pkm=inst.pkm[keep],
        pmin=inst.pmin[keep],
    )
    mip = _build_mip(sub, max_unserved, phase1)
    upper = mip.col_upper.copy()
    upper[: inst.n_hubs] = open_mask.astype(np.float64)
    # Hub count is implied by the fixed y; drop it by widening its bounds.
    row_lower, row_upper = mip.row_lower.copy(), mip.row_upper.copy()
    if inst.request.hubs is not None:
        count_row = inst.n_schools + sub.n_pairs + (inst.n_hubs if inst.cap is not None else 0)
        row_lower[count_row], row_upper[count_row] = -np.inf, np.inf
    mip = NetworkMip(
        col_cost=mip.col_cost,
        col_lower=mip.col_lower,
        col_upper=upper,
        integrality=mip.integrality,
        row_lower=row_lower,
        row_upper=row_upper,
        a_start=mip.a_start,
        a_index=mip.a_index,
        a_value=mip.a_value,
        n_hubs=mip.n_hubs,
        n_pairs=mip.n_pairs,
        n_slack=mip.n_slack,
    )
    return mip, sub


def _assignment_from_x(
    inst: _Instance, open_mask: BoolArray, x: FloatArray, ps: IntArray, ph: IntArray
) -> IntArray | None:
    """Per school: the pair index into (ps, ph) chosen, -2 for itself, -1 unserved; None if
    ``x`` is not integral."""
    S = inst.n_schools
    if np.any(np.abs(x - np.round(x)) > _INTEGRAL_TOL):
        return None
    chosen = np.full(S, -1, dtype=np.int64)
    on = np.flatnonzero(x > 0.5)
    chosen[ps[on]] = on
    own = (inst.self_hub >= 0) & open_mask[np.maximum(inst.self_hub, 0)]
    chosen[own] = -2
    return chosen


def _exact_assignment(
    inst: _Instance, open_mask: BoolArray, max_unserved: int | None, time_limit: float = 60.0
) -> IntArray:
    """The optimal single-sourced assignment for the open hubs, as pair indices into
    ``inst`` (-2 itself, -1 no place). Serves as many schools as possible (phase 1 LP) when
    ``max_unserved`` is None, then minimises travel."""
    S = inst.n_schools
    if S == 0:
        return np.zeros(0, dtype=np.int64)
    if max_unserved is None:
        mip1, _ = _transport_mip(inst, open_mask, None, phase1=True)
        run1 = _run_highs(mip1, time_limit, 0.0, lp_only=True)
        max_unserved = round(run1.objective) if run1.values is not None else S
    mip, sub = _transport_mip(inst, open_mask, max_unserved, phase1=False)
    run = _run_highs(mip, time_limit, 0.0, lp_only=True)
    if run.values is None:
        raise RuntimeError("transportation LP for fixed hubs failed: " + run.status)
    H = inst.n_hubs
    x = run.values[H : H + sub.n_pairs]
    local = _assignment_from_x(inst, open_mask, x, sub.ps, sub.ph)
    if local is None:  # pragma: no cover - a simplex vertex of a TU system is integral
        raise RuntimeError("transportation LP returned a fractional vertex")
    kept = np.flatnonzero(open_mask[inst.ph])
    out = local.copy()
    hit = local >= 0
    out[hit] = kept[local[hit]]
    return out


# --- Greedy + swap heuristic --------------------------------------------------------------


@dataclass
class _Heuristic:
    """Greedy construction and swap local search on the open set; assignments for a trial
    open set by a regret greedy (fast, approximate), the final one exactly."""

    inst: _Instance
    opt_s: IntArray = field(init=False)
    opt_h: IntArray = field(init=False)
    opt_c: FloatArray = field(init=False)
    ptr: IntArray = field(init=False)
    by_hub: IntArray = field(init=False)

    def __post_init__(self) -> None:
        inst = self.inst
        order = np.lexsort((inst.pcost, inst.ps))
        self.opt_s, self.opt_h, self.opt_c = inst.ps[order], inst.ph[order], inst.pcost[order]
        self.ptr = np.searchsorted(self.opt_s, np.arange(inst.n_schools + 1)).astype(np.int64)
        self.by_hub = np.argsort(inst.ph, kind="stable").astype(np.int64)

    def value(self, open_mask: BoolArray) -> tuple[int, float]:
        """(schools without a place, travel + hub costs) of the regret-greedy assignment."""
        inst = self.inst
        own = (inst.self_hub >= 0) & open_mask[np.maximum(inst.self_hub, 0)]
        valid = open_mask[self.opt_h] & ~own[self.opt_s]
        idx = np.flatnonzero(valid)
        s_of = self.opt_s[idx]
        first_pos = np.flatnonzero(np.r_[True, s_of[1:] != s_of[:-1]]) if len(idx) else idx
        cost = inst.open_cost * float(open_mask.sum())
        unserved = int(inst.n_schools - own.sum() - len(first_pos))
        if inst.cap is None:
            return unserved, cost + float(self.opt_c[idx[first_pos]].sum())
        best_c = self.opt_c[idx[first_pos]]
        second = first_pos + 1
        has2 = second < len(idx)
        has2[has2] = s_of[second[has2]] == s_of[first_pos[has2]]
        c2 = np.full(len(first_pos), np.inf)
        c2[has2] = self.opt_c[idx[second[has2]]]
        regret = c2 - best_c
        order = np.lexsort((-best_c, -regret))
        schools = s_of[first_pos][order].tolist()
        ptr = self.ptr.tolist()
        ok = valid.tolist()
        hubs_l = self.opt_h.tolist()
        costs = self.opt_c.tolist()
        load = [0] * inst.n_hubs
        cap = inst.cap
        total = 0.0
        for s in schools:
            for k in range(ptr[s], ptr[s + 1]):
                if ok[k]:
                    h = hubs_l[k]
                    if load[h] < cap:
                        load[h] += 1
                        total += costs[k]
                        break
            else:
                unserved += 1
        return unserved, cost + total

    def greedy(self) -> BoolArray:
        """Open hubs one by one, each time the one saving most travel (for a capacity, only
        its best ``max_magnets`` savings count); schools not yet reached count a large
        penalty, so reaching them comes first."""
        inst = self.inst
        H, S = inst.n_hubs, inst.n_schools
        open_mask = inst.fixed.copy()
        penalty = 1e3 * (float(inst.pcost.max()) if inst.n_pairs else 1.0) + 1e3
        cur = np.full(S, penalty)
        own = np.flatnonzero(inst.self_hub >= 0)

        def reach(j: int) -> None:
            pairs = self.by_hub[np.searchsorted(inst.ph[self.by_hub], j) :]
            pairs = pairs[: np.searchsorted(inst.ph[pairs], j, side="right")]
            np.minimum.at(cur, inst.ps[pairs], inst.pcost[pairs])
            cur[own[inst.self_hub[own] == j]] = 0.0

        for j in np.flatnonzero(open_mask).tolist():
            reach(j)
        while True:
            if inst.request.hubs is not None and open_mask.sum() >= inst.request.hubs:
                break
            saving = np.maximum(0.0, cur[inst.ps] - inst.pcost)
            if inst.cap is not None and inst.n_pairs:
                order = np.lexsort((-saving, inst.ph))
                sorted_h = inst.ph[order]
                group_start = np.searchsorted(sorted_h, sorted_h)
                rank = np.arange(len(order)) - group_start
                top = order[rank < inst.cap]
                gain = np.bincount(inst.ph[top], saving[top], minlength=H)
            else:
                gain = np.bincount(inst.ph, saving, minlength=H).astype(np.float64)
            np.add.at(gain, inst.self_hub[own], cur[own])
            gain[open_mask] = -np.inf
            if not np.isfinite(gain).any():
                break
            j = int(np.argmax(gain))
            if inst.request.hubs is None and gain[j] <= inst.open_cost:
                break
            open_mask[j] = True
            reach(j)
        return open_mask

    def neighbours(self) -> list[list[int]]:
        """For each candidate, the nearest other candidates (swap partners)."""
        inst = self.inst
        sites = inst.request.sites
        lat = np.array([sites[i].latitude for i in inst.hub])
        lon = np.array([sites[i].longitude for i in inst.hub])
        k = min(_SWAP_NEIGHBOURS, max(0, inst.n_hubs - 1))
        out: list[list[int]] = []
        for start in range(0, inst.n_hubs, _BLOCK):
            km = haversine_matrix_km(
                lat[start : start + _BLOCK], lon[start : start + _BLOCK], lat, lon
            )
            km[np.arange(len(km)), start + np.arange(len(km))] = np.inf
            if k == 0:
                out.extend([] for _ in range(len(km)))
                continue
            part = np.argpartition(km, k - 1, axis=1)[:, :k]
            for row, cols in enumerate(part):
                out.append(cols[np.argsort(km[row, cols])].tolist())
        return out

    def local_search(self, open_mask: BoolArray, deadline: float) -> BoolArray:
        """Swap an open hub for a nearby closed one (and, without a hub count, close a hub)
        while that improves (schools without a place, travel); first improvement."""
        inst = self.inst
        best = self.value(open_mask)
        neigh = self.neighbours()
        current = open_mask.copy()
        improved = True
        while improved and time.perf_counter() < deadline:
            improved = False
            for j_out in np.flatnonzero(current & ~inst.fixed).tolist():
                if time.perf_counter() >= deadline:
                    break
                moves = [j for j in neigh[j_out] if not current[j]]
                trials: list[tuple[int, int]] = [(j_out, j_in) for j_in in moves]
                if inst.request.hubs is None:
                    trials.append((j_out, -1))
                for out_h, in_h in trials:
                    trial = current.copy()
                    trial[out_h] = False
                    if in_h >= 0:
                        trial[in_h] = True
                    val = self.value(trial)
                    if val[0] < best[0] or (val[0] == best[0] and val[1] < best[1] - 1e-9):
                        current, best, improved = trial, val, True
                        break
        return current

    def repair(
        self, open_mask: BoolArray, chosen: IntArray, deadline: float
    ) -> tuple[BoolArray, IntArray]:
        """Schools left without a place by the exact assignment: open a closed hub in their
        reach (nearest first) instead of one of the least-used open hubs, or in addition
        when the hub count is free; keep the change if fewer schools are left out."""
        inst = self.inst
        p = inst.request.hubs
        for s in np.flatnonzero(chosen == -1)[:20].tolist():
            if chosen[s] != -1 or time.perf_counter() >= deadline:
                continue
            mine = np.flatnonzero(inst.ps == s)
            closed = mine[~open_mask[inst.ph[mine]]]
            closed = inst.ph[closed[np.argsort(inst.pkm[closed])]][:3]
            served = chosen >= 0
            use = np.bincount(inst.ph[chosen[served]], minlength=inst.n_hubs)
            movable = np.flatnonzero(open_mask & ~inst.fixed)
            outs = movable[np.argsort(use[movable], kind="stable")][:5].tolist()
            done = False
            for j_in in closed.tolist():
                for j_out in outs if p is not None else [-1]:
                    if time.perf_counter() >= deadline:
                        return open_mask, chosen
                    trial = open_mask.copy()
                    trial[j_in] = True
                    if j_out >= 0:
                        trial[j_out] = False
                    got = _exact_assignment(inst, trial, None)
                    if (got == -1).sum() < (chosen == -1).sum():
                        open_mask, chosen, done = trial, got, True
                        break
                if done:
                    break
        return open_mask, chosen

    def relocate(
        self, open_mask: BoolArray, chosen: IntArray, deadline: float
    ) -> tuple[BoolArray, IntArray]:
        """Location-allocation rounds: move each open hub (not fixed) to the candidate that
        serves its own cluster at least cost, then re-assign exactly; repeat while that
        lowers the exact objective."""
        inst = self.inst
        H = inst.n_hubs
        best = _travel_of(inst, chosen)
        best_short = int((chosen == -1).sum())
        for _ in range(20):
            if time.perf_counter() >= deadline:
                break
            cluster = np.full(inst.n_schools, -1, dtype=np.int64)
            served = chosen >= 0
            cluster[served] = inst.ph[chosen[served]]
            size = np.bincount(cluster[served], minlength=H)
            pc = cluster[inst.ps]
            sel = np.flatnonzero(pc >= 0)
            key = pc[sel] * H + inst.ph[sel]
            keys, inv = np.unique(key, return_inverse=True)
            sums = np.bincount(inv, inst.pcost[sel])
            counts = np.bincount(inv)
            home, cand = keys // H, keys % H
            whole = counts == size[home]
            current = np.bincount(cluster[served], inst.pcost[chosen[served]], minlength=H)
            gain = current[home] - sums
            ok = whole & (gain > 1e-9) & ~open_mask[cand] & ~inst.fixed[home]
            moved = open_mask.copy()
            taken: set[int] = set()
            for k in np.flatnonzero(ok)[np.argsort(-gain[ok])].tolist():
                j, h = int(home[k]), int(cand[k])
                if moved[j] and not moved[h] and h not in taken and j not in taken:
                    moved[j], moved[h] = False, True
                    taken.update((j, h))
            if not taken:
                break
            trial = _exact_assignment(inst, moved, None)
            short, travel = int((trial == -1).sum()), _travel_of(inst, trial)
            if short > best_short or (short == best_short and travel >= best - 1e-9):
                break
            open_mask, chosen, best, best_short = moved, trial, travel, short
        return open_mask, chosen


def _warm_budget(request: NetworkRequest) -> float:
    return min(_WARM_MAX_S, request.time_limit_s * _WARM_SHARE)


def _warm_start(inst: _Instance, deadline: float) -> tuple[BoolArray, IntArray]:
    """Greedy, swap local search, a repair for schools left without a place (allowed a
    few seconds beyond ``deadline``), then location-allocation rounds; the assignment of
    the result is exact (as many schools as possible get a place, then least travel)."""
    heur = _Heuristic(inst)
    open_mask = heur.local_search(heur.greedy(), deadline)
    chosen = _exact_assignment(inst, open_mask, None)
    if int((chosen != -1).sum()) < _capacity_bound(inst):
        open_mask, chosen = heur.repair(open_mask, chosen, deadline + 5.0)
    return heur.relocate(open_mask, chosen, deadline)


# --- Results ------------------------------------------------------------------------------


def _travel_of(inst: _Instance, chosen: IntArray) -> float:
    pairs = chosen[chosen >= 0]
    return float(inst.pcost[pairs].sum())


def _warm_vector(
    inst: _Instance, mip: NetworkMip, open_mask: BoolArray, chosen: IntArray
) -> FloatArray:
    v = np.zeros(mip.num_col)
    v[: inst.n_hubs] = open_mask.astype(np.float64)
    pairs = chosen[chosen >= 0]
    v[inst.n_hubs + pairs] = 1.0
    if mip.n_slack:
        v[inst.n_hubs + inst.n_pairs + np.flatnonzero(chosen == -1)] = 1.0
    return v


def _no_room(inst: _Instance, open_mask: BoolArray, s: int) -> Unserved:
    """Why a reachable school got no place."""
    sites = inst.request.sites
    code = sites[int(inst.school[s])].code
    mine = np.flatnonzero(inst.ps == s)
    chosen = mine[open_mask[inst.ph[mine]]]
    if len(chosen):
        k = chosen[np.argmin(inst.pkm[chosen])]
        near, km = sites[int(inst.hub[inst.ph[k]])].code, float(inst.pkm[k])
        room = f" ({inst.cap} magnets each)" if inst.cap is not None else ""
        reason = (
            f"no place left: the {len(chosen)} chosen hubs within reach are full{room}; "
            f"nearest chosen hub: {near} at {km:.0f} km"
        )
        return Unserved(code, reason, "no_room", near, round(km, 1))
    if len(mine):
        k = mine[np.argmin(inst.pkm[mine])]
        near, km = sites[int(inst.hub[inst.ph[k]])].code, float(inst.pkm[k])
        reason = (
            f"no place left: none of the chosen hubs is within reach; the nearest eligible "
            f"hub within reach, {near} at {km:.0f} km, was not chosen"
        )
        if inst.request.hubs is not None:
            reason += f" (the number of hubs is {inst.request.hubs})"
        return Unserved(code, reason, "no_room", near, round(km, 1))
    reason = "no place left: it could only serve itself as a hub, and it was not chosen"
    return Unserved(code, reason, "no_room")


def _result(
    inst: _Instance,
    status: str,
    open_mask: BoolArray,
    chosen: IntArray,
    bound: float,
    t0: float,
    messages: list[str],
    shortfall: int,
    warm_objective: float | None,
    mip: NetworkMip | None,
) -> NetworkResult:
    sites = inst.request.sites
    travel = _travel_of(inst, chosen)
    objective = travel + inst.open_cost * float(open_mask.sum())
    assignments: list[Assignment] = []
    for s, k in enumerate(chosen.tolist()):
        code = sites[int(inst.school[s])].code
        if k >= 0:
            minutes = float(inst.pmin[k]) if inst.request.travel_minutes is not None else None
            hub = sites[int(inst.hub[inst.ph[k]])].code
            assignments.append(Assignment(code, hub, round(float(inst.pkm[k]), 3), minutes))
        elif k == -2:
            minutes0 = 0.0 if inst.request.travel_minutes is not None else None
            assignments.append(Assignment(code, code, 0.0, minutes0))
    unserved = list(inst.unserved)
    unserved += [_no_room(inst, open_mask, s) for s in np.flatnonzero(chosen == -1).tolist()]
    # Costs are never negative, so 0 is a valid bound when HiGHS has none (-inf).
    bound = max(0.0, min(bound, objective)) if not math.isnan(bound) else 0.0
    gap = 0.0 if objective <= 1e-9 else max(0.0, (objective - bound) / abs(objective))
    hubs = tuple(sorted(sites[int(i)].code for i in inst.hub[open_mask]))
    return NetworkResult(
        status=status,
        hubs=hubs,
        assignments=tuple(sorted(assignments, key=lambda a: a.magnet)),
        unserved=tuple(sorted(unserved, key=lambda u: u.school)),
        objective=objective,
        bound=bound,
        gap=gap,
        seconds=time.perf_counter() - t0,
        messages=tuple(inst.messages + messages),
        travel=travel,
        shortfall=shortfall,
        warm_start_objective=warm_objective,
        variables=mip.num_col if mip is not None else 0,
        constraints=mip.num_row if mip is not None else 0,
    )


def _infeasible(inst: _Instance, t0: float, message: str) -> NetworkResult:
    """No design at all; the figures are 0 (finite, so the result stores as JSON)."""
    return NetworkResult(
        status="infeasible",
        hubs=(),
        assignments=(),
        unserved=tuple(inst.unserved),
        objective=0.0,
        bound=0.0,
        gap=0.0,
        seconds=time.perf_counter() - t0,
        messages=(*inst.messages, message),
    )


def _count_problem(inst: _Instance) -> str | None:
    """A hub count that no choice of hubs can meet (said in plain words), else None."""
    p, H, n_fixed = inst.request.hubs, inst.n_hubs, int(inst.fixed.sum())
    if p is not None and p > H:
        return f"{p} hubs were asked for but only {H} schools are eligible to be a hub."
    if p is not None and n_fixed > p:
        return f"{n_fixed} hubs are fixed (kept open) but only {p} hubs were asked for."
    return None


def _served_upper_bound(inst: _Instance, time_limit: float) -> int:
    """Most schools any choice of hubs can serve: the LP relaxation of phase 1, rounded."""
    mip = _build_mip(inst, None, phase1=True)
    run = _run_highs(mip, time_limit, 0.0, lp_only=True)
    if run.values is None:
        return inst.n_schools
    return inst.n_schools - math.ceil(run.objective - 1e-6)


def _shortfall_message(inst: _Instance, served: int, proven: bool) -> str:
    S, p, cap = inst.n_schools, inst.request.hubs, inst.cap
    short = S - served
    text = (
        f"{short} of the {S} schools that can reach a hub cannot fit: at most {served} can be "
        "given a place"
    )
    if cap is not None and p is not None:
        text += f" ({p} hubs x {cap} magnets = {p * cap} places"
        if (inst.self_hub >= 0).any():
            text += ", plus hubs that serve themselves"
        text += ")"
    elif cap is not None:
        text += f" (at most {cap} magnets per hub)"
    elif p is not None:
        text += f" ({p} hubs cannot reach them all)"
    if not proven:
        text += "; the time limit did not allow proving that no more fit"
    return text + "."


def _highs_error(run: _HighsRun) -> str:
    return f"the solver stopped without a solution ({run.status})"


def _capacity_bound(inst: _Instance) -> int:
    """A quick upper bound on the schools that can get a place: places of the hubs (at most
    max_magnets, at most the schools in reach, plus one if the hub serves itself), the
    largest ``hubs`` of them when the count is fixed."""
    S = inst.n_schools
    if inst.cap is None:
        return S
    degree = np.bincount(inst.ph, minlength=inst.n_hubs)
    places = np.minimum(degree, inst.cap)
    own = inst.self_hub[inst.self_hub >= 0]
    places[own] += 1
    p = inst.request.hubs
    if p is None:
        return int(min(S, places.sum()))
    fixed = places[inst.fixed]
    others = np.sort(places[~inst.fixed])[::-1][: max(0, p - len(fixed))]
    return int(min(S, fixed.sum() + others.sum()))


def _most_served(
    inst: _Instance, open_h: BoolArray, chosen_h: IntArray, deadline: float
) -> tuple[int, bool, BoolArray, IntArray]:
    """Phase 1: the most schools that can get a place, whether that is proven, and a design
    serving that many. The heuristic's count is proven when it meets the LP bound;
    otherwise a MIP maximising the schools served gets half the remaining time."""
    served = int((chosen_h != -1).sum())
    upper = min(
        _capacity_bound(inst), _served_upper_bound(inst, max(1.0, deadline - time.perf_counter()))
    )
    if served >= upper:
        return served, True, open_h, chosen_h
    mip1 = _build_mip(inst, None, phase1=True)
    warm1 = _warm_vector(inst, mip1, open_h, chosen_h)
    run1 = _solve(mip1, max(1.0, (deadline - time.perf_counter()) / 2), 0.0, warm1)
    if run1.values is not None:
        found = inst.n_schools - round(run1.objective)
        if found > served:
            served = found
            open_h = run1.values[: inst.n_hubs] > 0.5
            chosen_h = _exact_assignment(inst, open_h, inst.n_schools - served)
    return served, run1.status == "optimal" or served >= upper, open_h, chosen_h


def _finish(
    inst: _Instance,
    run: _HighsRun,
    mip: NetworkMip,
    max_unserved: int | None,
    t0: float,
    messages: list[str],
    warm_obj: float | None,
) -> NetworkResult:
    """Read HiGHS's design; make the assignment single-sourced if it is not already."""
    assert run.values is not None
    open_mask = run.values[: inst.n_hubs] > 0.5
    x = run.values[inst.n_hubs : inst.n_hubs + inst.n_pairs]
    chosen = _assignment_from_x(inst, open_mask, x, inst.ps, inst.ph)
    if chosen is None or (chosen == -1).sum() > (max_unserved or 0):
        chosen = _exact_assignment(inst, open_mask, max_unserved)
    status = "optimal" if run.status == "optimal" else "time_limit"
    if not inst.request.warm_start:
        warm_obj = None
    return _result(
        inst, status, open_mask, chosen, run.bound, t0, messages,
        max_unserved or 0, warm_obj, mip,
    )  # fmt: skip


def _if(flag: bool, warm: FloatArray | None) -> FloatArray | None:
    return warm if flag else None


def design_network(request: NetworkRequest) -> NetworkResult:
    """Solve the design; see the module docstring for the invariants."""
    t0 = time.perf_counter()
    inst = _prepare(request)
    deadline = t0 + request.time_limit_s
    problem = _count_problem(inst)
    if problem is not None:
        return _infeasible(inst, t0, problem)
    if inst.n_hubs == 0:  # then no school is reachable either
        return _result(
            inst, "optimal", inst.fixed, np.zeros(0, np.int64), 0.0, t0, [], 0, None, None
        )

    # Warm start: greedy + swap + relocation (a twelfth of the time, at most 10 s).
    if request.warm_start:
        open_h, chosen_h = _warm_start(inst, t0 + _warm_budget(request))
    else:  # the greedy alone, to count the schools that fit; HiGHS does not get it
        open_h = _Heuristic(inst).greedy()
        chosen_h = _exact_assignment(inst, open_h, None)
    warm_obj = _travel_of(inst, chosen_h) + inst.open_cost * float(open_h.sum())
    short_h = int((chosen_h == -1).sum())
    messages: list[str] = []

    def remaining() -> float:
        return max(0.5, deadline - time.perf_counter())

    # Every school that can reach a hub gets a place, unless that is impossible.
    if short_h == 0 or _capacity_bound(inst) >= inst.n_schools:
        mip = _build_mip(inst, None)
        warm = _warm_vector(inst, mip, open_h, chosen_h) if short_h == 0 else None
        run = _solve(mip, remaining(), request.mip_rel_gap, _if(request.warm_start, warm))
        if run.values is not None:
            return _finish(inst, run, mip, None, t0, messages, warm_obj)
        if run.status != "infeasible":
            messages.append(
                f"{_highs_error(run)}; showing the greedy + swap design, which leaves "
                f"{short_h} schools without a place"
            )
            return _result(
                inst, "time_limit", open_h, chosen_h, 0.0, t0, messages, short_h, warm_obj, mip
            )

    # Not every school fits: phase 1 (most served), then phase 2 (least travel).
    served, proven, open_h, chosen_h = _most_served(inst, open_h, chosen_h, deadline)
    warm_obj = _travel_of(inst, chosen_h) + inst.open_cost * float(open_h.sum())
    max_unserved = inst.n_schools - served
    messages.append(_shortfall_message(inst, served, proven))
    mip = _build_mip(inst, max_unserved)
    warm = _warm_vector(inst, mip, open_h, chosen_h)
    run = _solve(mip, remaining(), request.mip_rel_gap, _if(request.warm_start, warm))
    if run.values is None:
        if run.status == "infeasible":  # pragma: no cover - phase 1 found a design
            return _infeasible(inst, t0, "no choice of hubs meets every constraint")
        messages.append(_highs_error(run) + "; showing the greedy + swap design")
        return _result(
            inst, "time_limit", open_h, chosen_h, 0.0, t0, messages,
            max_unserved, warm_obj, mip,
        )  # fmt: skip
    return _finish(inst, run, mip, max_unserved, t0, messages, warm_obj)


def heuristic_network(request: NetworkRequest, time_limit_s: float | None = None) -> NetworkResult:
    """The greedy + swap local search alone (no MIP): status "heuristic", bound 0 (the
    trivial bound: travel is never negative). The benchmark's peer; also a quick preview.
    The final assignment for the chosen hubs is exact (serves as many as possible)."""
    t0 = time.perf_counter()
    inst = _prepare(request)
    problem = _count_problem(inst)
    if problem is not None:
        return _infeasible(inst, t0, problem)
    limit = request.time_limit_s if time_limit_s is None else time_limit_s
    open_mask, chosen = _warm_start(inst, t0 + limit)
    short = int((chosen == -1).sum())
    messages = [f"{short} schools that can reach a hub got no place."] if short else []
    return _result(inst, "heuristic", open_mask, chosen, 0.0, t0, messages, short, None, None)


def build_network_mip(request: NetworkRequest) -> NetworkMip:
    """The final MIP :func:`design_network` hands to HiGHS (after the same phase 1 when not
    every school fits), for solving with another solver (the benchmark's SCIP run)."""
    inst = _prepare(request)
    deadline = time.perf_counter() + request.time_limit_s
    open_h, chosen_h = _warm_start(inst, time.perf_counter() + _warm_budget(request))
    if int((chosen_h == -1).sum()) == 0:
        return _build_mip(inst, None)
    if _capacity_bound(inst) >= inst.n_schools:
        strict = _build_mip(inst, None)
        if _run_highs(strict, request.time_limit_s, 0.0, lp_only=True).status != "infeasible":
            return strict  # the LP is feasible: HiGHS would have been given this model
    served, _, _, _ = _most_served(inst, open_h, chosen_h, deadline)
    return _build_mip(inst, inst.n_schools - served)


def sites_summary(sites: Sequence[Site]) -> dict[str, int]:
    """Counts for logs and the benchmark: sites, schools to serve, candidates, fixed hubs."""
    return {
        "sites": len(sites),
        "to_serve": sum(s.must_be_served for s in sites),
        "candidates": sum(s.can_be_hub or s.fixed_hub for s in sites),
        "fixed": sum(s.fixed_hub for s in sites),
    }
