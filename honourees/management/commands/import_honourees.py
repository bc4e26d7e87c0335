"""manage.py import_honourees FILE --scheme SCHEME [--as USERNAME]

Registers a scheme's historic honourees (named before the system) from the historic-honouree sheet (see
honourees.registry_xlsx; the registry page offers an empty one to fill in), all rows or none. SCHEME is the
scheme's code (baling, baotou…); each row's 年度 picks the scheme's round of that year, which must exist.
The acting user is USERNAME, or else the first active talent-office user. On any error every problem is
printed (row, field, Chinese / English) and the command exits non-zero with nothing saved.
"""

from django.core.management.base import BaseCommand, CommandError

from backend.errors import DomainError
from backend.xlsx import read_bytes
from honourees.management.commands._options import acting_user, report_errors
from honourees.registry_xlsx import historic_import


class Command(BaseCommand):
    help = "Register a scheme's historic honourees from an .xlsx sheet: every row or none."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file")
        parser.add_argument("--scheme", required=True, help="the scheme's code, e.g. baotou")
        parser.add_argument("--as", dest="username", help="acting user (default: first talent-office user)")

    def handle(self, *args, file, scheme, username=None, **options):
        by = acting_user(username)
        try:
            made = historic_import(by=by, scheme_code=scheme, file=read_bytes(file))
        except OSError as e:
            raise CommandError(f"无法读取文件 {file}：{e} / Cannot read {file}: {e}") from None
        except DomainError as e:
            self.stderr.write(f"{e.zh} / {e.en}")
            report_errors(self.stderr, e)
            raise CommandError(
                f"导入失败，未保存任何工匠。/ Import failed; nothing was saved. ({file})"
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已登记 {len(made)} 名历史工匠：{scheme} / Registered {len(made)} historic honouree(s) of {scheme}."
            )
        )
        for h in made:
            self.stdout.write(f"  {h.certificate_no}  {h.person.name}  {h.round.year}")
