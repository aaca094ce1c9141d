"""Demo data of the network app, added by the demo loader after the registry, inside its
transaction (``auyl.demo.loader.DEMO_EXTENSION_MODULES``).

Deterministic for a seed (dates are counted from the day of the build, so the calendar
has something this month), and fast (a few hundred rows). Everything is generated:

- **Mentors.** 22 teachers of NIS schools of Astana, Petropavlovsk, Atyrau and Aktobe
  support the clusters of Badamsha (Kargaly district) and of Khromtau district, as in the
  programme's reports (facts.md: "22 teachers from NIS schools ... gave methodological
  help to the schools of Badamsha and Khromtau"); the names are made up. Each other
  district has one methodologist mentor for its cluster, and the demo methodologist
  (login ``methodologist``) is the mentor of the Bestamak cluster, so her calendar shows
  her own visits.
- **Visits** of the last two months (done, with observed lessons, recommendations and
  follow-ups, some open, some overdue, some done) and of the next weeks (planned).
- **Events**: joint seminars, lesson studies, open lessons and online meetings of those
  clusters and of two districts, with teachers of their schools as participants.

It changes no registry row: the registry's own tests check that the demo database holds
exactly what the generator made. (So the coverage pages of the demo show few or no gaps:
the generated registry gives every subject of every school a qualified teacher.)
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from auyl.network.models import (
    Event,
    EventParticipation,
    FollowUp,
    Mentor,
    MentorAssignment,
    Visit,
)
from auyl.registry.models import District, School, Subject, Teacher

Progress = Callable[[str], Any]

CHANGE_REASON = "demo network data"

NIS_CITIES = (
    ("Астана", "Astana"),
    ("Петропавл", "Petropavlovsk"),
    ("Атырау", "Atyrau"),
    ("Ақтөбе", "Aktobe"),
)
NIS_CLUSTER_DISTRICTS = ("kargaly", "khromtau")  # Badamsha is the centre of Kargaly district
NIS_MENTORS = 22

_FIRST_F = (
    "Айгүл",
    "Гүлнара",
    "Жанна",
    "Салтанат",
    "Әлия",
    "Мәдина",
    "Ақбота",
    "Дина",
    "Эльмира",
    "Ләйлә",
    "Сабина",
)
_FIRST_M = (
    "Ерлан",
    "Асқар",
    "Дархан",
    "Бекжан",
    "Нұржан",
    "Марат",
    "Ғани",
    "Тимур",
    "Ербол",
    "Руслан",
    "Самат",
)
_SURNAMES = (
    "Әбенов",
    "Сейсенов",
    "Қожахметов",
    "Тұрсынов",
    "Жанайдаров",
    "Мұхамедиев",
    "Байтұрсынов",
    "Ахметжанов",
    "Сүлейменов",
    "Рахымов",
    "Ілиясов",
    "Құрманов",
)
_PATRONYMIC = ("Асқар", "Бола", "Ерлан", "Серік", "Қайрат", "Мұрат", "Нұрлан", "Тал")
_MENTOR_SUBJECTS = (
    ("math", "algebra", "geometry"),
    ("physics",),
    ("chemistry", "biology"),
    ("english",),
    ("kazakh", "kazakh_lit"),
    ("russian", "russian_lit"),
    ("informatics",),
    ("literacy", "math"),
    ("history_kz", "world_history"),
    ("geography",),
)
_FOCUS = (
    "Формативті бағалау біріктірілген сынып-жинақта",
    "Онлайн-сабаққа дайындық: тірек мектеппен байланыс",
    "Differentiated tasks in a combined class-set",
    "Оқу сауаттылығы: 4-сынып",
    "Проектная работа по физике в 7-9 классах",
    "Использование интерактивной панели без интернета",
    "Lesson study cycle: planning the research lesson",
)
_RECOMMENDATIONS = (
    "Сабақ мақсатын оқушыларға түсінікті тілде жазу; кері байланысты әр 10 минут сайын беру.",
    "Разделить задания по уровням для 7 и 8 классов, работающих вместе; использовать пары.",
    "Plan the broadcast lesson with the hub teacher a week ahead; share the worksheet offline.",
    "Интерактивті панельге алдын ала жүктелген материалдарды апта сайын тексеру.",
)
_ACTIONS = (
    "Бағалау критерийлерін 5 сабаққа дайындау",
    "Подготовить открытый урок для кластера",
    "Share the lesson plan with the hub teacher",
    "Тірек мектептің онлайн-сабағына 8-сыныпты қосу",
    "Провести взаимопосещение уроков с коллегой",
)
_EVENTS = (
    (Event.Kind.SEMINAR, "Біріктірілген сынып-жинақта сабақ жоспарлау"),
    (Event.Kind.LESSON_STUDY, "Lesson Study: оқу сауаттылығы"),
    (Event.Kind.OPEN_LESSON, "Открытый урок физики с трансляцией"),
    (Event.Kind.ONLINE_MEETING, "Онлайн-кездесу: кластердің тоқсандық жоспары"),
    (Event.Kind.SEMINAR, "Формативное оценивание в малокомплектной школе"),
)


def _person(rng: random.Random) -> str:
    if rng.random() < 0.6:
        surname = rng.choice(_SURNAMES) + "а"
        return f"{surname} {rng.choice(_FIRST_F)} {rng.choice(_PATRONYMIC)}қызы"
    return f"{rng.choice(_SURNAMES)} {rng.choice(_FIRST_M)} {rng.choice(_PATRONYMIC)}ұлы"


def _stamp(instance: Any, reason: str = CHANGE_REASON) -> Any:
    instance._history_user = None
    instance._change_reason = reason
    return instance


def load_demo(*, seed: int, progress: Progress = print, today: dt.date | None = None) -> None:
    """Add the network's demo data (see the module docstring). Call inside a transaction,
    after the registry has been loaded."""
    rng = random.Random(seed * 7919 + 4)
    today = today or timezone.localdate()
    hubs = {
        h.district.code: h
        for h in School.objects.filter(network_role=School.NetworkRole.HUB)
        .select_related("district")
        .order_by("code")
    }
    if not hubs:
        progress("  network: no hub school, no demo mentors")
        return
    subjects = {s.code: s for s in Subject.objects.all()}
    magnets: dict[int, list[School]] = {}
    for m in School.objects.filter(network_role=School.NetworkRole.MAGNET).order_by("code"):
        magnets.setdefault(m.hub_id or 0, []).append(m)

    mentors = _mentors(rng, hubs, magnets, subjects)
    visits, follow_ups = _visits(rng, mentors, today, subjects)
    events, participants = _events(rng, hubs, magnets, today)
    progress(
        f"  network: {len(mentors)} mentors, {visits} visits with {follow_ups} follow-ups, "
        f"{events} events with {participants} participations"
    )


def _mentors(
    rng: random.Random,
    hubs: dict[str, School],
    magnets: dict[int, list[School]],
    subjects: dict[str, Subject],
) -> list[tuple[Mentor, list[School]]]:
    """Mentors with the schools they visit (their cluster's hub and some magnets)."""
    out: list[tuple[Mentor, list[School]]] = []
    nis_hubs = [hubs[d] for d in NIS_CLUSTER_DISTRICTS if d in hubs] or list(hubs.values())[:2]
    for i in range(NIS_MENTORS):
        hub = nis_hubs[i % len(nis_hubs)]
        city_kk, _city_en = NIS_CITIES[i % len(NIS_CITIES)]
        mentor = _stamp(
            Mentor(
                full_name=_person(rng),
                organisation=f"{city_kk} қ. НЗМ (демо)",
            )
        )
        mentor.save()
        mentor.subjects.set(
            [subjects[c] for c in _MENTOR_SUBJECTS[i % len(_MENTOR_SUBJECTS)] if c in subjects]
        )
        _stamp(MentorAssignment(mentor=mentor, hub=hub, since=dt.date(2023, 9, 1))).save()
        cluster = magnets.get(hub.pk, [])
        own = rng.sample(cluster, k=min(2, len(cluster)))
        for school in own[:1]:
            _stamp(MentorAssignment(mentor=mentor, school=school, since=dt.date(2023, 9, 1))).save()
        out.append((mentor, [hub, *own]))

    methodologist = get_user_model().objects.filter(username="methodologist").first()
    for code, hub in sorted(hubs.items()):
        if code in NIS_CLUSTER_DISTRICTS:
            continue
        district = District.objects.get(pk=hub.district_id)
        linked = methodologist if code == "alga" and methodologist is not None else None
        name = (
            f"{linked.last_name} {linked.first_name}".strip()
            if linked is not None and (linked.first_name or linked.last_name)
            else _person(rng)
        )
        mentor = _stamp(
            Mentor(
                full_name=name,
                organisation=f"{district.name_kk}: білім бөлімі (демо)",
                district=district,
                user=linked,
            )
        )
        mentor.save()
        _stamp(MentorAssignment(mentor=mentor, hub=hub, since=dt.date(2024, 1, 15))).save()
        cluster = magnets.get(hub.pk, [])
        out.append((mentor, [hub, *rng.sample(cluster, k=min(3, len(cluster)))]))
    return out


def _visits(
    rng: random.Random,
    mentors: list[tuple[Mentor, list[School]]],
    today: dt.date,
    subjects: dict[str, Subject],
) -> tuple[int, int]:
    visits = follow_ups = 0
    teachers_of: dict[int, list[Teacher]] = {}
    schools = {s.pk for _m, ss in mentors for s in ss}
    for t in Teacher.objects.filter(school_id__in=schools).order_by("code"):
        teachers_of.setdefault(t.school_id, []).append(t)
    for mentor, schools_of in mentors:
        for k in range(rng.randint(2, 3)):
            school = (
                schools_of[1 + k % (len(schools_of) - 1)] if len(schools_of) > 1 else schools_of[0]
            )
            offset = rng.randint(-55, 25)
            date = today + dt.timedelta(days=offset)
            while date.weekday() >= 5:  # on school days
                date += dt.timedelta(days=1)
            done = date <= today
            staff = teachers_of.get(school.pk, [])
            teacher = rng.choice(staff) if staff and done else None
            subject_code = rng.choice([c for c in _MENTOR_SUBJECTS[visits % len(_MENTOR_SUBJECTS)]])
            visit = _stamp(
                Visit(
                    mentor=mentor,
                    school=school,
                    date=date,
                    status=Visit.Status.DONE if done else Visit.Status.PLANNED,
                    focus=rng.choice(_FOCUS),
                    observed_teacher=teacher,
                    observed_subject=subjects.get(subject_code) if done else None,
                    observed_grades=rng.choice(("5", "7+8", "3+4", "9", "6+7")) if done else "",
                    observed_notes="Оқушылар жұпта жұмыс істеді; уақыт жетпеді." if done else "",
                    recommendations=rng.choice(_RECOMMENDATIONS) if done else "",
                )
            )
            visit.save()
            visits += 1
            if not done:
                continue
            for _ in range(rng.randint(1, 2)):
                due = date + dt.timedelta(days=rng.randint(10, 40))
                status = (
                    FollowUp.Status.DONE
                    if due < today and rng.random() < 0.5
                    else FollowUp.Status.OPEN
                )
                _stamp(
                    FollowUp(
                        visit=visit,
                        action=rng.choice(_ACTIONS),
                        responsible=teacher.full_name if teacher else "",
                        due_date=due,
                        status=status,
                    )
                ).save()
                follow_ups += 1
    return visits, follow_ups


def _events(
    rng: random.Random,
    hubs: dict[str, School],
    magnets: dict[int, list[School]],
    today: dt.date,
) -> tuple[int, int]:
    events = participations = 0
    for code in (*NIS_CLUSTER_DISTRICTS, "alga"):
        hub = hubs.get(code)
        if hub is None:
            continue
        schools = [hub, *magnets.get(hub.pk, [])]
        staff = list(Teacher.objects.filter(school__in=schools).order_by("code"))
        for j in range(3):
            kind, title = _EVENTS[(events + j) % len(_EVENTS)]
            event = _stamp(
                Event(
                    kind=kind,
                    title=title,
                    date=today + dt.timedelta(days=rng.randint(-50, 20)),
                    hub=hub,
                    host_school=rng.choice(schools),
                    description="Кластер мектептерінің мұғалімдеріне арналған (демо).",
                )
            )
            event.save()
            events += 1
            chosen = rng.sample(staff, k=min(len(staff), rng.randint(6, 14)))
            EventParticipation.objects.bulk_create(
                EventParticipation(
                    event=event,
                    teacher=t,
                    role=EventParticipation.Role.PRESENTER
                    if i == 0
                    else EventParticipation.Role.PARTICIPANT,
                )
                for i, t in enumerate(chosen)
            )
            participations += len(chosen)
    for code in ("khromtau", "alga"):
        district = District.objects.filter(code=code).first()
        if district is None:
            continue
        event = _stamp(
            Event(
                kind=Event.Kind.SEMINAR,
                title="Аудандық әдістемелік семинар: шағын жинақты мектеп",
                date=today + dt.timedelta(days=rng.randint(-30, 30)),
                district=district,
                description="Ауданның барлық шағын мектептерінің мұғалімдері (демо).",
            )
        )
        event.save()
        events += 1
        staff = list(Teacher.objects.filter(school__district=district).order_by("code")[:400])
        chosen = rng.sample(staff, k=min(len(staff), 20))
        EventParticipation.objects.bulk_create(
            EventParticipation(event=event, teacher=t) for t in chosen
        )
        participations += len(chosen)
    return events, participations
