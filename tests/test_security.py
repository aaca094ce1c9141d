"""Login throttling, CSRF, content security policy and the upload size guard."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse


def test_every_page_sends_a_strict_content_security_policy(client, people):
    client.force_login(people.dana)
    policy = client.get(reverse("registry:dashboard"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_reference_no_outside_host(client, people):
    client.force_login(people.dana)
    html = client.get(reverse("registry:school_list")).content.decode()
    assert "http://" not in html and "https://" not in html


def test_post_without_csrf_token_is_refused(people, region):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.dana)
    response = client.post(reverse("registry:school_edit", args=[region.hub.pk]), {})
    assert response.status_code == 403


@override_settings(AXES_ENABLED=True)
def test_five_wrong_passwords_lock_the_account(db, people):
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": "dana", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "dana", "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert "15" in response.content.decode()


@override_settings(AXES_ENABLED=True)
def test_right_password_logs_in(db, people):
    client = Client()
    response = client.post(
        reverse("login"), {"username": "dana", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302


def test_a_200_megabyte_upload_is_refused_before_it_is_read(client, people):
    client.force_login(people.dana)
    response = client.generic(
        "POST", "/", b"x", CONTENT_TYPE="text/csv", CONTENT_LENGTH=str(200 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert "200 MB" in response.content.decode()


@pytest.mark.parametrize("mode,secure", [("serve", True), ("demo", False)])
def test_cookies_are_secure_in_serve_mode(mode, secure, monkeypatch):
    import importlib

    import auyl.settings

    monkeypatch.setenv("AUYL_MODE", mode)
    reloaded = importlib.reload(auyl.settings)
    try:
        assert getattr(reloaded, "SESSION_COOKIE_SECURE", False) is secure
        assert getattr(reloaded, "CSRF_COOKIE_SECURE", False) is secure
    finally:
        monkeypatch.setenv("AUYL_MODE", "test")
        importlib.reload(auyl.settings)


def test_django_admin_is_for_superusers_only(client, people):
    from tests.factories import UserFactory

    client.force_login(people.dana)  # region admin, not a superuser
    assert client.get("/admin/registry/school/").status_code == 302
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    for url in (
        "/admin/registry/school/",
        "/admin/registry/teacher/",
        "/admin/jobs/job/",
        "/admin/accounts/profile/",
        "/admin/registry/classset/",
    ):
        assert client.get(url).status_code == 200, url
