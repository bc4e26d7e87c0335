"""The Excel import of paper logs: every row or none, each error naming its row and column."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from backend.errors import NotFound, NotPermitted, ValidationFailed
from studios.imports import HEADER, session_template, sessions_import
from studios.models import MentoringSession

from .conftest import add_apprentice, logged_in

pytestmark = pytest.mark.django_db


def sheet(*rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(
    day="2025-03-04",
    start="09:00",
    end="11:00",
    kind="授课讲解",
    topic="识图",
    place="实训室",
    who="李明、王芳",
    notes="",
):
    return [day, start, end, kind, topic, place, who, notes]


def test_a_paper_log_is_imported_with_excel_dates_and_times(studio_a, host_a, apprentices_a):
    made = sessions_import(
        by=host_a,
        studio_id=studio_a.pk,
        file=sheet(
            row(),
            [
                dt.datetime(2025, 3, 11),
                dt.time(14, 0),
                dt.time(16, 30),
                "实操训练",
                "锉削",
                "",
                "张伟，李明",
                "带签到表",
            ],
            row(day="2025/3/18", who="王芳", kind=""),
        ),
    )
    assert [(s.date, s.hours, s.kind) for s in made] == [
        (dt.date(2025, 3, 4), 2, "teaching"),
        (dt.date(2025, 3, 11), 2.5, "practice"),
        (dt.date(2025, 3, 18), 2, "teaching"),
    ]
    assert sorted(made[1].attendees.values_list("person__name", flat=True)) == ["张伟", "李明"]
    assert {s.status for s in made} == {"submitted"}


def test_every_error_names_its_row_and_column_and_nothing_is_saved(studio_a, host_a, apprentices_a):
    file = sheet(
        row(),  # fine, but rolled back with the rest
        row(day="2099-01-01"),  # row 3: the future
        row(end="08:00"),  # row 4: end before start
        row(who="李明、路人甲"),  # row 5: not an apprentice
        row(kind="聊天"),  # row 6: not a kind
        row(day="2025-02-30"),  # row 7: not a date
        row(topic=""),  # row 8: no topic
    )
    with pytest.raises(ValidationFailed) as e:
        sessions_import(by=host_a, studio_id=studio_a.pk, file=file)
    errors = {(x.row, x.field): x for x in e.value.errors}
    assert set(errors) == {
        (3, "date"),
        (4, "ends_at"),
        (5, "attendees"),
        (6, "kind"),
        (7, "date"),
        (8, "topic"),
    }
    assert errors[(4, "ends_at")].zh.startswith("第 4 行 C 列“结束时间”")
    assert (
        errors[(5, "attendees")].en.startswith("Row 5, column G") and "路人甲" in errors[(5, "attendees")].zh
    )
    assert "nothing was saved" in e.value.en
    assert not MentoringSession.objects.exists()


def test_rows_are_checked_against_the_rows_above_them(studio_a, host_a, apprentices_a):
    with pytest.raises(ValidationFailed) as e:
        sessions_import(
            by=host_a,
            studio_id=studio_a.pk,
            file=sheet(row(start="00:00", end="20:00"), row(start="06:00", end="11:00")),
        )
    assert [(x.row, x.field) for x in e.value.errors] == [(3, "date")]
    assert not MentoringSession.objects.exists()


def test_namesakes_need_the_last_four_characters_of_their_identity_number(studio_a, host_a, apprentices_a):
    twin = add_apprentice(studio_a, host_a, "李明")
    with pytest.raises(ValidationFailed) as e:
        sessions_import(by=host_a, studio_id=studio_a.pk, file=sheet(row(who="李明")))
    assert "身份证后四位" in (e.value.errors or [e.value])[0].zh
    made = sessions_import(
        by=host_a, studio_id=studio_a.pk, file=sheet(row(who=f"李明（{twin.person.id_number[-4:]}）"))
    )
    assert list(made[0].attendees.all()) == [twin]


def test_a_wrong_header_a_formula_or_an_empty_sheet_is_refused(studio_a, host_a, apprentices_a):
    with pytest.raises(ValidationFailed) as e:
        sessions_import(by=host_a, studio_id=studio_a.pk, file=sheet(row(), header=["日期", "时长"]))
    assert e.value.errors[0].row == 1
    with pytest.raises(ValidationFailed) as e:
        sessions_import(by=host_a, studio_id=studio_a.pk, file=sheet(row(end="=B2+1")))
    assert e.value.errors[0].field == "formula"
    with pytest.raises(ValidationFailed):
        sessions_import(by=host_a, studio_id=studio_a.pk, file=sheet())
    with pytest.raises(ValidationFailed) as e:
        sessions_import(by=host_a, studio_id=studio_a.pk, file=b"not a workbook")
    assert e.value.field == "file"
    assert not MentoringSession.objects.exists()


def test_only_the_host_or_the_office_imports(studio_a, studio_b, host_b, auditor, apprentices_a):
    with pytest.raises(NotFound):
        sessions_import(by=host_b, studio_id=studio_a.pk, file=sheet(row()))
    with pytest.raises(NotPermitted):
        sessions_import(by=auditor, studio_id=studio_a.pk, file=sheet(row()))


def test_the_template_round_trips_through_the_page(studio_a, host_a, apprentices_a):
    client = logged_in(host_a)
    response = client.get(f"/studios/{studio_a.pk}/import/template.xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    assert tuple(c.value for c in wb.worksheets[0][1]) == HEADER
    assert "李明" in [c.value for c in wb.worksheets[1]["A"]]
    assert session_template(studio_a)
    ws = wb.worksheets[0]
    ws.append(row())
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "log.xlsx"
    response = client.post(f"/studios/{studio_a.pk}/import/", {"file": out})
    assert response.status_code == 302 and MentoringSession.objects.count() == 1
    bad = io.BytesIO(sheet(row(end="08:00")))
    bad.name = "bad.xlsx"
    page = client.post(f"/studios/{studio_a.pk}/import/", {"file": bad}).content.decode()
    assert 'data-row="2"' in page and "第 2 行 C 列" in page
    assert MentoringSession.objects.count() == 1
