"""Smoke test: Chromium can log in through the real login form and see the landing page."""

from __future__ import annotations


def test_dana_logs_in_and_sees_the_landing_page(people, page, login, shot, page_errors):
    page.goto("/")
    assert "/accounts/login/" in page.url, (
        "the landing page must ask an anonymous visitor to log in"
    )
    shot(page, "login")

    login(page, "dana")
    assert page.locator("body").inner_text().count("dana") >= 1
    assert page.locator("main").is_visible()
    path = shot(page, "landing-dana")
    assert path.stat().st_size > 1000
    assert page_errors == []
