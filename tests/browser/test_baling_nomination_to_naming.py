"""One 巴陵 nomination walked through the pages, from the clerk's entry to the office naming it."""

import pytest
from django.core.management import call_command

from gongjiang.management.commands.demo import DEMO_PASSWORD
from honourees.models import Honouree, Nomination, Round
from tests.browser.conftest import screenshot
from tests.honourees.conftest import make_id

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    with open("/dev/null", "w") as sink:
        call_command("demo", allow_production=True, stdout=sink)


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def post_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_a_baling_nomination_goes_from_entry_to_named(demo, live_server, page):
    round_ = Round.objects.get(scheme__code="baling")
    base = live_server.url

    # The clerk of 岳阳楼区总工会 enters the form and submits it.
    log_in(page, live_server, "clerk")
    page.goto(f"{base}/nominations/")
    assert "2 / 8" in page.locator(f"[data-testid=quota-{round_.pk}]").inner_text(), (
        "the demo sent two already"
    )
    page.click(f"[data-testid=quota-{round_.pk}] [data-testid=new-nomination]")
    form = page.locator("[data-testid=nomination-form]")
    form.locator("input[name=name]").fill("龙振华")
    form.locator("input[name=id_number]").fill(make_id())
    form.locator("input[name=employer]").fill("岳阳巴陵石化机修厂")
    form.locator("input[name=trade]").fill("钳工")
    form.locator("select[name=skill_level]").select_option("senior_technician")
    form.locator("input[name=in_city_since]").fill("2003-09-01")
    form.locator("textarea[name=brief_deeds]").fill("三十年如一日坚守设备检修一线。<b>不是粗体</b>")
    screenshot(page, "baling-entry-form")
    post_and_wait(page, "[data-testid=save]")
    assert page.locator("[data-testid=status]").get_attribute("data-status") == "draft"
    assert "<b>不是粗体</b>" in page.locator("main").inner_text(), "text is escaped, not rendered as HTML"
    post_and_wait(page, "[data-testid=submit]")
    assert page.locator("[data-testid=status]").get_attribute("data-status") == "submitted"
    nomination = Nomination.objects.get(person__name="龙振华")

    # The office closes intake and qualifies it, deciding each judgement item.
    log_in(page, live_server, "office")
    page.goto(f"{base}/rounds/{round_.pk}/")
    post_and_wait(page, "[data-testid=close-intake]")
    for other in Nomination.objects.filter(round=round_, status="submitted").exclude(pk=nomination.pk):
        page.goto(f"{base}/nominations/{other.pk}/")  # the demo's other two go back to their unit
        page.fill("[data-testid=return-reason]", "请补充技能等级证书。")
        post_and_wait(page, "[data-testid=return]")
        assert page.locator("[data-testid=status]").get_attribute("data-status") == "draft"
    page.goto(f"{base}/nominations/{nomination.pk}/")
    for radio in page.locator("[data-testid=qualify-form] input[type=radio][value=yes]").all():
        radio.check()
    post_and_wait(page, "[data-testid=qualify]")
    assert page.locator("[data-testid=status]").get_attribute("data-status") == "qualified"

    page.goto(f"{base}/rounds/{round_.pk}/")
    page.locator("[data-testid=assign-form] input[name=experts]").first.check()
    post_and_wait(page, "[data-testid=assign]")

    # The expert scores it from their own list.
    log_in(page, live_server, "expert")
    page.goto(f"{base}/nominations/{nomination.pk}/")
    page.fill("[data-testid=score]", "90")
    post_and_wait(page, "[data-testid=save-score]")
    nomination.refresh_from_db()
    assert nomination.status == "scored"

    # The office records the field inspection, the committee's list, the notice, and names it.
    log_in(page, live_server, "office")
    page.goto(f"{base}/nominations/{nomination.pk}/")
    page.fill("[data-testid=inspection-notes]", "现场考察属实。")
    post_and_wait(page, "[data-testid=record-inspection]")
    page.goto(f"{base}/rounds/{round_.pk}/")
    page.select_option(f"[data-testid=tier-{nomination.pk}]", "named")
    post_and_wait(page, "[data-testid=propose]")
    page.fill("[data-testid=notice-start]", "2023-09-28")
    post_and_wait(page, "[data-testid=start-notice]")
    assert page.locator("[data-testid=notice-end]").inner_text() == "2023-10-10"
    page.fill("[data-testid=named-on]", "2023-10-10")
    post_and_wait(page, "[data-testid=name]")
    assert "2023-10-10" in page.locator(".messages").inner_text(), (
        "naming on the notice's last day is refused"
    )
    page.fill("[data-testid=named-on]", "2023-10-11")
    post_and_wait(page, "[data-testid=name]")
    screenshot(page, "baling-round-named")
    assert page.locator("[data-testid=round-status]").get_attribute("data-status") == "closed"
    honouree = Honouree.objects.get(person__name="龙振华")
    # The demo already holds the studio host and funding's two 巴陵 honourees: the next number follows them.
    assert (
        honouree.certificate_no == f"BALING-2023-{Honouree.objects.filter(round=honouree.round).count():03d}"
    )
