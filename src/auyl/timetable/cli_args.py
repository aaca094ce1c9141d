"""Arguments of ``auyl timetable cluster`` (no Django import)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hub", help="only the cluster of this hub school (code)")
    parser.add_argument(
        "--time-limit", type=float, default=180.0, help="seconds per cluster (default 180)"
    )
    parser.add_argument("--seed", type=int, default=0)
