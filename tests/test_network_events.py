"""The collaborative network: events of a cluster or a district, their participants and
materials, and each teacher's history of participation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from auyl.network import selectors, services
from auyl.network.models import Event, EventMaterial, EventParticipation
from tests.factories import TeacherFactory

DAY = dt.date(2024, 11, 5)


def cluster_event(region, **extra):
    data = {
        "kind": Event.Kind.LESSON_STUDY,
        "title": "Lesson study",
        "date": DAY,
        "hub": region.hub,
    }
    data.update(extra)
    return data


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize(
    "who,allowed",
    [("dana", True), ("aigerim", True), ("nurlan", True), ("bolat", False), ("saule", False)],
)
def test_who_may_organise_an_event_of_the_bestamak_cluster(people, region, who, allowed):
    user = getattr(people, who)
    if allowed:
        assert services.event_save(data=cluster_event(region), by=user).created_by == user
    else:
        with pytest.raises(PermissionDenied):
            services.event_save(data=cluster_event(region), by=user)


def test_district_events_belong_to_the_methodologists_district(people, region):
    data = {"kind": Event.Kind.SEMINAR, "title": "Seminar", "date": DAY}
    services.event_save(data={**data, "district": region.alga}, by=people.aigerim)
    with pytest.raises(PermissionDenied):
        services.event_save(data={**data, "district": region.khromtau}, by=people.aigerim)
    with pytest.raises(PermissionDenied):  # a hub coordinator organises for his cluster only
        services.event_save(data={**data, "district": region.alga}, by=people.nurlan)


def test_an_event_belongs_to_a_cluster_or_a_district_not_both(people, region):
    with pytest.raises(ValidationError):
        services.event_save(data=cluster_event(region, district=region.alga), by=people.dana)
    with pytest.raises(ValidationError):
        services.event_save(data=cluster_event(region, hub=None), by=people.dana)
    with pytest.raises(ValidationError):  # a host school outside the cluster
        services.event_save(
            data=cluster_event(region, host_school=region.khromtau_school), by=people.dana
        )


def test_participants_are_teachers_of_the_events_schools(people, region):
    event = services.event_save(data=cluster_event(region), by=people.nurlan)
    kumsai_teacher = TeacherFactory(school=region.magnet, full_name="Сәуле")
    hub_teacher = TeacherFactory(school=region.hub, full_name="Нұрлан")
    outsider = TeacherFactory(school=region.khromtau_school)
    n = services.event_set_participants(
        event=event,
        teachers=[kumsai_teacher, hub_teacher],
        presenters=[hub_teacher],
        by=people.nurlan,
    )
    assert n == 2
    roles = dict(EventParticipation.objects.values_list("teacher__full_name", "role"))
    assert roles == {"Сәуле": "participant", "Нұрлан": "presenter"}
    with pytest.raises(ValidationError):
        services.event_set_participants(event=event, teachers=[outsider], by=people.nurlan)
    services.event_set_participants(event=event, teachers=[hub_teacher], by=people.nurlan)
    assert list(event.participants.all()) == [hub_teacher]


@pytest.mark.parametrize(
    "who,sees",
    [
        ("dana", True),
        ("aigerim", True),
        ("nurlan", True),
        ("bolat", True),
        ("saule", True),
        ("yerlan", False),
    ],
)
def test_a_cluster_event_is_seen_by_the_clusters_people(people, region, who, sees):
    event = Event.objects.create(**cluster_event(region))
    assert selectors.event_list(getattr(people, who)).filter(pk=event.pk).exists() is sees


def test_a_khromtau_district_event_is_not_seen_in_alga(people, region):
    event = Event.objects.create(kind="seminar", title="S", date=DAY, district=region.khromtau)
    assert not selectors.event_list(people.aigerim).filter(pk=event.pk).exists()
    assert selectors.event_list(people.bolat).filter(pk=event.pk).exists()  # Kumsai is in Khromtau


def test_a_teachers_history_lists_what_she_took_part_in(client, people, region):
    saule = TeacherFactory(school=region.magnet, full_name="Сәуле Ахметова")
    for title, day in (("Seminar A", 1), ("Open lesson B", 20)):
        event = Event.objects.create(
            **cluster_event(region, title=title, date=dt.date(2024, 11, day))
        )
        EventParticipation.objects.create(event=event, teacher=saule)
    history = selectors.teacher_history(saule)
    assert [p.event.title for p in history["participations"]] == ["Open lesson B", "Seminar A"]
    client.force_login(people.bolat)
    page = client.get(reverse("network:teacher_history", args=[saule.pk]))
    assert page.status_code == 200 and "Open lesson B" in page.content.decode()
    client.force_login(people.aigerim)  # Kumsai is not in her district
    assert client.get(reverse("network:teacher_history", args=[saule.pk])).status_code == 404


# --- Materials ------------------------------------------------------------------------------


def test_a_material_file_is_stored_and_downloaded_by_those_who_see_the_event(
    client, people, region, media
):
    event = Event.objects.create(**cluster_event(region))
    client.force_login(people.nurlan)
    upload = SimpleUploadedFile("жоспар.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    response = client.post(
        reverse("network:material_add", args=[event.pk]), {"title": "Сабақ жоспары", "file": upload}
    )
    assert response.status_code == 302
    material = EventMaterial.objects.get()
    assert material.size == len(b"%PDF-1.4 plan")
    assert (media / material.file.name).exists()
    client.force_login(people.saule)
    download = client.get(reverse("network:material_download", args=[material.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 plan"
    client.force_login(people.yerlan)
    assert client.get(reverse("network:material_download", args=[material.pk])).status_code == 404


def test_a_material_too_large_or_of_a_wrong_kind_is_refused(people, region, media, monkeypatch):
    event = Event.objects.create(**cluster_event(region))
    monkeypatch.setattr(services, "MATERIAL_MAX_BYTES", 10)
    big = SimpleUploadedFile("big.pdf", b"x" * 11)
    with pytest.raises(ValidationError, match="too large"):
        services.material_add(event=event, title="Big", file=big, by=people.dana)
    script = SimpleUploadedFile("run.exe", b"MZ")
    with pytest.raises(ValidationError, match="not accepted"):
        services.material_add(event=event, title="Exe", file=script, by=people.dana)
    assert not EventMaterial.objects.exists()
    assert not (media / "network").exists()


def test_a_link_is_a_material_too_and_needs_a_title(client, people, region):
    event = Event.objects.create(**cluster_event(region))
    services.material_add(event=event, title="Video", url="https://example.org/v", by=people.dana)
    assert EventMaterial.objects.get().url == "https://example.org/v"
    client.force_login(people.dana)
    response = client.post(
        reverse("network:material_add", args=[event.pk]), {"url": "https://x.org"}, follow=True
    )
    assert EventMaterial.objects.count() == 1
    assert b"This field is required" in response.content


def test_only_the_events_editors_add_or_remove_materials(people, region, media):
    event = Event.objects.create(**cluster_event(region))
    with pytest.raises(PermissionDenied):
        services.material_add(event=event, title="x", url="https://x.org", by=people.bolat)
    material = services.material_add(event=event, title="x", url="https://x.org", by=people.nurlan)
    with pytest.raises(PermissionDenied):
        services.material_delete(material=material, by=people.saule)
    services.material_delete(material=material, by=people.nurlan)
    assert not EventMaterial.objects.exists()
