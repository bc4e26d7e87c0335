from django.core.management.base import BaseCommand, CommandError

from funding.reconciliation import reconcile


class Command(BaseCommand):
    help = "Check that the funding ledger, instalments, payments, batches and budgets agree (exit 1 if not)."

    def handle(self, *args, **options):
        problems = reconcile()
        for p in problems:
            self.stderr.write(p)
        if problems:
            raise CommandError(f"{len(problems)} disagreement(s) found.")
        self.stdout.write(self.style.SUCCESS("Ledger, instalments, payments, batches and budgets agree."))
