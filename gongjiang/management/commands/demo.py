"""manage.py demo: the five seed schemes with a round each, and a demo user for every role."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from backend.roles import ROLE_LABELS_ZH, Role
from funding.demo import load_demo_funding
from honourees.demo import load_demo_nominations, load_seeds
from honourees.models import RecommendingUnit, UnitClerk
from studios.demo import load_demo_studio

DEMO_PASSWORD = "gongjiang-demo"

# username, role, full name
DEMO_USERS = [
    ("office", Role.TALENT_OFFICE, "人才办 王敏"),
    ("clerk", Role.UNIT_CLERK, "岳阳楼区总工会 李静"),
    ("expert", Role.EXPERT, "评审专家 陈国强"),
    ("maker", Role.FINANCE_MAKER, "财务经办 赵琳"),
    ("checker", Role.FINANCE_CHECKER, "财务审核 孙伟"),
    ("host", Role.STUDIO_HOST, "工作室领办人 周建华"),
    ("auditor", Role.AUDITOR, "审计 吴芳"),
]


class Command(BaseCommand):
    help = "Load demo data for all five seed schemes and print the demo logins (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load demo users even with DEBUG off (they have a published password).",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "演示账号的密码是公开的，DEBUG 关闭时不加载。/ Demo users have a published password: "
                "refusing with DEBUG off (pass --allow-production to insist)."
            )
        with transaction.atomic():
            rounds = load_seeds()
            users = self._users()
            User = get_user_model()
            load_demo_nominations(clerk=User.objects.get(username="clerk"))
            # After the nominations: the studio's honouree is a named nomination of the same round.
            load_demo_studio(
                host=User.objects.get(username="host"),
                office=User.objects.get(username="office"),
                assessor=User.objects.get(username="expert"),
            )
            load_demo_funding(
                maker=User.objects.get(username="maker"),
                checker=User.objects.get(username="checker"),
                office=User.objects.get(username="office"),
            )
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(rounds)} rounds."))
        for r in rounds:
            self.stdout.write(f"  {r.scheme.name} {r.year}  ({r.scheme.code})")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for username, role, full_name in users:
            with translation.override("en"):
                english = str(role.label)
            self.stdout.write(f"  {username:<9} {ROLE_LABELS_ZH[role]:<8} {english}  — {full_name}")
        self.stdout.write("  admin     Django admin (superuser, no role)")

    def _users(self):
        User = get_user_model()
        groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
        for username, role, full_name in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.last_name, user.first_name = full_name, ""
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.set([groups[role]])
            if role == Role.UNIT_CLERK:
                unit = RecommendingUnit.objects.get(scheme__code="baling", name="岳阳楼区总工会")
                UnitClerk.objects.update_or_create(user=user, defaults={"unit": unit})
        admin, _ = User.objects.get_or_create(username="admin")
        admin.is_staff = admin.is_superuser = True
        admin.set_password(DEMO_PASSWORD)
        admin.save()
        return DEMO_USERS
