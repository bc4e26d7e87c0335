"""The report kinds that read funding: the scheme annual report and the two money exports.

Registered from reports.kinds (imported at its end), so the pages, the API, the command and the jobs list them.
"""

from django.utils.translation import gettext_lazy as _

from backend.roles import Role
from reports.kinds import ReportKind, _build, register, round_in_scope

MONEY_ROLES = frozenset({Role.TALENT_OFFICE, Role.AUDITOR, Role.FINANCE_MAKER, Role.FINANCE_CHECKER})


register(
    ReportKind(
        code="scheme-annual",
        label=_("Scheme annual report"),
        description=_(
            "One scheme's year: named, studios, sessions, apprentices, assessments, money, benefits (PDF)."
        ),
        roles=frozenset({Role.TALENT_OFFICE, Role.AUDITOR}),
        build=_build("reports.scheme_annual:build"),
        takes=("scheme", "year"),
        required=("scheme", "year"),
        output="pdf",
    )
)
register(
    ReportKind(
        code="disbursements",
        label=_("Disbursement schedule"),
        description=_("Every award instalment by month and source, paid and to pay (Excel)."),
        roles=MONEY_ROLES,
        build=_build("reports.money_exports:build_disbursements"),
        takes=("scheme", "year"),
    )
)
register(
    ReportKind(
        code="budget",
        label=_("Budget execution"),
        description=_("Each source's budget per year: committed, in batches, paid, remaining (Excel)."),
        roles=MONEY_ROLES,
        build=_build("reports.money_exports:build_budget"),
        takes=("scheme", "year"),
    )
)
register(
    ReportKind(
        code="certificates",
        label=_("Honour certificates of a round"),
        description=_("The 荣誉证书 of every honouree of a round, one per page, for printing (PDF)."),
        roles=frozenset({Role.TALENT_OFFICE}),
        build=_build("reports.certificates:build"),
        takes=("scheme", "year"),
        required=("scheme", "year"),
        check_scope=round_in_scope,
        output="pdf",
    )
)
