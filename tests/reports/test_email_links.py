"""A reminder's email carries a whole link when SITE_URL says where the site is, and a path otherwise."""

import pytest
from django.core import mail
from django.test import override_settings

from reports.services import notify

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("site", "expected"),
    [("https://gongjiang.example.org/", "https://gongjiang.example.org/funding/"), ("", "\n/funding/")],
)
def test_the_emailed_link_is_whole_when_the_site_address_is_known(
    make_user, django_capture_on_commit_callbacks, site, expected
):
    user = make_user("mike", "finance_maker", email="mike@example.org")
    with override_settings(SITE_URL=site), django_capture_on_commit_callbacks(execute=True):
        notify(user=user, key="k", title="待支付", body="一笔款项到期", link="/funding/")
    (message,) = mail.outbox
    assert message.to == ["mike@example.org"] and expected in message.body
