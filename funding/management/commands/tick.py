import datetime as dt

from django.core.management.base import BaseCommand

from funding.tasks import daily_tick


class Command(BaseCommand):
    help = (
        "The daily run: payable benefits of the month made instalments, every open instalment re-read and "
        "moved where its conditions and dates now put it (due, planned, blocked, forfeited), the counts by "
        "status printed. Sends no reminders (reports' daily reminder job does). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=dt.date.fromisoformat, help="run as of this day (default: today)")

    def handle(self, *args, **options):
        result = daily_tick(options["date"].isoformat() if options["date"] else None)
        self.stdout.write(", ".join(f"{k}={v}" for k, v in result.items()))
