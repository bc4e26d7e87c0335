"""The funding API: the batch workflow end to end, errors as 400/403/404/409 with zh and en messages, the
same scoping as the pages, and the query count pinned on the instalment list."""

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from funding.models import DisbursementBatch, Instalment

from .conftest import give_budget, name_directly, source_of
from .steps import first, named, return_template, second

pytestmark = pytest.mark.django_db
S = Instalment.Status
B = DisbursementBatch.Status


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def two(baling, office, maker, checker):
    give_budget(baling, checker, 2023)
    return named(baling, office, maker, 2)


def create(client, honourees, **extra):
    body = {
        "source": first(honourees[0]).plan.source_id,
        "purpose": "第一年资助",
        "instalments": [first(h).pk for h in honourees],
        **extra,
    }
    return client.post("/api/v1/funding/batches/", body, format="json")


def test_the_batch_workflow_over_the_api_from_due_to_closed(two, maker, checker, auditor):
    m, c = api(maker), api(checker)
    r = create(m, two)
    assert r.status_code == 201, r.json()
    batch = r.json()
    assert batch["status"] == "draft" and batch["totals"]["count"] == 2
    assert {(x["gross"], x["tax"], x["net"]) for x in batch["lines"]} == {("10000.00", "2000.00", "8000.00")}
    assert "*" in batch["lines"][0]["payee_id_number"], "masked: the whole number goes to the bank file only"
    url = f"/api/v1/funding/batches/{batch['id']}"

    assert m.post(f"{url}/submit/").json()["status"] == "submitted"
    r = c.post(f"{url}/approve/")
    assert (
        r.status_code == 200 and r.json()["status"] == "approved" and r.json()["checker"] == checker.username
    )
    assert api(auditor).post(f"{url}/export/").status_code == 403

    r = m.post(f"{url}/export/")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    references = {sheet.cell(row=n, column=2).value for n in (3, 4)}
    assert references == {x["reference"] for x in batch["lines"]}
    assert api(auditor).get(f"{url}/bank-file/").status_code == 403
    assert m.get(f"{url}/bank-file/").status_code == 200

    # The bank's result: one line paid through the result file, the other returned by hand.
    db_batch = DisbursementBatch.objects.get(pk=batch["id"])
    wb = load_workbook(io.BytesIO(return_template(db_batch)))
    ws = wb.active
    ws["E3"], ws["F3"], ws["G3"] = "成功", "BK0001", timezone.localdate().isoformat()
    ws.delete_rows(4)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "result.xlsx"
    r = m.post(f"{url}/import-results/", {"file": out}, format="multipart")
    assert r.status_code == 200, r.json()
    assert (r.json()["paid"], r.json()["returned"], r.json()["unmatched"]) == (1, 0, 0)

    pending = [x for x in m.get(url + "/").json()["lines"] if x["status"] == "pending"]
    assert len(pending) == 1
    line_url = f"/api/v1/funding/lines/{pending[0]['id']}"
    r = m.post(f"{line_url}/returned/", {"reason": "", "on": timezone.localdate().isoformat()}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = m.post(
        f"{line_url}/returned/", {"reason": "户名不符", "on": timezone.localdate().isoformat()}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert m.get(url + "/").json()["status"] == "closed"
    returned = Instalment.objects.get(pk=pending[0]["instalment"])
    assert returned.status == S.DUE and "户名不符" in returned.status_reason

    payments = m.get("/api/v1/funding/payments/").json()
    assert payments["count"] == 1 and payments["results"][0]["bank_ref"] == "BK0001"
    ledger = api(auditor).get("/api/v1/funding/ledger/?kind=payment").json()
    assert ledger["count"] == 1 and ledger["results"][0]["amount"] == "10000.00"


def test_paying_a_line_twice_is_a_replay_and_a_second_reference_a_conflict(two, maker, checker):
    m = api(maker)
    batch = create(m, two[:1]).json()
    m.post(f"/api/v1/funding/batches/{batch['id']}/submit/")
    api(checker).post(f"/api/v1/funding/batches/{batch['id']}/approve/")
    m.post(f"/api/v1/funding/batches/{batch['id']}/export/")
    line = f"/api/v1/funding/lines/{batch['lines'][0]['id']}/paid/"
    today = timezone.localdate().isoformat()
    assert m.post(line, {"bank_ref": "B1", "paid_on": today}, format="json").status_code == 200
    assert m.post(line, {"bank_ref": "B1", "paid_on": today}, format="json").status_code == 200
    r = m.post(line, {"bank_ref": "B2", "paid_on": today}, format="json")
    assert (
        r.status_code == 409 and "B1" in r.json()["message_zh"] and "already paid" in r.json()["message_en"]
    )
    assert first(two[0]).payments.count() == 1


def test_errors_come_back_with_their_status_and_both_languages(two, maker, checker, maker_checker, nobody):
    m = api(maker)
    r = create(m, two, instalments=[first(two[0]).pk, second(two[0]).pk])
    assert r.status_code == 400
    err = r.json()
    assert "未做任何更改" in err["message_zh"] and "nothing was changed" in err["message_en"]
    assert any("条件未满足" in e["message_zh"] and e["row"] == 2 for e in err["errors"])
    assert not DisbursementBatch.objects.exists()

    r = create(api(checker), two)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"

    r = create(m, two, purpose="x", instalments="not a list")
    assert r.status_code == 400 and r.json()["field"] == "instalments"

    own = create(api(maker_checker), two).json()
    r = api(checker).post(f"/api/v1/funding/batches/{own['id']}/approve/")
    assert r.status_code == 409 and r.json()["code"] == "transition_not_allowed", "a draft cannot be approved"
    api(maker_checker).post(f"/api/v1/funding/batches/{own['id']}/submit/")
    r = api(maker_checker).post(f"/api/v1/funding/batches/{own['id']}/approve/")
    assert (
        r.status_code == 403
        and "自己编制" in r.json()["message_zh"]
        and "they made" in r.json()["message_en"]
    )
    r = api(checker).post(f"/api/v1/funding/batches/{own['id']}/reject/", {"reason": ""}, format="json")
    assert r.status_code == 400 and r.json()["message_en"] == "Please give the reason."
    r = api(checker).post(f"/api/v1/funding/batches/{own['id']}/reject/", {"reason": "重核"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "rejected"

    assert api(nobody).get(f"/api/v1/funding/batches/{own['id']}/").status_code == 404
    assert api(nobody).get("/api/v1/funding/instalments/").json()["count"] == 0


def test_a_batch_beyond_the_budget_is_refused_with_the_figures(baling, office, maker, checker):
    give_budget(baling, checker, 2023, amount="20000.00")
    hs = named(baling, office, maker, 2)
    m = api(maker)
    assert create(m, hs[:1]).status_code == 201
    r = api(checker).post(
        "/api/v1/funding/budgets/set/",
        {"source": first(hs[0]).plan.source_id, "year": 2023, "amount": "10000.00"},
        format="json",
    )
    assert r.status_code == 409 and "20000.00" in r.json()["message_zh"]
    r = api(maker).post(
        "/api/v1/funding/budgets/set/",
        {"source": first(hs[0]).plan.source_id, "year": 2023, "amount": "90000.00"},
        format="json",
    )
    assert r.status_code == 403


def test_budgets_list_the_figures_and_the_checker_sets_one(two, maker, checker):
    source_id = first(two[0]).plan.source_id
    create(api(maker), two[:1])
    rows = {(r["source"], r["year"]): r for r in api(checker).get("/api/v1/funding/budgets/").json()}
    row = rows[(source_id, 2023)]
    assert (row["budget"], row["committed"], row["scheduled"]) == ("1000000.00", "20000.00", "10000.00")
    assert rows[(source_id, 2024)]["budget"] is None
    r = api(checker).post(
        "/api/v1/funding/budgets/set/", {"source": source_id, "year": 2024, "amount": "12.345"}, format="json"
    )
    assert r.status_code == 400 and r.json()["field"] == "amount"
    r = api(checker).post(
        "/api/v1/funding/budgets/set/", {"source": source_id, "year": 2024, "amount": "50000"}, format="json"
    )
    assert r.status_code == 200 and (r.json()["budget"], r.json()["remaining"]) == ("50000.00", "30000.00")
    assert len(api(checker).get(f"/api/v1/funding/budgets/?source={source_id}&year=2024").json()) == 1


def test_an_instalment_shows_its_conditions_and_history_and_the_office_confirms_one(two, office, maker):
    inst = second(two[0])
    r = api(maker).get(f"/api/v1/funding/instalments/{inst.pk}/")
    assert r.status_code == 200
    data = r.json()
    assert data["status"] == "blocked" and [c["met"] for c in data["conditions"]] == [False, False]
    assert data["history"] and data["history"][-1]["change"].startswith("planned at naming")
    Instalment.objects.filter(pk=inst.pk).update(
        conditions=[{"kind": "manual_confirmation", "params": {"zh": "提交总结", "en": "report filed"}}]
    )
    url = f"/api/v1/funding/instalments/{inst.pk}/confirm-condition/"
    r = api(maker).post(url, {"index": 0, "reason": "已收到"}, format="json")
    assert r.status_code == 403 and "人才办" in r.json()["message_zh"]
    r = api(office).post(url, {"index": 3, "reason": "已收到"}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "index"
    r = api(office).post(url, {"index": 0, "reason": "已收到"}, format="json")
    assert r.status_code == 200 and r.json()["conditions"][0]["met"] is True
    assert r.json()["status"] == "due", "the only condition holds and 2024-10-30 has passed"


def test_the_instalment_list_filters_and_takes_a_fixed_number_of_queries(
    seeds, office, maker, checker, django_assert_max_num_queries
):
    baling, jiaozuo = seeds["baling"], seeds["jiaozuo"]
    give_budget(baling, checker, 2023)
    give_budget(jiaozuo, checker, 2023)
    hs = named(baling, office, maker, 2)
    other = name_directly(jiaozuo, office, name="王焦作")
    client = api(maker)
    r = client.get("/api/v1/funding/instalments/?status=due")
    assert {x["id"] for x in r.json()["results"]} == {first(h).pk for h in hs} | {first(other).pk}
    r = client.get(f"/api/v1/funding/instalments/?source={source_of(jiaozuo).pk}")
    assert [x["id"] for x in r.json()["results"]] == [first(other).pk]
    r = client.get(f"/api/v1/funding/instalments/?round={baling.pk}&status=blocked,planned")
    assert {x["id"] for x in r.json()["results"]} == {second(h).pk for h in hs}
    r = client.get("/api/v1/funding/instalments/?due_before=2024-01-01")
    assert {x["id"] for x in r.json()["results"]} == {first(h).pk for h in hs} | {first(other).pk}
    r = client.get("/api/v1/funding/instalments/?due_before=soon")
    assert r.status_code == 400 and r.json()["field"] == "due_before"

    with django_assert_max_num_queries(4) as few:
        assert client.get("/api/v1/funding/instalments/").json()["count"] == 5
    named(baling, office, maker, 5, start=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/funding/instalments/").json()["count"] == 15


def test_the_batch_list_and_detail_take_a_fixed_number_of_queries(
    baling, office, maker, checker, django_assert_max_num_queries
):
    give_budget(baling, checker, 2023)
    small = create(api(maker), named(baling, office, maker, 1)).json()
    big = create(api(maker), named(baling, office, maker, 5, start=1)).json()
    client = api(checker)
    with django_assert_max_num_queries(12) as few:
        client.get(f"/api/v1/funding/batches/{small['id']}/")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(f"/api/v1/funding/batches/{big['id']}/").json()["lines"]) == 5
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/funding/batches/").json()["count"] == 2
    assert Decimal(big["totals"]["gross"]) == Decimal("50000.00")
