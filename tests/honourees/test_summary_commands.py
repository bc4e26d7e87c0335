"""manage.py import_nominations and export_summary, on real .xlsx files."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from backend.models import PersonalDataAccess
from honourees.models import Nomination
from honourees.services import intake
from tests.honourees.conftest import unit_of
from tests.honourees.summary_steps import (
    file_with,
    good_row,
    of_round,
    sheet,
    summary_rows,
    three_nominations,
)

pytestmark = pytest.mark.django_db


def test_import_nominations_reads_the_unit_from_the_file_and_prints_what_it_imported(
    baling, unit, clerk, tmp_path
):
    path = tmp_path / "汇总表.xlsx"
    path.write_bytes(file_with(baling, unit, good_row(B="赵师傅"), good_row(B="钱师傅")))
    out = io.StringIO()

    call_command("import_nominations", str(path), "--round", "baling-2023", "--as", "lily", stdout=out)

    assert "已导入 2 名" in out.getvalue() and "Imported 2" in out.getvalue()
    assert "钱师傅" in out.getvalue()
    assert list(of_round(baling).values_list("person__name", "unit", "status")) == [
        ("赵师傅", unit.pk, "draft"),
        ("钱师傅", unit.pk, "draft"),
    ]


def test_import_nominations_acts_as_the_talent_office_by_default_and_takes_a_round_id(
    baling, unit, office, tmp_path
):
    path = tmp_path / "summary.xlsx"
    path.write_bytes(file_with(baling, unit, good_row()))

    call_command(
        "import_nominations",
        str(path),
        "--round",
        str(baling.pk),
        "--unit",
        str(unit.pk),
        stdout=io.StringIO(),
    )

    (n,) = of_round(baling)
    assert n.history.first().history_user == office


def test_import_nominations_prints_every_error_and_fails_with_nothing_saved(baling, unit, clerk, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(file_with(baling, unit, good_row(), good_row(M="123"), good_row(H="很多")))
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing was saved"):
        call_command(
            "import_nominations",
            str(path),
            "--round",
            "baling-2023",
            "--unit",
            "岳阳楼区总工会",
            "--as",
            "lily",
            stdout=io.StringIO(),
            stderr=err,
        )

    assert "row 6 · id_number" in err.getvalue() and "row 7 · years_in_trade" in err.getvalue()
    assert "第 6 行 M 列" in err.getvalue() and "Row 7, column H" in err.getvalue()
    assert Nomination.objects.count() == 0


def test_import_nominations_refuses_an_unknown_round_or_unit(baling, unit, clerk, tmp_path):
    path = tmp_path / "summary.xlsx"
    path.write_bytes(file_with(baling, unit, good_row()))

    with pytest.raises(CommandError, match="baling-1999"):
        call_command("import_nominations", str(path), "--round", "baling-1999", "--as", "lily")
    with pytest.raises(CommandError, match="不存在的单位"):
        call_command(
            "import_nominations",
            str(path),
            "--round",
            "baling-2023",
            "--unit",
            "不存在的单位",
            "--as",
            "lily",
        )
    assert Nomination.objects.count() == 0


def test_export_summary_writes_a_file_that_imports_back_and_logs_the_identity_numbers_shown(
    baling, unit, clerk, office, nominate, tmp_path
):
    made = three_nominations(baling, unit, clerk, nominate)
    intake.nomination_withdraw(by=clerk, nomination_id=made[0].pk)
    path = tmp_path / "out.xlsx"

    call_command(
        "export_summary",
        "--round",
        "baling-2023",
        "--unit",
        "岳阳楼区总工会",
        "-o",
        str(path),
        stdout=io.StringIO(),
    )

    rows = summary_rows(path, round_=baling)
    assert [r["person"]["name"] for r in rows] == ["李红梅", "欧阳·王五"], (
        "withdrawn nominations are left out"
    )
    assert sheet(path.read_bytes())["A2"].value == "推荐单位（盖章）：岳阳楼区总工会"
    assert PersonalDataAccess.objects.filter(user=office, field="id_number").count() == 2


def test_export_summary_is_refused_to_a_clerk_of_another_unit(baling, unit, clerk_of, tmp_path):
    clerk_of(unit_of(baling, "industry_union"), "stan")

    with pytest.raises(CommandError, match="stan"):
        call_command(
            "export_summary",
            "--round",
            "baling-2023",
            "--unit",
            str(unit.pk),
            "-o",
            str(tmp_path / "x.xlsx"),
            "--as",
            "stan",
        )
    assert not (tmp_path / "x.xlsx").exists()


# --- online votes (巴渝: qualification → shortlist → online vote → expert review) ---------------------------
