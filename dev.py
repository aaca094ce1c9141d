#!/usr/bin/env python3
"""Auyl's developer commands. Needs only Python 3.11+ and access to PyPI.

    python3 dev.py demo [ARGS...]        set up .venv, then run `auyl demo ARGS...`
    python3 dev.py test [PYTEST ARGS...]  set up .venv, then run every check and the tests:
                                         ruff check, ruff format --check, lint-imports,
                                         mypy src, pytest (-n auto unless you pass -n)
    python3 dev.py test --pytest-only [PYTEST ARGS...]   only the tests
    python3 dev.py lock [UV ARGS...]     regenerate requirements.lock from pyproject.toml
    python3 dev.py messages              refresh the kk/ru/en catalogs from the code and
                                         compile them (needs gettext's msgfmt)
    python3 dev.py setup                 only create or refresh .venv
    python3 dev.py help                  this text

Set-up: `.venv` is created with `python -m venv` if it is missing; the pinned dependencies
are installed from requirements.lock (hash-checked) and Auyl itself in editable mode
whenever requirements.lock or pyproject.toml changed since the last install (a stamp in
.venv remembers). `uv` is used when it is on the PATH or in .venv, pip otherwise; set
AUYL_DEV_INSTALLER=pip to insist on pip.

Tests run on SQLite unless DATABASE_URL is set (for example
postgres://auyl:auyl@127.0.0.1:5432/auyl; the role needs CREATEDB).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
LOCK = ROOT / "requirements.lock"
PYPROJECT = ROOT / "pyproject.toml"
STAMP = VENV / ".auyl-deps.sha256"
LOCK_COMMAND = ["pip", "compile", "pyproject.toml", "--extra", "dev", "--generate-hashes"]
LINT_PATHS = ("src", "tests", "bench", "dev.py")


def say(message: str) -> None:
    print(f"dev.py: {message}", flush=True)


def run(cmd: list[str | Path], **kwargs: Any) -> int:
    return subprocess.call([str(c) for c in cmd], **kwargs)


def shown(cmd: list[str | Path]) -> str:
    return " ".join(
        str(c.relative_to(ROOT)) if isinstance(c, Path) and c.is_relative_to(ROOT) else str(c)
        for c in cmd
    )


def check(cmd: list[str | Path], **kwargs: Any) -> None:
    code = run(cmd, **kwargs)
    if code:
        say(f"failed ({code}): {shown(cmd)}")
        sys.exit(code)


def venv_env() -> dict[str, str]:
    env = dict(os.environ)
    env["VIRTUAL_ENV"] = str(VENV)
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    env.pop("PYTHONHOME", None)
    return env


def venv_works() -> bool:
    if not PY.exists():
        return False
    probe = "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)"
    return run([PY, "-c", probe], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0


def create_venv() -> None:
    if VENV.exists():
        say(f"{VENV} is broken or too old: making it again")
        shutil.rmtree(VENV)
    say(f"creating {VENV} with {sys.executable}")
    code = run([sys.executable, "-m", "venv", VENV])
    if code:
        say("`python -m venv` failed; on Debian/Ubuntu install the python3-venv package")
        sys.exit(code)


def deps_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in (LOCK, PYPROJECT):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(f"{sys.version_info[:2]}".encode())
    return digest.hexdigest()


def find_uv() -> str | None:
    if os.environ.get("AUYL_DEV_INSTALLER") == "pip":
        return None
    in_venv = BIN / ("uv.exe" if os.name == "nt" else "uv")
    if in_venv.exists():
        return str(in_venv)
    return shutil.which("uv")


def check_logged(cmd: list[str | Path], log: Path) -> None:
    """Run cmd with its output appended to log; show the log's end if it fails."""
    with log.open("a") as out:
        out.write(f"\n$ {shown(cmd)}\n")
        out.flush()
        code = run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    if code:
        lines = log.read_text(errors="replace").splitlines()
        print("\n".join(lines[-60:]), file=sys.stderr)
        say(f"failed ({code}): {shown(cmd)}  (whole output in {log})")
        sys.exit(code)


def install_deps() -> None:
    uv = find_uv()
    log = VENV / "install.log"
    log.write_text("")
    started = time.monotonic()
    if uv:
        say(f"installing requirements.lock with {uv}")
        base: list[str | Path] = [uv, "pip", "install", "--python", PY]
    else:
        say("installing requirements.lock with pip (a first install takes a few minutes)")
        base = [PY, "-m", "pip", "install", "--disable-pip-version-check"]
    check_logged([*base, "--require-hashes", "-r", LOCK], log)
    check_logged([*base, "--no-deps", "-e", ROOT], log)
    say(f"dependencies installed in {time.monotonic() - started:.0f}s (log: {log})")


def setup() -> None:
    """Make sure .venv exists and holds what requirements.lock and pyproject.toml ask for."""
    if not venv_works():
        create_venv()
    wanted = deps_fingerprint()
    have = STAMP.read_text().strip() if STAMP.exists() else ""
    if have != wanted:
        install_deps()
        STAMP.write_text(wanted + "\n")


def exec_in_venv(program: str, args: list[str]) -> None:
    exe = BIN / (f"{program}.exe" if os.name == "nt" else program)
    env = venv_env()
    if os.name == "nt":
        sys.exit(run([exe, *args], env=env))
    os.execve(exe, [program, *args], env)


def cmd_demo(args: list[str]) -> int:
    setup()
    exec_in_venv("auyl", ["demo", *args])
    return 0  # not reached


def pytest_command(args: list[str]) -> list[str | Path]:
    cmd: list[str | Path] = [BIN / "pytest"]
    chose_workers = any(
        a in ("-n", "--numprocesses", "no:xdist")
        or a.startswith(("-n", "--numprocesses=", "--dist"))
        for a in args
    )
    if not chose_workers and os.environ.get("AUYL_TEST_WORKERS") != "0":
        cmd += ["-n", os.environ.get("AUYL_TEST_WORKERS", "auto")]
    return [*cmd, *args]


def cmd_test(args: list[str]) -> int:
    pytest_only = False
    if args and args[0] == "--pytest-only":
        pytest_only, args = True, args[1:]
    setup()
    env = venv_env()
    # Tools that import the settings (mypy's Django plugin) must not touch a real data dir.
    checks_env = dict(env)
    checks_env.setdefault("AUYL_DATA_DIR", str(Path(tempfile.gettempdir()) / "auyl-dev-checks"))
    lint_paths = [p for p in LINT_PATHS if (ROOT / p).exists()]
    steps: list[tuple[str, list[str | Path], dict[str, str]]] = []
    if not pytest_only:
        steps += [
            ("ruff check", [BIN / "ruff", "check", *lint_paths], env),
            ("ruff format", [BIN / "ruff", "format", "--check", *lint_paths], env),
            ("lint-imports", [BIN / "lint-imports", "--no-cache", "--no-logo"], checks_env),
            ("mypy", [BIN / "mypy", "src"], checks_env),
        ]
    steps.append(("pytest", pytest_command(args), env))

    database = (
        "PostgreSQL"
        if env.get("DATABASE_URL", "").startswith("postgres")
        else ("DATABASE_URL" if env.get("DATABASE_URL") else "SQLite")
    )
    results: list[tuple[str, int, float]] = []
    started = time.monotonic()
    for name, cmd, step_env in steps:
        print(f"\n===== dev.py test: {name} =====", flush=True)
        print(f"$ {shown(cmd)}", flush=True)
        t0 = time.monotonic()
        code = run(cmd, cwd=ROOT, env=step_env)
        results.append((name, code, time.monotonic() - t0))

    print("\n===== dev.py test: summary =====", flush=True)
    for name, code, seconds in results:
        verdict = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"  {name:<13} {verdict:<18} {seconds:7.1f}s", flush=True)
    failed = [name for name, code, _ in results if code]
    total = time.monotonic() - started
    if failed:
        print(
            f"dev.py test on {database}: FAILED: {', '.join(failed)} "
            f"({len(results) - len(failed)} of {len(results)} steps ok, {total:.0f}s)",
            flush=True,
        )
        return 1
    print(f"dev.py test on {database}: all {len(results)} steps ok ({total:.0f}s)", flush=True)
    return 0


def cmd_lock(args: list[str]) -> int:
    if not venv_works():
        create_venv()
    uv = find_uv() or shutil.which("uv", path=str(BIN))
    if not uv:
        say("uv is needed to lock: installing it into .venv")
        check([PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "uv"])
        uv = str(BIN / ("uv.exe" if os.name == "nt" else "uv"))
    cmd: list[str | Path] = [uv, *LOCK_COMMAND, "-o", "requirements.lock", *args]
    say(shown(cmd))
    code = run(cmd, cwd=ROOT, env=venv_env(), stdout=subprocess.DEVNULL)
    if code == 0:
        say("requirements.lock written; the next `dev.py test` or `dev.py demo` installs it")
    return code


def cmd_messages(args: list[str]) -> int:
    """Refresh the translation catalogs from the code, then compile them (needs gettext)."""
    setup()
    package = ROOT / "src" / "auyl"
    languages = ["-l", "kk", "-l", "ru", "-l", "en"]
    extract: list[str | Path] = [
        BIN / "auyl",
        "manage",
        "makemessages",
        *languages,
        "--no-obsolete",
        "--ignore",
        "test_settings.py",
    ]
    say(shown(extract))
    code = run(extract, cwd=package, env=venv_env())
    if code:
        return code
    for po in sorted((package / "locale").glob("*/LC_MESSAGES/django.po")):
        compile_cmd: list[str | Path] = ["msgfmt", "--check", "-o", po.with_suffix(".mo"), po]
        code = code or run(compile_cmd)
    say("catalogs updated: translate the new or fuzzy entries, then run this again")
    return code


def cmd_setup(args: list[str]) -> int:
    setup()
    say(f"{VENV} is ready")
    return 0


def cmd_help(args: list[str]) -> int:
    print(__doc__.strip())
    return 0


COMMANDS = {
    "demo": cmd_demo,
    "test": cmd_test,
    "lock": cmd_lock,
    "messages": cmd_messages,
    "setup": cmd_setup,
    "help": cmd_help,
    "-h": cmd_help,
    "--help": cmd_help,
}


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 (this file runs before any venv exists)
        print("dev.py needs Python 3.11 or newer", file=sys.stderr)
        return 2
    if not argv:
        return cmd_help([])
    command = COMMANDS.get(argv[0])
    if command is None:
        print(f"dev.py: unknown command {argv[0]!r}\n", file=sys.stderr)
        cmd_help([])
        return 2
    return command(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
