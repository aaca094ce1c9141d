"""The background-task switch (settings ``AUYL_TASKS``) and each backend running a real job.

- immediate: the task runs inline in ``job_start`` (what the rest of the suite uses);
- embedded: a SqliteHuey queue in a file, drained by a Huey consumer thread;
- redis: a RedisHuey on a throwaway ``redis-server``, drained by a consumer thread.

Every backend runs the same code: :func:`auyl.jobs.tasks.ping` inside ``job_running`` with
``job_progress``; the embedded and redis tests start the job through ``job_start`` with a
non-immediate queue, so the job is enqueued on commit exactly as in production.
"""

from __future__ import annotations

import os
import runpy
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from huey import RedisHuey, SqliteHuey
from huey.api import Huey
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR
from huey.utils import load_class

from auyl.jobs.models import Job
from auyl.jobs.services import job_start
from auyl.jobs.tasks import ping, ping_task

SETTINGS_FILE = Path(__file__).resolve().parents[1] / "src" / "auyl" / "settings.py"


# --- the switch ---------------------------------------------------------------------------


def _settings_for(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tasks: str) -> dict[str, Any]:
    """Evaluate settings.py afresh with AUYL_TASKS=tasks (outside test mode)."""
    monkeypatch.setenv("AUYL_TASKS", tasks)
    monkeypatch.setenv("AUYL_MODE", "demo")
    monkeypatch.setenv("AUYL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AUYL_REDIS_URL", "redis://127.0.0.1:6390/3")
    return runpy.run_path(str(SETTINGS_FILE))


def _huey_from(config: dict[str, Any]) -> Huey:
    """Build the Huey instance the way huey.contrib.djhuey does from settings.HUEY."""
    config = dict(config)
    cls = load_class(config.pop("huey_class"))
    config.pop("consumer", None)
    return cls(config.pop("name"), **config)


def test_tasks_switch_embedded_is_a_sqlite_queue_in_the_data_dir(monkeypatch, tmp_path):
    settings = _settings_for(monkeypatch, tmp_path, "embedded")
    assert settings["TASKS_BACKEND"] == "embedded"
    huey = _huey_from(settings["HUEY"])
    assert isinstance(huey, SqliteHuey)
    assert not huey.immediate
    assert Path(huey.storage.filename) == tmp_path.resolve() / "tasks.sqlite3"


def test_tasks_switch_redis_uses_the_configured_url(monkeypatch, tmp_path):
    settings = _settings_for(monkeypatch, tmp_path, "redis")
    huey = _huey_from(settings["HUEY"])
    assert isinstance(huey, RedisHuey)
    assert not huey.immediate
    kwargs = huey.storage.conn.connection_pool.connection_kwargs
    assert (kwargs["port"], kwargs["db"]) == (6390, 3)


def test_tasks_switch_immediate_and_the_default_in_tests(monkeypatch, tmp_path):
    settings = _settings_for(monkeypatch, tmp_path, "immediate")
    assert _huey_from(settings["HUEY"]).immediate
    monkeypatch.delenv("AUYL_TASKS")
    monkeypatch.setenv("AUYL_MODE", "test")
    assert runpy.run_path(str(SETTINGS_FILE))["TASKS_BACKEND"] == "immediate"


def test_tasks_switch_rejects_an_unknown_backend(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="AUYL_TASKS"):
        _settings_for(monkeypatch, tmp_path, "celery")


# --- immediate ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_immediate_mode_runs_the_job_inline():
    job = job_start(kind="ping", by=None, params={"n": 250}, task=ping_task)
    assert job.state == Job.State.DONE
    assert job.result == {"counted": 250, "thread": threading.current_thread().name}
    assert job.total == 250
    assert job.percent == 100
    assert job.finished_at is not None
    assert job.error == ""


@pytest.mark.django_db
def test_immediate_mode_records_a_failure():
    job = job_start(kind="ping", by=None, params={"n": 10, "fail_at": 4}, task=ping_task)
    assert job.state == Job.State.FAILED
    assert "PingFailed: asked to fail at 4" in job.error
    assert job.result is None
    assert (job.done, job.total) == (3, 10)  # the progress it had made
    assert job.finished_at is not None


# --- queued backends, drained by a consumer thread ---------------------------------------


def _closing_connections(fn: Callable[[str], None]) -> Callable[[str], None]:
    """Run fn, then close this (worker) thread's database connections, as db_task would."""

    def run(job_id: str) -> None:
        try:
            fn(job_id)
        finally:
            connections.close_all()

    return run


@contextmanager
def _consumer_thread(huey: Huey) -> Iterator[threading.Event]:
    """Run a Huey consumer with one worker thread; yields an Event set when a task ends."""
    finished = threading.Event()

    @huey.signal(SIGNAL_COMPLETE, SIGNAL_ERROR)
    def _ended(signal: str, task: Any, *args: Any) -> None:
        finished.set()

    consumer = huey.create_consumer(
        workers=1,
        worker_type="thread",
        periodic=False,
        initial_delay=0.05,
        backoff=1.0,
        max_delay=0.05,
        check_worker_health=False,
        shutdown_timeout=10,
    )
    consumer._set_signal_handlers = lambda: None  # signal handlers need the main thread
    consumer.start()
    try:
        yield finished
    finally:
        consumer.stop(graceful=True)


def _run_queued_job(huey: Huey, settings: Any, n: int) -> Job:
    task = huey.task(name="auyl.ping")(_closing_connections(ping))
    settings.HUEY = {**settings.HUEY, "immediate": False}
    with _consumer_thread(huey) as finished:
        job = job_start(kind="ping", by=None, params={"n": n}, task=task)
        assert finished.wait(timeout=60), "the consumer did not run the task within 60 s"
    job.refresh_from_db()
    return job


@pytest.mark.django_db(transaction=True)
def test_embedded_mode_runs_the_job_in_a_consumer_thread(tmp_path, settings):
    huey = SqliteHuey("auyl-test", filename=str(tmp_path / "tasks.sqlite3"))
    job = _run_queued_job(huey, settings, n=300)
    assert job.state == Job.State.DONE, job.error
    assert job.result["counted"] == 300
    assert job.result["thread"] != threading.current_thread().name
    assert job.total == 300
    assert huey.pending_count() == 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[int]:
    """A throwaway redis-server on a free loopback port; yields the port."""
    exe = shutil.which("redis-server")
    if exe is None:
        reason = "redis-server is not on the PATH (apt-get install redis-server; .ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must test the redis backend: {reason}")
        pytest.skip(reason)
    import redis

    port = _free_port()
    log = (tmp_path / "redis.log").open("w")
    proc = subprocess.Popen(
        [
            *(exe, "--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", str(tmp_path)),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"redis-server did not start: {(tmp_path / 'redis.log').read_text()}"
                    )
                time.sleep(0.05)
        client.close()
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_redis_mode_runs_the_job_in_a_consumer_thread(redis_server, settings):
    huey = RedisHuey(f"auyl-test-{uuid.uuid4().hex[:8]}", host="127.0.0.1", port=redis_server)
    job = _run_queued_job(huey, settings, n=120)
    assert job.state == Job.State.DONE, job.error
    assert job.result["counted"] == 120
    assert job.result["thread"] != threading.current_thread().name
    assert job.total == 120
    assert huey.pending_count() == 0
    huey.storage.conn.close()
