"""Each demo role logs in through the real login page and lands on its own home page."""

import pytest
from django.core.management import call_command

from gongjiang.management.commands.demo import DEMO_PASSWORD, DEMO_USERS
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    call_command("demo", allow_production=True, stdout=open("/dev/null", "w"))


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url, "an anonymous visitor is sent to the login page"
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.parametrize(("username", "role", "full_name"), DEMO_USERS, ids=[u[0] for u in DEMO_USERS])
def test_each_role_sees_its_own_home_page(demo, live_server, page, username, role, full_name):
    log_in(page, live_server, username)

    chips = page.locator("[data-testid=roles] .chip")
    assert chips.count() == 1
    assert chips.first.get_attribute("data-role") == role.value
    assert page.locator("[data-testid=username]").inner_text() == full_name
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    screenshot(page, f"home-{username}")


def test_the_clerk_sees_their_unit_and_the_office_sees_every_round(demo, live_server, page):
    log_in(page, live_server, "clerk")
    body = page.locator("main").inner_text()
    assert "岳阳楼区总工会" in body
    assert "巴陵工匠 2023" in body
    assert "包头工匠" not in body, "a clerk sees only their own scheme's rounds"

    page.click("button:has-text('退出')")
    log_in(page, live_server, "office")
    body = page.locator("main").inner_text()
    for name in ["巴陵工匠 2023", "焦作工匠 2018", "包头工匠 2023", "晋中工匠 2019", "最美巴渝工匠 2022"]:
        assert name in body


def test_a_wrong_password_is_refused_and_says_so(demo, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", "not-the-password")
    page.click("main button[type=submit]")
    assert "/accounts/login/" in page.url
    assert page.locator(".error").is_visible()


def test_switching_to_english_and_back(demo, live_server, page):
    log_in(page, live_server, "office")
    page.click("[data-testid=lang-en]")
    page.wait_for_selector("html[lang=en]")
    assert "Log out" in page.locator("header").inner_text()
    page.click("[data-testid=lang-zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert "退出" in page.locator("header").inner_text()


def test_the_home_page_fits_a_phone(demo, live_server, phone):
    log_in(phone, live_server, "host")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"no sideways scrolling on a phone (page is {width}px wide)"
    screenshot(phone, "home-host-phone")
