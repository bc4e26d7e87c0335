"""manage.py import_nominations FILE --round ROUND [--unit UNIT] [--as USERNAME]

Imports a recommending unit's 汇总表 (巴陵 notice 附件2, with the system's extra columns; see
honourees.summary) as draft nominations, all rows or none. ROUND is ``<scheme code>-<year>``
(baling-2023) or a round id; UNIT a unit name or id, read from the file's 推荐单位 row when left out. The
acting user is USERNAME, or else the first active talent-office user, or else the first active superuser
(who must also be in the talent-office group: roles are groups only). On any error every problem is
printed (row, field, Chinese / English) and the command exits non-zero with nothing saved.
"""

from django.core.management.base import BaseCommand, CommandError

from backend.errors import DomainError
from backend.xlsx import read_bytes
from honourees.imports import nominations_import
from honourees.management.commands._options import acting_user, find_round, find_unit, report_errors
from honourees.summary.reading import parse_summary


class Command(BaseCommand):
    help = "Import a unit's 汇总表 (.xlsx) as draft nominations: every row or none."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file")
        parser.add_argument("--round", required=True, help="<scheme code>-<year> (baling-2023) or a round id")
        parser.add_argument("--unit", help="unit name or id (default: the file's 推荐单位 row)")
        parser.add_argument("--as", dest="username", help="acting user (default: first talent-office user)")

    def handle(self, *args, file, round, unit=None, username=None, **options):
        round_ = find_round(round)
        by = acting_user(username)
        try:
            data = read_bytes(file)
        except OSError as e:
            raise CommandError(f"无法读取文件 {file}：{e} / Cannot read {file}: {e}") from None
        try:
            if unit:
                unit_ = find_unit(round_, unit)
            else:
                name = parse_summary(data, round_=round_).unit_name
                if not name:
                    raise CommandError(
                        "文件的“推荐单位（盖章）：”一栏为空，请用 --unit 指定推荐单位。/ "
                        "The file's 推荐单位 row is empty: name the unit with --unit."
                    )
                unit_ = find_unit(round_, name)
            made = nominations_import(by=by, round_id=round_.pk, unit_id=unit_.pk, file=data)
        except DomainError as e:
            self.stderr.write(f"{e.zh} / {e.en}")
            report_errors(self.stderr, e)
            raise CommandError(
                f"导入失败，未保存任何推荐人选。/ Import failed; nothing was saved. ({file})"
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 {len(made)} 名推荐人选（草稿）：{round_} · {unit_} / "
                f"Imported {len(made)} draft nomination(s) into {round_} for {unit_}."
            )
        )
        for n in made:
            self.stdout.write(f"  #{n.pk}  {n.person.name}  {n.employer}")
