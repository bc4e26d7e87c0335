"""manage.py report KIND [--scheme S] [--year Y] [--studio N] -o FILE [--as USERNAME]

Builds a report in this process (no worker) with a text progress bar on stderr. KIND is one of the
registered kinds (reports.kinds); --scheme takes the scheme's id or code, --studio the studio's id. The
acting user decides what the file may hold (masked identity numbers, a host's own studios); it defaults
to the first talent-office user, as for the intake's commands.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from backend.errors import DomainError
from honourees.management.commands._options import acting_user
from reports.kinds import KINDS, clean_params, get_kind

BAR = 30


class Command(BaseCommand):
    help = "Build a report (PDF or Excel) from the command line, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("kind", help=f"one of: {', '.join(KINDS)}")
        parser.add_argument("--scheme", help="scheme id or code (baling)")
        parser.add_argument("--year", help="year")
        parser.add_argument("--studio", help="studio id")
        parser.add_argument("-o", "--output", required=True, help="the file to write")
        parser.add_argument("--as", dest="username", help="acting user (default: first talent-office user)")

    def progress(self, percent: int, stage: str = "") -> None:
        filled = BAR * max(0, min(100, percent)) // 100
        self.stderr.write(
            f"\r[{'#' * filled}{'-' * (BAR - filled)}] {percent:3d}% {stage[:50]:<50}", ending=""
        )
        self.stderr.flush()

    def handle(self, *args, kind, output, scheme=None, year=None, studio=None, username=None, **options):
        by = acting_user(username)
        raw = {k: v for k, v in {"scheme": scheme, "year": year, "studio": studio}.items() if v is not None}
        with translation.override("zh-hans"):
            try:
                report_kind = get_kind(kind)
                params = clean_params(report_kind, raw, by=by)
                out = report_kind.build(params, self.progress, by=by)
            except DomainError as e:
                self.stderr.write("")
                raise CommandError(f"{e.zh} / {e.en}") from None
        try:
            Path(output).write_bytes(out.content)
        except OSError as e:
            raise CommandError(f"无法写入 {output}：{e} / Cannot write {output}: {e}") from None
        self.progress(100, "")
        self.stderr.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {report_kind.label}：{output}（{len(out.content)} 字节）/ Wrote {output}."
            )
        )
