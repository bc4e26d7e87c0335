"""Domain errors are mapped to HTTP once; the API answers with both languages."""

import pytest
from rest_framework.test import APIClient

from backend.api import exception_handler
from backend.errors import (
    CalendarDataMissing,
    Conflict,
    DomainError,
    NotFound,
    NotPermitted,
    QuotaExceeded,
    TransitionNotAllowed,
    ValidationFailed,
)
from honourees.models import Scheme


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ValidationFailed("坏", "bad", field="amount", row=3), 400),
        (NotPermitted("不许", "no"), 403),
        (NotFound("没有", "none"), 404),
        (Conflict("冲突", "conflict"), 409),
        (QuotaExceeded("超额", "over quota"), 409),
        (CalendarDataMissing("未知日期", "unknown date"), 409),
    ],
)
def test_each_domain_error_maps_to_its_status_with_both_messages(error, status):
    response = exception_handler(error, {})
    assert response.status_code == status
    assert response.data["message_zh"] == error.zh
    assert response.data["message_en"] == error.en


def test_a_validation_error_keeps_row_field_and_every_sub_error():
    err = ValidationFailed(
        "导入失败",
        "import failed",
        errors=[ValidationFailed("第3行身份证号错误", "row 3: bad id", row=3, field="id_number")],
    )
    data = exception_handler(err, {}).data
    assert data["errors"] == [
        {
            "code": "invalid",
            "message": "第3行身份证号错误",
            "message_zh": "第3行身份证号错误",
            "message_en": "row 3: bad id",
            "field": "id_number",
            "row": 3,
        }
    ]


def test_the_message_follows_the_active_language():
    from django.utils import translation

    err = DomainError("中文", "English")
    with translation.override("en"):
        assert err.message == "English"
    with translation.override("zh-hans"):
        assert err.message == "中文"


@pytest.mark.django_db
def test_transition_not_allowed_names_the_row_and_both_states():
    scheme = Scheme.objects.create(code="x", name="X", city="X")
    scheme.status = "paid"
    err = TransitionNotAllowed(scheme, "due")
    assert "paid" in err.zh and "due" in err.en and f"#{scheme.pk}" in err.en
    assert err.status == 409


@pytest.mark.django_db
def test_the_api_needs_a_login_and_accepts_a_token(office):
    client = APIClient()
    assert client.get("/api/v1/me/").status_code in (401, 403)

    token = client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "correct horse battery staple"}
    )
    assert token.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.data['token']}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.data == {"username": "alice", "full_name": "王敏", "roles": ["talent_office"]}


@pytest.mark.django_db
def test_a_service_refusal_comes_back_as_403_with_the_reason(client, maker):
    client.force_login(maker)
    response = client.post(
        "/api/v1/calendar-overrides/", {"date": "2027-01-01", "is_working_day": False, "name": "元旦"}
    )
    assert response.status_code == 403
    assert "人才办" in response.json()["message_zh"]


@pytest.mark.django_db
def test_the_openapi_schema_and_docs_are_served_without_internet(client, office):
    client.force_login(office)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/rounds/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html
