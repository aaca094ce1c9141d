"""Scaffolding: ``auyl irt fit`` (replaced by the engine's real command)."""

from __future__ import annotations

import argparse


def add_fit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--responses", required=True, help="CSV: person id, then one column per item"
    )
    parser.add_argument("--model", choices=["rasch", "2pl"], default="2pl")
    parser.add_argument("--out", help="write the full result as JSON here")


def fit_command(args: argparse.Namespace) -> int:
    raise SystemExit("auyl irt fit: not built yet")
