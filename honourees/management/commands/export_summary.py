"""manage.py export_summary --round ROUND [--unit UNIT] -o FILE [--as USERNAME]

Writes the 汇总表 (巴陵 notice 附件2 layout, see honourees.summary) of a round's nominations, or of
one unit's, leaving out withdrawn ones. The file holds whole identity numbers (it must import back), so
the acting user needs the talent-office role, or be the unit's own clerk for their unit, and each number
written is recorded in the personal-data access log. The acting user defaults as for import_nominations.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from backend.roles import Role, has_role
from honourees.management.commands._options import acting_user, find_round, find_unit
from honourees.models import Nomination
from honourees.summary.writing import export_summary


class Command(BaseCommand):
    help = "Export a round's (or one unit's) nominations as the notice's 汇总表 (.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("--round", required=True, help="<scheme code>-<year> (baling-2023) or a round id")
        parser.add_argument("--unit", help="unit name or id (default: every unit)")
        parser.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
        parser.add_argument("--as", dest="username", help="acting user (default: first talent-office user)")

    def handle(self, *args, round, output, unit=None, username=None, **options):
        round_ = find_round(round)
        unit_ = find_unit(round_, unit) if unit else None
        by = acting_user(username)
        own_unit = (
            unit_ is not None and has_role(by, Role.UNIT_CLERK) and unit_.clerks.filter(user=by).exists()
        )
        if not (has_role(by, Role.TALENT_OFFICE) or own_unit):
            raise CommandError(
                f"{by} 无权导出（需要人才办角色，或为本单位经办人）。/ "
                f"{by} may not export this (talent office, or the unit's own clerk, only)."
            )
        nominations = (
            Nomination.objects.filter(round=round_)
            .exclude(status=Nomination.Status.WITHDRAWN)
            .select_related("person")
            .order_by("unit__name", "pk")
        )
        if unit_ is not None:
            nominations = nominations.filter(unit=unit_)
        nominations = list(nominations)
        with transaction.atomic():  # whole numbers for roles that may see them (logged), masked for others
            data = export_summary(by=by, round_=round_, nominations=nominations, unit=unit_)
        try:
            Path(output).write_bytes(data)
        except OSError as e:
            raise CommandError(f"无法写入 {output}：{e} / Cannot write {output}: {e}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出 {len(nominations)} 名推荐人选：{output} / Exported {len(nominations)} nomination(s) to {output}."
            )
        )
