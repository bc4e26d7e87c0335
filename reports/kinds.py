"""The registry of report kinds: what each takes, who may ask for it, and the builder that makes it.

A builder is ``build(params, progress, *, by) -> Output``: ``params`` are the cleaned parameters (ids, see
``clean_params``), ``progress(percent, stage)`` reports how far it has come, and ``by`` is the person who
asked, because what a file may contain depends on who reads it (identity numbers masked for roles that
must not see them, a studio host's rows only). Builders run in a worker or in ``manage.py report`` alike,
never with a request.

Every kind is registered at the end of this module, and the pages, the API, ``manage.py report`` and the
jobs all read them from ``KINDS``, in this order: the registry's and the studios' reports, then the ones
that read funding (``scheme-annual``, ``disbursements``, ``budget``) and a round's ``certificates``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from backend.errors import NotFound, ValidationFailed
from backend.roles import Role, has_role, require_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARAM_NAMES = ("scheme", "year", "studio")


@dataclass(frozen=True)
class Output:
    content: bytes
    filename: str
    content_type: str


Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class ReportKind:
    code: str
    label: str | Promise
    roles: frozenset[str]
    build: Callable[..., Output]
    takes: tuple[str, ...] = ()  # of PARAM_NAMES
    required: tuple[str, ...] = ()
    # Raises NotPermitted/NotFound when ``by`` may not have this report of these (cleaned) params.
    check_scope: Callable[[object, dict], None] | None = None
    description: str | Promise = ""
    output: str = "xlsx"
    extra: dict = field(default_factory=dict)

    def allowed(self, user: AbstractBaseUser | AnonymousUser | None) -> bool:
        return has_role(user, *self.roles)


KINDS: dict[str, ReportKind] = {}


def register(kind: ReportKind) -> ReportKind:
    KINDS[kind.code] = kind
    return kind


def kinds_for(user: AbstractBaseUser | AnonymousUser | None) -> list[ReportKind]:
    """The kinds ``user`` may ask for, in the registry's order."""
    return [k for k in KINDS.values() if k.allowed(user)]


def get_kind(code: str) -> ReportKind:
    kind = KINDS.get(code)
    if kind is None:
        known = "、".join(KINDS)
        raise ValidationFailed(
            f"没有“{code}”这种报表（可选：{known}）。",
            f"There is no report kind '{code}' (known: {', '.join(KINDS)}).",
            field="kind",
        )
    return kind


def _scheme(value):
    from honourees.models import Scheme

    text = str(value).strip()
    found = Scheme.objects.filter(pk=int(text)).first() if text.isdigit() else None
    found = found or Scheme.objects.filter(code=text).first()
    if found is None:
        raise ValidationFailed(
            f"没有编号或代码为“{text}”的工匠项目。",
            f"No scheme with the id or code '{text}'.",
            field="scheme",
        )
    return found


def _whole(value, field_name: str, zh: str, en: str, lo: int, hi: int) -> int:
    text = str(value).strip()
    if not text.isdigit() or not lo <= int(text) <= hi:
        raise ValidationFailed(f"{zh}“{text}”无效。", f"'{text}' is not a valid {en}.", field=field_name)
    return int(text)


def clean_params(kind: ReportKind, raw: dict | None, *, by: AbstractBaseUser) -> dict:
    """The parameters as ids the builder reads, checked: that the kind takes them, that they exist, and that
    ``by`` may ask for this kind of report of them (NotPermitted / NotFound otherwise)."""
    require_role(by, *kind.roles)
    raw = {k: v for k, v in (raw or {}).items() if v not in (None, "")}
    unknown = sorted(set(raw) - set(kind.takes))
    if unknown:
        raise ValidationFailed(
            f"“{kind.label}”不接受参数：{'、'.join(unknown)}。",
            f"The report '{kind.code}' takes no {', '.join(unknown)}.",
            field=unknown[0],
        )
    missing = [p for p in kind.required if p not in raw]
    if missing:
        labels = {"scheme": ("工匠项目", "scheme"), "year": ("年度", "year"), "studio": ("工作室", "studio")}
        raise ValidationFailed(
            f"请选择{'、'.join(labels[p][0] for p in missing)}。",
            f"Choose the {', '.join(labels[p][1] for p in missing)}.",
            field=missing[0],
        )
    params: dict = {}
    if "scheme" in raw:
        params["scheme"] = _scheme(raw["scheme"]).pk
    if "year" in raw:
        params["year"] = _whole(raw["year"], "year", "年度", "year", 1949, 2200)
    if "studio" in raw:
        params["studio"] = _whole(raw["studio"], "studio", "工作室编号", "studio id", 1, 2**62)
    if kind.check_scope is not None:
        kind.check_scope(by, params)
    return params


# --- scope checks ------------------------------------------------------------------------------------------


def studio_in_scope(by: AbstractBaseUser, params: dict) -> None:
    """The studio is one ``by`` may see (a host: their own), else 404 — never a 403 confirming it exists."""
    from studios.selectors import studios_for

    if not studios_for(by).filter(pk=params["studio"]).exists():
        raise NotFound(
            f"找不到编号为 {params['studio']} 的工作室。", f"No studio #{params['studio']}.", field="studio"
        )


def round_in_scope(by: AbstractBaseUser, params: dict) -> None:
    from honourees.models import Round

    if not Round.objects.filter(scheme_id=params["scheme"], year=params["year"]).exists():
        raise NotFound("该项目在该年度没有评选批次。", "The scheme has no round in that year.", field="year")


def summary_scope(by: AbstractBaseUser, params: dict) -> None:
    """A unit clerk gets their own unit's 汇总表 only; the office and the auditor any round's."""
    round_in_scope(by, params)
    if not has_role(by, Role.TALENT_OFFICE, Role.AUDITOR):
        from honourees.models import UnitClerk

        if not UnitClerk.objects.filter(user=by).exists():
            raise NotFound("您没有所属推荐单位。", "You belong to no recommending unit.", field="scheme")


# --- the kinds -----------------------------------------------------------------------------------------------

# Who reads the registry's exports and who reads the money's: the same four roles, named apart.
REGISTRY_ROLES = frozenset({Role.TALENT_OFFICE, Role.AUDITOR, Role.FINANCE_MAKER, Role.FINANCE_CHECKER})
MONEY_ROLES = frozenset({Role.TALENT_OFFICE, Role.AUDITOR, Role.FINANCE_MAKER, Role.FINANCE_CHECKER})


def _build(path: str) -> Callable[..., Output]:
    """The builder at ``module:function``, imported when first used (builders pull in WeasyPrint)."""

    def build(params, progress, *, by):
        import importlib

        module, name = path.split(":")
        return getattr(importlib.import_module(module), name)(params, progress, by=by)

    build.__qualname__ = path
    return build


register(
    ReportKind(
        code="studio-annual",
        label=_("Studio annual assessment report"),
        description=_(
            "One studio's year: host, apprentices, sessions by month, each rubric item, the result (PDF)."
        ),
        roles=frozenset({Role.TALENT_OFFICE, Role.AUDITOR, Role.STUDIO_HOST}),
        build=_build("reports.studio_annual:build"),
        takes=("studio", "year"),
        required=("studio",),
        check_scope=studio_in_scope,
        output="pdf",
    )
)
register(
    ReportKind(
        code="roster",
        label=_("Honouree roster"),
        description=_("Every honouree of the registry, by scheme and year (Excel)."),
        roles=REGISTRY_ROLES,
        build=_build("reports.exports:build_roster"),
        takes=("scheme", "year"),
    )
)
register(
    ReportKind(
        code="sessions",
        label=_("Mentoring sessions log"),
        description=_("Every mentoring session of the studios you may see (Excel)."),
        roles=frozenset({Role.TALENT_OFFICE, Role.AUDITOR, Role.STUDIO_HOST}),
        build=_build("reports.exports:build_sessions"),
        takes=("scheme", "year", "studio"),
        check_scope=lambda by, p: studio_in_scope(by, p) if "studio" in p else None,
    )
)
register(
    ReportKind(
        code="benefits",
        label=_("Benefits ledger"),
        description=_("Benefits delivered to honourees, with amounts and recoveries (Excel)."),
        roles=REGISTRY_ROLES,
        build=_build("reports.exports:build_benefits"),
        takes=("scheme", "year"),
    )
)
register(
    ReportKind(
        code="summary",
        label=_("Nominations summary (汇总表)"),
        description=_("The intake's summary table of a round, in the notice's layout (Excel)."),
        roles=frozenset({Role.TALENT_OFFICE, Role.AUDITOR, Role.UNIT_CLERK}),
        build=_build("reports.exports:build_summary"),
        takes=("scheme", "year"),
        required=("scheme", "year"),
        check_scope=summary_scope,
    )
)
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
