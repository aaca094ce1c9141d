"""The arguments of ``auyl network design`` (no Django import: the parser is built before
Django is set up). The command itself is :func:`auyl.network.commands.network_design`."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hubs", type=int, help="number of hubs (default: as many as needed)")
    parser.add_argument("--max-km", type=float, help="longest road distance to the hub")
    parser.add_argument("--max-magnets", type=int, help="at most this many magnets per hub")
    parser.add_argument("--out", help="write the proposed network to this CSV file")
    parser.add_argument("--road-factor", type=float, default=1.3)
    parser.add_argument("--keep-hubs", action="store_true", help="keep the existing hubs open")
    parser.add_argument(
        "--hub-open-cost",
        type=float,
        default=20000.0,
        help="pupil-km a new hub must save (when --hubs is not given)",
    )
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds")
