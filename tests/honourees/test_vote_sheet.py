"""The online-vote sheet: written for the candidates, filled in, imported (all counts or none)."""

import io

import pytest
from openpyxl import Workbook

from backend.errors import NotPermitted
from honourees import eligibility
from honourees.imports import votes_import, write_vote_sheet
from honourees.services import intake, review
from tests.honourees.conftest import person_data, unit_of
from tests.honourees.summary_steps import (
    edit,
    of_round,
    refused,
    sheet,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def bayu_vote(rounds, office, clerk_of, nominate):
    """The 巴渝 round under review with three shortlisted nominations waiting for the online vote."""
    r = rounds["bayu"]
    unit = unit_of(r, "district")
    clerk = clerk_of(unit)
    made = [
        nominate(r, unit, clerk, person=person_data(name), claimed_routes=[])
        for name in ("张一", "李二", "王三")
    ]
    for n in made:
        intake.nomination_submit(by=clerk, nomination_id=n.pk)
    review.round_set_status(by=office, round_id=r.pk, status="reviewing")
    for n in made:
        n.refresh_from_db()
        judge = {
            str(c.index): {"ok": True, "note": ""}
            for c in eligibility.evaluate(n)
            if c.outcome == eligibility.JUDGE
        }
        assert judge, "巴渝 has a judgement item to decide"
        review.nomination_qualify(by=office, nomination_id=n.pk, judgements=judge)
    review.round_shortlist(by=office, round_id=r.pk, nomination_ids=[n.pk for n in made])
    return r, made


def filled_vote_sheet(round_, nominations, counts: dict) -> bytes:
    """The vote sheet as written for the office, with these counts typed into column C by row number."""

    def fill(ws):
        for row, value in counts.items():
            ws[f"C{row}"] = value

    return edit(write_vote_sheet(round_, nominations), fill)


def test_the_vote_sheet_lists_each_candidate_with_an_empty_count(bayu_vote):
    r, made = bayu_vote
    ws = sheet(write_vote_sheet(r, of_round(r)))

    assert [list(row) for row in ws.iter_rows(values_only=True)] == [
        ["申报编号", "姓名", "得票数"],
        [made[0].pk, "张一", None],
        [made[1].pk, "李二", None],
        [made[2].pk, "王三", None],
    ]


def test_imported_vote_counts_are_recorded_and_move_the_candidates_on(bayu_vote, office):
    r, made = bayu_vote
    data = filled_vote_sheet(r, of_round(r), {2: 1200, 3: 0, 4: "356"})

    kept = votes_import(by=office, round_id=r.pk, file=data)

    assert {n.pk for n in kept} == {n.pk for n in made}, "巴渝 keeps the top 30, so all three go on"
    assert list(of_round(r).values_list("vote_count", "status")) == [
        (1200, "voted"),
        (0, "voted"),
        (356, "voted"),
    ]


@pytest.mark.parametrize(
    ("case", "change", "row", "field", "words"),
    [
        ("a candidate is missing", lambda ws, made: ws.delete_rows(3), None, "votes", "李二"),
        ("a count is negative", lambda ws, made: setattr(ws["C3"], "value", -5), 3, "votes", "非负整数"),
        ("a count is left empty", lambda ws, made: setattr(ws["C4"], "value", None), 4, "votes", "空白"),
        ("a count is a fraction", lambda ws, made: setattr(ws["C2"], "value", 10.5), 2, "votes", "非负整数"),
        ("a count is a formula", lambda ws, made: setattr(ws["C2"], "value", "=100*2"), 2, "votes", "公式"),
        (
            "a name does not match its number",
            lambda ws, made: setattr(ws["B3"], "value", "李四"),
            3,
            "name",
            "李二",
        ),
        (
            "a number is not in the vote",
            lambda ws, made: setattr(ws["A4"], "value", 999999),
            4,
            "nomination",
            "999999",
        ),
        (
            "a candidate appears twice",
            lambda ws, made: [setattr(ws["A4"], "value", made[1].pk), setattr(ws["B4"], "value", "李二")],
            4,
            "nomination",
            "重复",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_bad_vote_sheet_saves_no_count_and_names_the_problem(
    bayu_vote, office, case, change, row, field, words
):
    r, made = bayu_vote
    data = edit(filled_vote_sheet(r, of_round(r), {2: 10, 3: 20, 4: 30}), lambda ws: change(ws, made))

    error = refused(lambda: votes_import(by=office, round_id=r.pk, file=data))

    assert any(e.row == row and e.field == field and words in e.zh for e in error.errors), [
        (e.row, e.field, e.zh) for e in error.errors
    ]
    assert all(e.en for e in error.errors)
    assert set(of_round(r).values_list("vote_count", "status")) == {(None, "shortlisted")}


def test_a_vote_sheet_with_another_header_or_no_workbook_is_refused(bayu_vote, office):
    r, _ = bayu_vote
    wb = Workbook()
    wb.active.append(["编号", "姓名", "票数"])
    out = io.BytesIO()
    wb.save(out)

    header_error = refused(lambda: votes_import(by=office, round_id=r.pk, file=out.getvalue()))
    file_error = refused(lambda: votes_import(by=office, round_id=r.pk, file=b"not a workbook"))

    assert header_error.errors[0].row == 1 and "申报编号 | 姓名 | 得票数" in header_error.errors[0].zh
    assert file_error.errors[0].field == "file"
    assert set(of_round(r).values_list("status", flat=True)) == {"shortlisted"}


def test_only_the_talent_office_imports_votes(bayu_vote, clerk_of):
    r, made = bayu_vote
    clerk = clerk_of(made[0].unit)

    with pytest.raises(NotPermitted):
        votes_import(by=clerk, round_id=r.pk, file=filled_vote_sheet(r, of_round(r), {2: 1, 3: 2, 4: 3}))
    assert set(of_round(r).values_list("status", flat=True)) == {"shortlisted"}
