"""``auyl network design``: compute a network for the loaded region from the command line.

Prints one JSON line (objective, gap, hubs, seconds, status, magnets, unserved) and, with
``--out``, writes the proposed network as CSV (the columns of the network export). The
registry is not changed: accepting a design is done on the design page.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from auyl.engines.planning import network as engine
from auyl.network import outputs
from auyl.network.design import SERVE_SMALL, HubRule, build_request, links_of_result, school_facts


def network_design(args: argparse.Namespace) -> int:
    facts = school_facts()
    if not facts:
        print(
            "auyl network design: the registry has no school (run `auyl demo --no-serve`)",
            file=sys.stderr,
        )
        return 2
    params = {
        "hubs": args.hubs,
        "max_km": args.max_km,
        "max_magnets": args.max_magnets,
        "road_factor": args.road_factor,
        "serve": SERVE_SMALL,
        "keep_hubs": args.keep_hubs,
        "time_limit_s": args.time_limit,
        "hub_open_cost": args.hub_open_cost,
        "rule": asdict(HubRule()),
    }
    request = build_request(facts, params)
    result = engine.design_network(request)
    links = links_of_result(facts, result, request.road_factor)
    if args.out:
        rows = [
            (
                link.hub,
                facts[link.hub].name,
                link.magnet,
                facts[link.magnet].name,
                facts[link.magnet].district,
                round(link.km, 1),
                link.pupils,
            )
            for link in sorted(links, key=lambda x: (x.hub, x.magnet))
        ]
        Path(args.out).write_bytes(outputs.write(rows, "csv"))
    line = {
        "objective": round(result.objective, 1),
        "gap": result.gap,
        "hubs": len(result.hubs),
        "seconds": round(result.seconds, 2),
        "status": result.status,
        "magnets": len(links),
        "unserved": len(result.unserved),
    }
    print(json.dumps(line))
    return 0 if result.status in ("optimal", "time_limit") else 1
