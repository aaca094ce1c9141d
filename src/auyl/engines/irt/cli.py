"""``auyl irt fit``: calibrate a response CSV and print/write the result as JSON.

Only the standard library is imported at module level: the main ``auyl`` command imports
this module to build its parser. Errors in the input (missing file, bad header, nothing
estimable) end with a one-line message on stderr and exit code 2, never a traceback. Data
warnings (dropped items or persons, bad cells) are listed in the JSON and echoed on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auyl.engines.irt.data import DataWarning
    from auyl.engines.irt.model import Calibration

EXIT_BAD_INPUT = 2


def add_fit_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``auyl irt fit``."""
    parser.add_argument(
        "--responses", required=True, help="CSV: person id, then one column per item (1/0/empty)"
    )
    parser.add_argument("--model", choices=["rasch", "2pl"], default="2pl")
    parser.add_argument("--out", help="write the full result as JSON here")


def warning_json(warning: DataWarning) -> dict[str, Any]:
    """A warning as a JSON object (only the fields that are set)."""
    fields = {"code": warning.code, "detail": warning.detail}
    extra = {"item": warning.item, "person": warning.person, "row": warning.row}
    return fields | {key: value for key, value in extra.items() if value is not None}


def result_json(cal: Calibration, seconds: float) -> dict[str, Any]:
    """The CLI's result: items with a and b, theta SD, loglik, counts, time, warnings."""
    return {
        "model": cal.model,
        "items": {item.item: {"a": item.a, "b": item.b} for item in cal.items},
        "theta_sd": cal.theta_sd,
        "loglik": cal.loglik,
        "n_persons": cal.n_persons,
        "seconds": round(seconds, 3),
        "iterations": cal.iterations,
        "converged": cal.converged,
        "warnings": [warning_json(w) for w in cal.warnings],
    }


def summary_json(result: dict[str, Any], out: str | None) -> dict[str, Any]:
    """One-line summary: everything but the item table and the warning list."""
    summary = {k: v for k, v in result.items() if k not in ("items", "warnings")}
    return summary | {
        "n_items": len(result["items"]),
        "n_warnings": len(result["warnings"]),
        "out": out,
    }


def fit_command(args: argparse.Namespace) -> int:
    """Run ``auyl irt fit``; returns the exit code."""
    from auyl.engines.irt.estimation import fit  # heavy: numpy, pandas, numba
    from auyl.engines.irt.reading import read_responses_csv

    started = time.perf_counter()
    try:
        matrix, read_warnings = read_responses_csv(args.responses)
        cal = fit(matrix, args.model)
    except (ValueError, OSError, UnicodeDecodeError) as error:
        print(f"auyl irt fit: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:  # pandas' parser errors have several types
        print(f"auyl irt fit: cannot read {args.responses}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    cal = _with_warnings(cal, read_warnings)
    result = result_json(cal, time.perf_counter() - started)
    for warning in cal.warnings:
        print(f"warning: {warning.detail}", file=sys.stderr)
    if args.out:
        try:
            Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            print(f"auyl irt fit: cannot write {args.out}: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
    print(json.dumps(summary_json(result, args.out)))
    return 0


def _with_warnings(cal: Calibration, first: tuple[DataWarning, ...]) -> Calibration:
    return replace(cal, warnings=first + cal.warnings)
