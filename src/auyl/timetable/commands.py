"""Scaffolding: ``auyl timetable cluster`` (replaced by the app's real command)."""

from __future__ import annotations

import argparse


def cluster_command(args: argparse.Namespace) -> int:
    raise SystemExit("auyl timetable cluster: not built yet")
