"""The ``auyl`` command.

    auyl demo   [--port N] [--host H] [--data-dir DIR] [--no-serve] [--schools N] [--seed N]
    auyl serve  [--port N] [--host H] [--data-dir DIR] [--threads N]
    auyl worker [--data-dir DIR]          # a Huey consumer, for AUYL_TASKS=redis
    auyl manage [--data-dir DIR] ARGS...  # Django's own commands
    auyl plan equipment --budget KZT [--years N] [--out plan.xlsx] [--data-dir DIR]
    auyl network design [...]             # an optimal hub network
    auyl timetable solve --fet FILE [--time-limit S] [--seed N] [--out DIR] [--strict]
    auyl timetable cluster [--hub CODE] [--time-limit S] [--data-dir DIR]
    auyl irt fit --responses FILE.csv --model {rasch,2pl} [--out result.json]

The data directory is ``--data-dir``, else ``$AUYL_DATA_DIR``, else the default in
:mod:`auyl.paths`. Later issues add one subcommand per engine.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path


def _setup_django(data_dir: str | None, mode: str | None = None) -> None:
    if data_dir:
        os.environ["AUYL_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    if mode:
        os.environ.setdefault("AUYL_MODE", mode)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "auyl.settings")
    import django

    django.setup()


def _prepare_database_and_static() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def register_tasks() -> None:
    """Import every app's ``tasks`` module, as Huey's own ``run_huey`` (``auyl worker``)
    does: a task queued by another process (``auyl demo --no-serve``, or before a restart)
    is otherwise unknown to this process's consumer, which then drops it with an error."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")


def _start_embedded_consumer() -> None:
    """Run Huey's consumer in threads of this process (AUYL_TASKS=embedded)."""
    from django.conf import settings

    if settings.TASKS_BACKEND != "embedded":
        return
    from huey.contrib.djhuey import HUEY

    register_tasks()
    consumer = HUEY.create_consumer(workers=2, worker_type="thread", periodic=False)
    # The consumer's own signal handlers only work in the main thread: skip them.
    consumer._set_signal_handlers = lambda: None
    threading.Thread(target=consumer.run, name="auyl-tasks", daemon=True).start()


def _serve(host: str, port: int, threads: int) -> None:
    from waitress import serve

    from auyl.wsgi import application

    _start_embedded_consumer()
    print(f"Auyl is running at http://{host}:{port}/  (Ctrl+C stops it)", flush=True)
    serve(application, host=host, port=port, threads=threads, ident="auyl")


def cmd_demo(args: argparse.Namespace) -> int:
    _setup_django(args.data_dir, "demo")
    from django.conf import settings

    from auyl.demo.loader import demo_accounts_table, ensure_demo_region

    _prepare_database_and_static()
    try:
        created = ensure_demo_region(seed=args.seed, schools=args.schools, progress=print)
    except ValueError as error:  # e.g. --schools below the Aktobe region's 424
        print(f"auyl demo: {error}", file=sys.stderr)
        return 2
    print(("Built" if created else "Found") + f" the demo region in {settings.DATA_DIR}")
    print(demo_accounts_table())
    if args.no_serve:
        return 0
    _serve(args.host, args.port, args.threads)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _setup_django(args.data_dir, "serve")
    _prepare_database_and_static()
    _serve(args.host, args.port, args.threads)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _setup_django(args.data_dir)
    from django.core.management import call_command

    call_command("run_huey")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _setup_django(args.data_dir)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["auyl manage", *args.rest])
    return 0


def cmd_network(args: argparse.Namespace) -> int:
    _setup_django(args.data_dir)
    from auyl.network.commands import network_design

    return network_design(args)


def cmd_plan_equipment(args: argparse.Namespace) -> int:
    _setup_django(args.data_dir)
    from auyl.equipment.commands import plan_equipment

    return plan_equipment(args)


def cmd_timetable_solve(args: argparse.Namespace) -> int:
    from auyl.engines.timetabling.cli import solve_command

    return solve_command(args)


def cmd_timetable_cluster(args: argparse.Namespace) -> int:
    _setup_django(args.data_dir)
    from auyl.timetable.commands import cluster_command

    return cluster_command(args)


def cmd_irt_fit(args: argparse.Namespace) -> int:
    from auyl.engines.irt.cli import fit_command

    return fit_command(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="auyl", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, web: bool = False) -> None:
        p.add_argument("--data-dir", help="where the database and uploads live")
        if web:
            p.add_argument("--host", default="127.0.0.1")
            p.add_argument("--port", type=int, default=8000)
            p.add_argument("--threads", type=int, default=8)

    demo = sub.add_parser("demo", help="build the Aktobe demo region and serve it")
    common(demo, web=True)
    demo.add_argument("--no-serve", action="store_true", help="build the data, then exit")
    demo.add_argument("--seed", type=int, default=2024)
    demo.add_argument(
        "--schools", type=int, default=None, help="generate N schools (7700: national scale)"
    )
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="serve Auyl with a production server (waitress)")
    common(serve, web=True)
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run a background-task worker (AUYL_TASKS=redis)")
    common(worker)
    worker.set_defaults(func=cmd_worker)

    network = sub.add_parser("network", help="the hub network of the loaded region")
    network_sub = network.add_subparsers(dest="network_command", required=True)
    network_design = network_sub.add_parser(
        "design", help="compute an optimal hub network; print one JSON line"
    )
    common(network_design)
    from auyl.network.cli_args import add_arguments as network_design_arguments

    network_design_arguments(network_design)
    network_design.set_defaults(func=cmd_network)

    plan = sub.add_parser("plan", help="plans for the loaded region")
    plan_sub = plan.add_subparsers(dest="plan_command", required=True)
    plan_equipment = plan_sub.add_parser(
        "equipment", help="the equipment plan for a budget; print one JSON line"
    )
    common(plan_equipment)
    from auyl.equipment.commands import add_arguments as plan_equipment_arguments

    plan_equipment_arguments(plan_equipment)
    plan_equipment.set_defaults(func=cmd_plan_equipment)

    timetable = sub.add_parser("timetable", help="school and cluster timetables")
    timetable_sub = timetable.add_subparsers(dest="timetable_command", required=True)
    timetable_solve = timetable_sub.add_parser(
        "solve", help="solve a FET file with the CP-SAT engine; print one JSON line"
    )
    from auyl.engines.timetabling.cli import add_solve_arguments

    add_solve_arguments(timetable_solve)
    timetable_solve.set_defaults(func=cmd_timetable_solve)
    timetable_cluster = timetable_sub.add_parser(
        "cluster", help="timetable the clusters of the loaded region; print one JSON line"
    )
    common(timetable_cluster)
    from auyl.timetable.cli_args import add_arguments as timetable_cluster_arguments

    timetable_cluster_arguments(timetable_cluster)
    timetable_cluster.set_defaults(func=cmd_timetable_cluster)

    irt = sub.add_parser("irt", help="item response theory")
    irt_sub = irt.add_subparsers(dest="irt_command", required=True)
    irt_fit = irt_sub.add_parser("fit", help="fit Rasch or 2PL to a response CSV; print JSON")
    from auyl.engines.irt.cli import add_fit_arguments

    add_fit_arguments(irt_fit)
    irt_fit.set_defaults(func=cmd_irt_fit)

    manage = sub.add_parser("manage", help="run a Django management command")
    common(manage)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
