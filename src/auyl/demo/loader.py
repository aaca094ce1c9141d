"""Load the generated demo registry into the database, and the demo logins.

``ensure_demo_region`` builds the demo once: if any region marked ``is_demo`` exists it
does nothing. Otherwise it generates the registry (:mod:`auyl.demo.generator`) and writes
it in one transaction with ``bulk_create``, so a failure leaves no half-built region.
Every row of a model with an audit history also gets its "created" history row
(``simple_history``'s ``bulk_create_with_history``; teachers' subjects get their
many-to-many history rows too), all dated at the moment of the build with the change
reason :data:`CHANGE_REASON` and no user.

This is a bulk loader for generated data, which the generator already keeps consistent
(see its invariants); it does not go through ``registry.services``, whose per-row
validation would make the national-scale build take far too long.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from itertools import chain
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone, translation

from auyl.accounts.models import Profile, Role
from auyl.core.db import refresh_planner_statistics
from auyl.demo.generator import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    RegionSpec,
    demo_account_scopes,
    generate_region,
)
from auyl.registry.models import (
    ClassSet,
    DeviceStock,
    District,
    Enrolment,
    Infrastructure,
    Region,
    School,
    Subject,
    Teacher,
    TeachingAssignment,
)

CHANGE_REASON = "demo region generated"

Progress = Callable[[str], Any]


def ensure_demo_region(
    seed: int = 2024, schools: int | None = None, progress: Progress = print
) -> bool:
    """Build the demo region unless one exists; True if this call built it.

    ``schools=None`` builds the Aktobe region (424 schools); a larger number adds synthetic
    regions up to that many schools (7700: the national scale).
    """
    if Region.objects.filter(is_demo=True).exists():
        progress("A demo region already exists: nothing to build.")
        return False
    started = time.perf_counter()
    spec = generate_region(seed=seed, schools=schools)
    s = spec.summary()
    progress(
        f"Generated {s['schools']:,} schools ({s['rural']:,} rural, {s['small']:,} small, "
        f"{s['hubs']} hubs, {s['magnets']} magnets), {s['pupils']:,} pupils and "
        f"{s['teachers']:,} teachers (seed {seed}) in {time.perf_counter() - started:.1f} s"
    )
    with transaction.atomic():
        if Region.objects.filter(is_demo=True).exists():  # built meanwhile by another process
            progress("A demo region already exists: nothing to build.")
            return False
        load_region(spec, progress)
        create_demo_accounts(spec)
        for extension in demo_extensions():
            extension(seed=seed, progress=progress)
        refresh_planner_statistics()
    progress(f"Demo region ready in {time.perf_counter() - started:.1f} s")
    return True


#: Apps that add their own demo data once the registry is loaded: each module has
#: ``load_demo(*, seed: int, progress: Progress) -> None``, run in the same transaction,
#: in this order (later ones may use earlier ones' data).
DEMO_EXTENSION_MODULES = (
    "auyl.readiness.demo",
    "auyl.equipment.demo",
    "auyl.network.demo",
    "auyl.timetable.demo",
    "auyl.monitoring.demo",
)


def demo_extensions() -> list[Callable[..., None]]:
    """The ``load_demo`` functions of the apps that have one."""
    import importlib
    import importlib.util

    found = []
    for name in DEMO_EXTENSION_MODULES:
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name).load_demo)
    return found


def load_region(spec: RegionSpec, progress: Progress = print) -> None:
    """Write ``spec`` to the database. Call inside a transaction."""
    now = timezone.now()
    step = _Stepper(progress)
    tables: list[_Table] = []

    def table(model: type[models.Model], history: bool = False) -> _Table:
        t = _Table(model, history=history, now=now)
        tables.append(t)
        return t

    regions, districts = table(Region), table(District)
    region_id = {
        o.code: regions.add(code=o.code, name_kk=o.name_kk, name_ru=o.name_ru, is_demo=True)
        for o in spec.oblasts
    }
    district_id = {
        d.code: districts.add(
            region_id=region_id[d.region_code],
            code=d.code,
            name_kk=d.name_kk,
            name_ru=d.name_ru,
            name_en=d.name_en,
            centre_lat=d.centre_lat,
            centre_lon=d.centre_lon,
        )
        for d in spec.districts
    }
    schools = table(School, history=True)
    school_id: dict[str, int] = {}
    # Hubs first, so that each magnet's hub exists when the magnet is written.
    for x in sorted(spec.schools, key=lambda x: x.network_role != School.NetworkRole.HUB):
        school_id[x.code] = schools.add(
            code=x.code,
            district_id=district_id[x.district_code],
            name_kk=x.name_kk,
            name_ru=x.name_ru,
            settlement_kk=x.settlement_kk,
            settlement_ru=x.settlement_ru,
            locality=x.locality,
            language=x.language,
            network_role=x.network_role,
            hub_id=school_id[x.hub_code] if x.hub_code else None,
            latitude=x.latitude,
            longitude=x.longitude,
        )
    enrolments, class_sets = table(Enrolment, True), table(ClassSet, True)
    infrastructure, devices = table(Infrastructure, True), table(DeviceStock, True)
    for x in spec.schools:
        sid = school_id[x.code]
        for grade, pupils in x.enrolment.items():
            enrolments.add(school_id=sid, grade=grade, pupils=pupils)
        for name, grades in x.class_sets:
            class_sets.add(school_id=sid, name=name, grades=list(grades))
        infrastructure.add(
            school_id=sid,
            internet_type=x.internet_type,
            internet_mbps=Decimal(str(round(x.internet_mbps, 1))),
            electricity=x.electricity,
            rooms=x.rooms,
            computer_lab=x.computer_lab,
            science_lab=x.science_lab,
            stem_lab=x.stem_lab,
        )
        for kind, condition, count in x.devices:
            devices.add(school_id=sid, kind=kind, condition=condition, count=count)
    for tbl in tables:
        tbl.flush()
    step(f"{len(school_id):,} schools in {len(spec.districts)} districts, their enrolment, "
         "class-sets, infrastructure and devices")  # fmt: skip

    subject_id = dict(Subject.objects.values_list("code", "pk"))
    teachers = table(Teacher, history=True)
    through = Teacher.subjects.through
    links = table(through)
    # The "created" snapshot of each teacher lists the subjects it was created with.
    link_history = table(Teacher.history.model.subjects.model)
    assignments = table(TeachingAssignment, history=True)
    for t in spec.teachers:
        tid = teachers.add(
            code=t.code,
            full_name=t.full_name,
            school_id=school_id[t.school_code],
            weekly_hours=t.weekly_hours,
        )
        snapshot = teachers.last_history_id
        for code in t.subjects:
            link = links.add(teacher_id=tid, subject_id=subject_id[code])
            link_history.add(
                id=link, teacher_id=tid, subject_id=subject_id[code], history_id=snapshot
            )
        for code, subject in t.assignments:
            assignments.add(
                teacher_id=tid, school_id=school_id[code], subject_id=subject_id[subject]
            )
    for tbl in tables:
        tbl.flush()
    step(f"{len(spec.teachers):,} teachers, their subjects and assignments")
    _reset_sequences([x.model for x in tables] + [x.history.model for x in tables if x.history])


class _Table:
    """Rows for one table, written with ``executemany`` and primary keys chosen here.

    Like ``loaddata``, it gives each new row the next primary key after the table's current
    maximum (safe inside the build's transaction, which on SQLite holds the write lock) and
    resets the database's sequences afterwards. With ``history=True`` each row also gets
    its "created" history row, with the same content ``bulk_create_with_history`` would
    write: every tracked field, ``history_type`` "+", the build's date, no user and
    :data:`CHANGE_REASON`. Going around the ORM's per-object work makes the national-scale
    build several times faster and far lighter on memory.
    """

    CHUNK = 20_000

    def __init__(
        self,
        model: type[models.Model],
        *,
        history: bool,
        now: Any,
        constants: dict[str, Any] | None = None,
    ) -> None:
        self.model = model
        pk = model._meta.pk
        assert pk is not None
        fields = [f for f in model._meta.concrete_fields]
        self.pk_name = pk.attname
        self.attnames = [f.attname for f in fields]
        self.defaults = {f.attname: f.get_default() for f in fields if f.attname != self.pk_name}
        # Values that the database driver cannot take as they are (JSON, decimals, dates).
        self.prep = {
            f.attname: f
            for f in fields
            if isinstance(f, (models.JSONField, models.DecimalField, models.DateTimeField))
        }
        # Values the same in every row, prepared once.
        self.constants = {
            name: self.prep.pop(name).get_db_prep_save(v, connection) if name in self.prep else v
            for name, v in (constants or {}).items()
        }
        self.insert = "INSERT INTO {} ({}) VALUES ".format(
            connection.ops.quote_name(model._meta.db_table),
            ", ".join(connection.ops.quote_name(str(f.column)) for f in fields),
        )
        self.placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
        # Several rows a statement, within the database's limit on parameters a query.
        limit = connection.features.max_query_params or 10_000
        self.rows_per_statement = max(1, min(500, limit // len(fields)))
        self.next_pk = (model._default_manager.aggregate(m=Max(self.pk_name))["m"] or 0) + 1
        self.rows: list[tuple[Any, ...]] = []
        self.history: _Table | None = None
        self.last_history_id: int | None = None
        if history:
            self.history = _Table(
                model.history.model,  # type: ignore[attr-defined]
                history=False,
                now=now,
                constants={
                    "history_date": now,
                    "history_change_reason": CHANGE_REASON,
                    "history_type": "+",
                    "history_user_id": None,
                },
            )
            self.tracked = [f.attname for f in model.history.model.tracked_fields]  # type: ignore[attr-defined]

    def add(self, **values: Any) -> int:
        """Queue a row (unset fields take their default); returns its primary key."""
        pk = values.get(self.pk_name)
        if pk is None:
            pk = values[self.pk_name] = self.next_pk
            self.next_pk += 1
        row = {**self.defaults, **values}
        for name, field in self.prep.items():
            row[name] = field.get_db_prep_save(row[name], connection)
        row.update(self.constants)
        self.rows.append(tuple(row[a] for a in self.attnames))
        if self.history is not None:
            snapshot = {a: values.get(a, self.defaults.get(a)) for a in self.tracked}
            self.last_history_id = self.history.add(**snapshot)
        if len(self.rows) >= self.CHUNK:
            self.flush()
        return pk

    def flush(self) -> None:
        """Write the queued rows (and their history rows)."""
        if self.rows:
            rows, per = self.rows, self.rows_per_statement
            full = len(rows) - len(rows) % per
            with connection.cursor() as cursor:
                if full:
                    cursor.executemany(
                        self._sql(per),
                        [list(chain.from_iterable(rows[i : i + per])) for i in range(0, full, per)],
                    )
                if full < len(rows):
                    cursor.execute(
                        self._sql(len(rows) - full), list(chain.from_iterable(rows[full:]))
                    )
            self.rows = []
        if self.history is not None:
            self.history.flush()

    def _sql(self, rows: int) -> str:
        return self.insert + ", ".join([self.placeholders] * rows)


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    """Move the databases' key sequences past the keys written (no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def create_demo_accounts(spec: RegionSpec) -> None:
    """The five demo logins with their profiles (created or reset), one shared password."""
    user_model = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hashed once: the same password for all five
    district_ids = dict(District.objects.values_list("code", "pk"))
    school_ids = dict(
        School.objects.filter(code__in=spec.landmarks.values()).values_list("code", "pk")
    )
    for account, district_code, school_code in demo_account_scopes(spec):
        user, _ = user_model.objects.get_or_create(username=account.username)
        user.password = password
        user.first_name, user.last_name = account.first_name, account.last_name
        user.is_superuser = user.is_staff = account.is_superuser
        user.is_active = True
        user.save()
        profile, _ = Profile.objects.update_or_create(
            user=user,
            defaults={
                "role": account.role,
                "district_id": district_ids[district_code] if district_code else None,
                "school_id": school_ids[school_code] if school_code else None,
            },
        )
        profile.full_clean()


def demo_accounts_table() -> str:
    """A console table of the demo logins: username, password, role and scope."""
    user_model = get_user_model()
    users = {
        u.username: u
        for u in user_model.objects.filter(
            username__in=[a.username for a in DEMO_ACCOUNTS]
        ).select_related("profile__district", "profile__school")
    }
    rows = [("Username", "Password", "Role", "Scope")]
    with translation.override("en"):
        for account in DEMO_ACCOUNTS:
            user = users.get(account.username)
            profile = getattr(user, "profile", None)
            if user is None or profile is None:
                scope = "(not created)"
            elif profile.school is not None:
                scope = f"{profile.school.name_ru} ({profile.school.code})"
            elif profile.district is not None:
                scope = f"{profile.district.name_ru} ({profile.district.code})"
            else:
                scope = "whole region" + (" (superuser)" if user.is_superuser else "")
            rows.append((account.username, DEMO_PASSWORD, str(Role(account.role).label), scope))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [line]
    for i, row in enumerate(rows):
        out.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if i == 0:
            out.append(line)
    out.append(line)
    return "\n".join(out)


class _Stepper:
    """Reports each loading step with the seconds it took."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.last = time.perf_counter()

    def __call__(self, what: str) -> None:
        now = time.perf_counter()
        self.progress(f"  loaded {what} ({now - self.last:.1f} s)")
        self.last = now
