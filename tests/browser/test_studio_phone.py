"""On a phone: the demo host opens their studio, logs a session in one screen, and sees the progress bars move."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from gongjiang.management.commands.demo import DEMO_PASSWORD
from studios.demo import load_demo_studio
from studios.models import MentoringSession
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_studio(transactional_db, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        with open("/dev/null", "w") as sink:
            call_command("demo", allow_production=True, stdout=sink)
        users = get_user_model().objects
        yield load_demo_studio(host=users.get(username="host"), office=users.get(username="office"))


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def bar(page, code: str) -> dict[str, float]:
    el = page.locator(f"[data-testid=bar-{code}]")
    return {k: float(el.get_attribute(f"data-{k}")) for k in ("verified", "logged", "target")}


def test_a_host_logs_a_session_on_a_phone_and_the_bars_move(demo_studio, live_server, phone):
    studio = demo_studio
    base = live_server.url
    log_in(phone, live_server, "host")

    phone.goto(f"{base}/studios/")  # a host with one studio lands on it
    phone.wait_for_url(f"{base}/studios/{studio.pk}/")
    before = {code: bar(phone, code) for code in ("sessions", "hours")}
    pending_before = phone.locator("[data-testid=bar-hours-pending]").evaluate(
        "e => e.getBoundingClientRect().width"
    )
    assert before["sessions"]["logged"] > before["sessions"]["verified"], (
        "the demo has sessions waiting for verification"
    )
    screenshot(phone, "studio-phone-before")

    phone.click("[data-testid=log-session]")
    form = phone.locator("[data-testid=session-form]")
    today = timezone.localdate()
    assert form.locator("input[name=date]").input_value() == today.isoformat()
    boxes = form.locator("input[name=attendees][data-active]")
    assert boxes.count() == 6 and all(boxes.nth(i).is_checked() for i in range(6)), (
        "the active apprentices come ticked"
    )
    boxes.nth(0).uncheck()
    boxes.nth(1).uncheck()
    phone.click("[data-testid=tick-all]")  # one tap ticks them all again
    assert all(boxes.nth(i).is_checked() for i in range(6))
    boxes.nth(5).uncheck()
    # Yesterday, so the test does not depend on the time of day (today's sessions must have ended).
    form.locator("input[name=date]").fill((today - dt.timedelta(days=1)).isoformat())
    form.locator("input[name=starts_at]").fill("08:00")
    form.locator("input[name=ends_at]").fill("10:30")
    form.locator("input[name=topic]").fill("液压系统排故 <i>实操</i>")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, (
        "nothing runs off the side of the phone"
    )
    screenshot(phone, "studio-phone-log")
    with phone.expect_navigation():
        phone.click("[data-testid=save-session]")

    assert phone.url == f"{base}/studios/{studio.pk}/"
    assert "2.5" in phone.locator(".messages").inner_text()
    after = {code: bar(phone, code) for code in ("sessions", "hours")}
    assert after["sessions"]["logged"] == before["sessions"]["logged"] + 1
    assert after["hours"]["logged"] == before["hours"]["logged"] + 2.5
    assert after["hours"]["verified"] == before["hours"]["verified"], "verified hours move only when verified"
    pending_after = phone.locator("[data-testid=bar-hours-pending]").evaluate(
        "e => e.getBoundingClientRect().width"
    )
    assert pending_after > pending_before, "the waiting part of the hours bar grew on screen"
    assert "液压系统排故 <i>实操</i>" in phone.locator("[data-testid=sessions]").inner_text(), (
        "text is escaped"
    )
    screenshot(phone, "studio-phone-after")

    session = MentoringSession.objects.get(topic__startswith="液压系统排故")
    assert (session.hours, session.attendees.count(), session.status) == (2.5, 5, "submitted")
