"""Scaffolding: ``auyl timetable solve`` (replaced by the engine's real command)."""

from __future__ import annotations

import argparse


def add_solve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fet", required=True, help="a FET .fet file")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="write the timetable (.fet, CSV, iCalendar) here")
    parser.add_argument("--strict", action="store_true", help="refuse unsupported constraints")


def solve_command(args: argparse.Namespace) -> int:
    raise SystemExit("auyl timetable solve: not built yet")
