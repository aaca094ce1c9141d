"""``auyl irt fit --responses FILE.csv --model {rasch,2pl} [--out result.json]`` run as a
separate process: one JSON summary line on stdout, the full result in --out, warnings on
stderr, and bad input ending with a message and exit code 2 but no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from auyl.engines.irt import simulate


def run_fit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auyl.cli", "irt", "fit", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def responses(tmp_path_factory: pytest.TempPathFactory) -> Path:
    matrix, _ = simulate(800, 12, seed=51, missing=0.1)
    frame = pd.DataFrame(matrix.scores, columns=list(matrix.item_ids))
    frame.insert(0, "pupil", list(matrix.person_ids))
    frame["ALLRIGHT"] = 1
    path = tmp_path_factory.mktemp("irt") / "responses.csv"
    frame.to_csv(path, index=False, float_format="%.0f")
    return path


@pytest.mark.parametrize("model", ["2pl", "rasch"])
def test_fit_writes_the_result_and_prints_one_summary_line(
    responses: Path, tmp_path: Path, model: str
) -> None:
    out = tmp_path / "result.json"
    done = run_fit("--responses", str(responses), "--model", model, "--out", str(out))
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.strip().splitlines()
    summary = json.loads(line)
    assert summary["model"] == model and summary["n_persons"] == 800
    result = json.loads(out.read_text())
    assert set(result) >= {"model", "items", "theta_sd", "loglik", "n_persons", "seconds"}
    assert set(result) >= {"warnings", "iterations", "converged"}
    assert len(result["items"]) == 12 and set(result["items"]["Q01"]) == {"a", "b"}
    assert np.isfinite([v for item in result["items"].values() for v in item.values()]).all()
    if model == "rasch":
        assert {item["a"] for item in result["items"].values()} == {1.0}
        assert result["theta_sd"] > 0
    else:
        assert result["theta_sd"] == 1.0


def test_a_dropped_item_is_listed_in_the_result_and_on_stderr(
    responses: Path, tmp_path: Path
) -> None:
    out = tmp_path / "result.json"
    done = run_fit("--responses", str(responses), "--out", str(out))
    assert "ALLRIGHT" in done.stderr
    codes = [w["code"] for w in json.loads(out.read_text())["warnings"]]
    assert codes == ["item_all_correct"]


@pytest.mark.parametrize(
    ("text", "message"),
    [("id,Q1,Q1\nA,1,0\n", "repeated"), ("id,Q1\nA,1\nB,1\n", "no item can be estimated")],
)
def test_bad_input_ends_with_a_message_and_exit_code_2(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    done = run_fit("--responses", str(path))
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_a_missing_file_ends_with_a_message_and_exit_code_2(tmp_path: Path) -> None:
    done = run_fit("--responses", str(tmp_path / "none.csv"))
    assert done.returncode == 2 and "no such file" in done.stderr
