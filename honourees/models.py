"""Schemes, rounds (with their rules as data) and recommending units."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.errors import DomainError
from backend.history import domain_history
from backend.idnumbers import normalize_credit_code
from backend.skills import SkillLevel
from honourees.rules import (
    TIER_LABELS,
    BenefitKind,
    Funder,
    HonourLevel,
    UnitType,
    validate_recurrence,
    validate_round_rules,
)


class Scheme(models.Model):
    """One city's honour title (巴陵工匠, 焦作工匠, …); it runs a round a year or so."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=50)
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)

    history = domain_history()

    class Meta:
        ordering = ["code"]
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")

    def __str__(self):
        return self.name


class Round(models.Model):
    """One year's call of a scheme, holding its own rules (quotas, checks, stages, award, benefits)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("受理申报")
        REVIEWING = "reviewing", _("评审中")
        IN_NOTICE = "in_notice", _("公示中")
        CLOSED = "closed", _("已命名")

    NEXT = {
        Status.DRAFT: {Status.OPEN},
        Status.OPEN: {Status.REVIEWING},
        Status.REVIEWING: {Status.IN_NOTICE, Status.OPEN, Status.CLOSED},  # CLOSED: a round without a notice
        Status.IN_NOTICE: {Status.CLOSED},  # its candidates cannot go back from in_notice
        Status.CLOSED: set(),
    }

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="rounds")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    document_no = models.CharField(_("notice document number"), max_length=100, blank=True)
    published_on = models.DateField(_("notice published on"), null=True, blank=True)
    target_count = models.PositiveSmallIntegerField(_("number to name"))
    notice_working_days = models.PositiveSmallIntegerField(_("public notice (working days)"), default=5)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    rules = models.JSONField(_("rules"), default=dict)
    # The public notice of the proposed list, as computed by backend.workdays.notice_period: its start,
    # length, end and the calendar that produced it are kept so the end can be explained later.
    notice_starts_on = models.DateField(_("notice starts"), null=True, blank=True)
    notice_ends_on = models.DateField(_("notice ends"), null=True, blank=True)
    notice_calendar = models.CharField(_("notice calendar"), max_length=100, blank=True)
    naming_document = models.CharField(_("naming document"), max_length=200, blank=True)

    history = domain_history()

    class Meta:
        ordering = ["scheme__code", "-year"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [models.UniqueConstraint(fields=["scheme", "year"], name="round_one_per_scheme_year")]

    def __str__(self):
        return f"{self.scheme.name} {self.year}"

    def can_become(self, status: str) -> bool:
        return status in self.NEXT[self.status]

    def stage_kinds(self) -> list[str]:
        return [stage["kind"] for stage in self.rules.get("stages", [])]

    def clean(self):
        try:
            validate_round_rules(self.rules)
        except DomainError as e:
            raise ValidationError({"rules": f"{e.zh} / {e.en}"}) from None
        days = next((st.get("days") for st in self.rules.get("stages", []) if st["kind"] == "notice"), None)
        if days is not None and days != self.notice_working_days:
            raise ValidationError(
                {
                    "notice_working_days": f"与规则中公示环节的 {days} 个工作日不一致 / "
                    f"differs from the {days} working days of the rules' notice stage"
                }
            )


class RecommendingUnit(models.Model):
    """A body that may recommend candidates to a scheme's rounds (a county union, a city department…)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("name"), max_length=200)
    unit_type = models.CharField(_("unit type"), max_length=30, choices=UnitType.choices)
    region = models.CharField(_("region"), max_length=100, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    is_pilot = models.BooleanField(_("reform pilot unit"), default=False)

    history = domain_history()

    class Meta:
        ordering = ["scheme__code", "unit_type", "name"]
        verbose_name = _("recommending unit")
        verbose_name_plural = _("recommending units")
        constraints = [models.UniqueConstraint(fields=["scheme", "name"], name="unit_name_unique_per_scheme")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.credit_code:
            try:
                self.credit_code = normalize_credit_code(self.credit_code)
            except DomainError as e:
                raise ValidationError({"credit_code": f"{e.zh} / {e.en}"}) from None


class UnitClerk(models.Model):
    """A recommending-unit clerk's account belongs to exactly one unit."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clerk_of")
    unit = models.ForeignKey(RecommendingUnit, on_delete=models.PROTECT, related_name="clerks")

    history = domain_history()

    class Meta:
        verbose_name = _("unit clerk")
        verbose_name_plural = _("unit clerks")

    def __str__(self):
        return f"{self.user} @ {self.unit}"


class Person(models.Model):
    """Someone nominated or honoured, identified by their 居民身份证号 (stored whole, shown masked)."""

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    id_number = models.CharField(_("identity number"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))

    history = domain_history()

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name


class PriorHonour(models.Model):
    """An honour or programme a person already holds (省劳模, 三晋英才…), recorded by the office.

    DOMAIN.md §3: kept as (name, level, conferring body, date, revoked?) so that the intake's checks
    ("already holds a provincial-or-higher honour", "already in 三晋英才") can read them. A revoked honour is
    kept, marked, never deleted.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="prior_honours")
    name = models.CharField(_("honour"), max_length=200)
    programme = models.SlugField(
        _("programme code"), max_length=60, blank=True, help_text=_("e.g. city_talent_funding, sanjin_talent")
    )
    level = models.CharField(_("level"), max_length=20, choices=HonourLevel.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    conferred_on = models.DateField(_("conferred on"), null=True, blank=True)
    granted_by = models.CharField(_("granted by"), max_length=200, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)

    history = domain_history()

    class Meta:
        ordering = ["person_id", "-year"]
        verbose_name = _("prior honour")
        verbose_name_plural = _("prior honours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked=False) | models.Q(revoked_on__isnull=False),
                name="prior_honour_revoked_has_date",
            )
        ]

    def __str__(self):
        return f"{self.person} · {self.name}"


class Debarment(models.Model):
    """A person barred from nomination, e.g. 巴陵 notice §五(二): false claims → 3 years."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="debarments")
    scheme = models.ForeignKey(
        Scheme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("empty: every scheme"),
    )
    reason = models.CharField(_("reason"), max_length=500)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    source = models.ForeignKey(
        "Nomination", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = domain_history()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("debarment")
        verbose_name_plural = _("debarments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="debarment_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.person} {self.starts_on}–{self.ends_on}"


class Nomination(models.Model):
    """One person's 推荐申报表 in one round: every field of 巴陵's 附件1 plus what the other notices add."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已报送")
        QUALIFIED = "qualified", _("资格审查通过")
        REJECTED = "rejected", _("资格审查未通过")
        SCORED = "scored", _("专家已评分")
        SHORTLISTED = "shortlisted", _("入围")
        VOTED = "voted", _("网络投票通过")
        DEFENDED = "defended", _("已答辩")
        INSPECTED = "inspected", _("已实地考察")
        PROPOSED = "proposed", _("拟命名")
        IN_NOTICE = "in_notice", _("公示中")
        NAMED = "named", _("已命名")
        NOT_SELECTED = "not_selected", _("未入选")
        WITHDRAWN = "withdrawn", _("已撤回")
        DISQUALIFIED = "disqualified", _("取消资格")

    # Every move a nomination can make; a round's stage list picks its path through the optional steps
    # (honourees.stages.path_for), and nothing else hard-codes the next state.
    _REVIEWED = {Status.SCORED, Status.SHORTLISTED, Status.VOTED, Status.DEFENDED, Status.INSPECTED}
    _OUT = {Status.NOT_SELECTED, Status.WITHDRAWN, Status.DISQUALIFIED}
    NEXT = {
        Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
        Status.SUBMITTED: {
            Status.QUALIFIED,
            Status.REJECTED,
            Status.DRAFT,
            Status.WITHDRAWN,
            Status.DISQUALIFIED,
        },
        Status.QUALIFIED: _REVIEWED | {Status.PROPOSED} | _OUT,
        Status.REJECTED: set(),
        Status.SCORED: _REVIEWED - {Status.SCORED} | {Status.PROPOSED} | _OUT,
        Status.SHORTLISTED: _REVIEWED - {Status.SHORTLISTED} | {Status.PROPOSED} | _OUT,
        Status.VOTED: _REVIEWED - {Status.VOTED} | {Status.PROPOSED} | _OUT,
        Status.DEFENDED: _REVIEWED - {Status.DEFENDED} | {Status.PROPOSED} | _OUT,
        Status.INSPECTED: _REVIEWED - {Status.INSPECTED} | {Status.PROPOSED} | _OUT,
        Status.PROPOSED: {Status.IN_NOTICE, Status.NAMED} | _OUT,
        Status.IN_NOTICE: {Status.NAMED} | _OUT,
        Status.NAMED: set(),
        Status.NOT_SELECTED: set(),
        Status.WITHDRAWN: set(),
        Status.DISQUALIFIED: set(),
    }
    # A unit's quota counts every nomination it has sent, whatever happened to it since, except these.
    NOT_COUNTED = (Status.DRAFT, Status.WITHDRAWN)

    class Channel(models.TextChoices):
        UNIT = "unit", _("单位推荐")
        SOCIAL = "social", _("社会推荐")
        SELF = "self", _("个人自荐")
        DIRECT = "direct", _("直接认定")

    class Category(models.TextChoices):
        MANUFACTURING = "manufacturing", _("制造业")
        TRADITIONAL_CRAFT = "traditional_craft", _("传统工艺")
        OTHER = "other", _("其他")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="nominations")
    unit = models.ForeignKey(
        RecommendingUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="nominations"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="nominations")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.UNIT)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.MANUFACTURING
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    tier = models.CharField(_("tier"), max_length=20, blank=True)

    # 附件1, first page and the table
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    political_status = models.CharField(_("political status"), max_length=30, blank=True)
    native_place = models.CharField(_("native place"), max_length=50, blank=True)
    education_fulltime = models.CharField(_("full-time education"), max_length=30, blank=True)
    school_fulltime = models.CharField(_("full-time school and major"), max_length=200, blank=True)
    education_inservice = models.CharField(_("in-service education"), max_length=30, blank=True)
    school_inservice = models.CharField(_("in-service school and major"), max_length=200, blank=True)
    trade = models.CharField(_("trade"), max_length=100)
    skill_level = models.CharField(_("skill level"), max_length=30, choices=SkillLevel.choices, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    employer = models.CharField(_("employer"), max_length=200)
    position = models.CharField(_("position"), max_length=100, blank=True)
    work_started_on = models.DateField(_("started work"), null=True, blank=True)
    years_in_trade = models.PositiveSmallIntegerField(_("years in the trade"), null=True, blank=True)
    in_city_since = models.DateField(_("full-time in the city since"), null=True, blank=True)
    expertise = models.CharField(_("main technical expertise"), max_length=500, blank=True)
    invention_patent_count = models.PositiveSmallIntegerField(_("national invention patents"), default=0)
    innovation_count = models.PositiveSmallIntegerField(_("innovations or process improvements"), default=0)
    resume = models.JSONField(_("résumé"), default=list, blank=True)  # [{from, to, what}]
    awards = models.JSONField(
        _("awards and honours"), default=list, blank=True
    )  # [{date,name,grantor,level,rank}]
    patents = models.JSONField(_("patents"), default=list, blank=True)  # [{term,name,authority,owner}]
    innovation_work = models.TextField(_("technical innovation"), blank=True)
    process_improvement = models.TextField(_("process improvement or traditional craft"), blank=True)
    mentoring_work = models.TextField(_("passing on skills (传帮带)"), blank=True)
    brief_deeds = models.TextField(_("brief deeds (≤ 500 characters)"), blank=True)
    full_deeds = models.TextField(_("full deeds"), blank=True)
    declaration_signed_on = models.DateField(_("declaration signed on"), null=True, blank=True)
    employer_opinion = models.TextField(_("employer's opinion"), blank=True)
    recommender_opinion = models.TextField(_("recommending unit's opinion"), blank=True)
    peer_org_opinion = models.TextField(_("opinion of the organisation department"), blank=True)
    # 晋中 §三: opinions of the 政法, 卫健 and other departments: [{department, opinion}]
    department_opinions = models.JSONField(_("other departments' opinions"), default=list, blank=True)
    # 包头 §三: which of the six routes the nominee claims; 巴渝 §五: alternative routes to 技师
    claimed_routes = models.JSONField(_("routes claimed"), default=list, blank=True)

    # 包头 §五(一): the unit publishes its candidates for ≥ 3 working days before recommending them
    unit_notice_starts_on = models.DateField(_("unit notice published on"), null=True, blank=True)

    # Review
    eligibility = models.JSONField(_("eligibility results"), default=list, blank=True)
    judgements = models.JSONField(_("reviewers' judgements"), default=dict, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    score = models.DecimalField(_("expert score"), max_digits=6, decimal_places=2, null=True, blank=True)
    vote_count = models.PositiveIntegerField(_("online votes"), null=True, blank=True)
    defense_score = models.DecimalField(
        _("defense score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    inspection_notes = models.TextField(_("field inspection notes"), blank=True)
    committee_note = models.TextField(_("committee decision"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = domain_history()

    class Meta:
        ordering = ["round_id", "unit_id", "id"]  # no joins: row locks stay simple
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=~models.Q(status="withdrawn"),
                name="nomination_one_live_per_person_and_round",
            ),
            models.CheckConstraint(
                condition=~models.Q(channel="unit") | models.Q(unit__isnull=False),
                name="nomination_unit_channel_has_unit",
            ),
        ]
        indexes = [models.Index(fields=["round", "status"]), models.Index(fields=["unit", "status"])]

    def __str__(self):
        return f"{self.person} · {self.round}"

    def can_become(self, status: str) -> bool:
        return status in self.NEXT[self.status]

    def tier_label(self) -> str:
        return str(TIER_LABELS.get(self.tier, self.tier))


class Attachment(models.Model):
    """A scanned file of a nomination: PDF, JPEG or PNG (checked by content), never served publicly."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        ID_CARD = "id_card", _("身份证")
        CERTIFICATE = "certificate", _("证书")
        NO_CRIMINAL_RECORD = "no_criminal_record", _("无犯罪记录证明")
        OPINION = "opinion", _("部门意见")
        SIGNED_FORM = "signed_form", _("签章申报表")
        OTHER = "other", _("其他")

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="nominations/%Y/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    history = domain_history()

    class Meta:
        ordering = ["nomination_id", "kind", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name


class ExpertAssignment(models.Model):
    """An expert asked to score one nomination; each expert sees only their own assignments."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)

    history = domain_history()

    class Meta:
        ordering = ["nomination_id", "expert_id"]
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")
        constraints = [
            models.UniqueConstraint(fields=["nomination", "expert"], name="assignment_once_per_expert"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
                name="assignment_score_0_to_100",
            ),
        ]

    def __str__(self):
        return f"{self.expert} → {self.nomination}"


class Objection(models.Model):
    """An objection received during the public notice; an upheld one removes the candidate."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待核实")
        UPHELD = "upheld", _("属实")
        DISMISSED = "dismissed", _("不属实")

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="objections")
    received_on = models.DateField(_("received on"))
    summary = models.TextField(_("summary"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    finding = models.TextField(_("finding"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    history = domain_history()

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self):
        return f"{self.nomination} · {self.received_on}"


class Honouree(models.Model):
    """A named craftsman: made by naming from the nomination that named them, or registered directly
    (historic honourees from before the system, which have no nomination).

    Status machine (``NEXT``), decided for the registry:

    - ``active``: holds the title; benefits fall due.
    - ``suspended`` (e.g. under investigation): still holds the title; nothing falls due until resumed.
    - ``moved_away`` (left the city): still holds the title; the city's benefits stop falling due, and
      start again if they come back (→ ``active``).
    - ``revoked`` (false claims found, a criminal conviction): the title is withdrawn; entitlements are
      cancelled, benefit money paid is marked for recovery, the person may be debarred. Only
      reinstatement leads back (→ ``active``).
    - ``deceased``: final; entitlements end on the date of death, nothing is recovered.

    Every change is a HonoureeStatusChange row (from, to, effective date, reason, who); the benefit
    calendar reads that log to know on which days the honour was active.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        SUSPENDED = "suspended", _("暂停")
        REVOKED = "revoked", _("已撤销")
        DECEASED = "deceased", _("已故")
        MOVED_AWAY = "moved_away", _("已迁离")

    NEXT = {
        Status.ACTIVE: {Status.SUSPENDED, Status.REVOKED, Status.DECEASED, Status.MOVED_AWAY},
        Status.SUSPENDED: {Status.ACTIVE, Status.REVOKED, Status.DECEASED, Status.MOVED_AWAY},
        Status.MOVED_AWAY: {Status.ACTIVE, Status.REVOKED, Status.DECEASED},
        Status.REVOKED: {Status.ACTIVE},  # reinstatement
        Status.DECEASED: set(),
    }
    # Still holding the title (the intake's "not already honoured" check should count these).
    HOLDING = (Status.ACTIVE, Status.SUSPENDED, Status.MOVED_AWAY, Status.DECEASED)
    # What the title reads after the scheme's name, by tier (最美巴渝工匠提名, 焦作工匠入围奖).
    TITLE_SUFFIX = {"named": "", "nominated": "提名", "finalist": "入围奖"}

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="honours")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="honourees")
    nomination = models.OneToOneField(
        Nomination, on_delete=models.PROTECT, null=True, blank=True, related_name="honouree"
    )
    tier = models.CharField(_("tier"), max_length=20)
    title = models.CharField(_("honour title"), max_length=100, blank=True)
    certificate_no = models.CharField(_("certificate number"), max_length=40, unique=True)
    named_on = models.DateField(_("named on"))
    naming_document = models.CharField(_("naming document"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_changed_on = models.DateField(_("status since"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # For a directly registered honouree, what the office knows; a named one reads its nomination.
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    trade = models.CharField(_("trade"), max_length=100, blank=True)
    unit = models.ForeignKey(
        RecommendingUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = domain_history()

    class Meta:
        ordering = ["round_id", "certificate_no"]
        verbose_name = _("honouree")
        verbose_name_plural = _("honourees")
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="honouree_once_per_round")]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.person} ({self.round})"

    def can_become(self, status: str) -> bool:
        return status in self.NEXT[self.status]

    def tier_label(self) -> str:
        return str(TIER_LABELS.get(self.tier, self.tier))

    def status_on(self, day) -> str | None:
        """The honour's status on ``day`` by its change log (None before it was named).

        A change takes effect on its own date. Reads ``status_changes.all()``: prefetch it for a list.
        """
        if day < self.named_on:
            return None
        status = self.Status.ACTIVE
        for change in sorted(self.status_changes.all(), key=lambda c: (c.on, c.pk)):
            if change.on > day:
                break
            status = change.to_status
        return status

    # Shown on the roster and the honouree's page; the selectors load nomination__unit and unit with the
    # honouree, so none of these costs a query.
    def title_shown(self) -> str:
        return self.title or f"{self.round.scheme.name}{self.TITLE_SUFFIX.get(self.tier, '')}"

    def employer_shown(self) -> str:
        return self.employer or (self.nomination.employer if self.nomination_id else "")

    def trade_shown(self) -> str:
        return self.trade or (self.nomination.trade if self.nomination_id else "")

    def unit_shown(self):
        if self.unit_id:
            return self.unit
        return self.nomination.unit if self.nomination_id else None

    def region_shown(self) -> str:
        unit = self.unit_shown()
        return self.region or (unit.region if unit else "")


class HonoureeStatusChange(models.Model):
    """One change of an honour's status, effective on a date: an append-only log, never edited.

    The benefit calendar asks "was the honour active on that day?" of this log, so a suspension or a
    revocation stops what falls due from its date on, and reading an earlier month still shows what was
    due then.
    """

    class Grounds(models.TextChoices):
        FALSE_CLAIMS = "false_claims", _("弄虚作假")
        CRIMINAL_CONVICTION = "criminal_conviction", _("受到刑事处罚")
        OTHER = "other", _("其他")

    honouree = models.ForeignKey(Honouree, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=Honouree.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Honouree.Status.choices)
    on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"))
    grounds = models.CharField(_("grounds"), max_length=30, choices=Grounds.choices, blank=True)
    recover_paid = models.BooleanField(_("recover money paid"), default=False)
    debarment = models.ForeignKey(
        Debarment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = domain_history()  # who wrote each row (the log itself is never edited)

    class Meta:
        ordering = ["honouree_id", "on", "id"]
        verbose_name = _("honour status change")
        verbose_name_plural = _("honour status changes")

    def __str__(self):
        return f"{self.honouree_id}: {self.from_status} → {self.to_status} ({self.on})"


class BenefitType(models.Model):
    """A kind of benefit as data (DOMAIN.md §2): 荣誉津贴, 春节慰问, 健康体检, 疗休养, a referral…

    A round's ``rules["benefits"]`` entry names a code. For a labour-model treatment (包头 §八: 享受包头市劳动
    模范待遇) the code names the treatment, and every active type whose ``treatment`` is that code is one
    of its items; the office enters them here because the city's 劳模 benefit list is a local policy the
    notices do not spell out. For any other entry a type of the same code, if there is one, supplies the
    amount and schedule the entry leaves out. Entitlements copy these values at naming, so changing a
    type later does not rewrite anyone's entitlement.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=30,
        choices=[c for c in BenefitKind.choices if c[0] != BenefitKind.LABOUR_MODEL_TREATMENT],
    )
    funder = models.CharField(_("funder"), max_length=20, choices=Funder.choices, blank=True)
    amount = models.DecimalField(
        _("amount per occurrence (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    recurrence = models.CharField(
        _("recurrence (RRULE)"),
        max_length=200,
        blank=True,
        help_text=_("e.g. FREQ=MONTHLY;BYMONTHDAY=1 or FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=20; empty: once"),
    )
    months = models.PositiveSmallIntegerField(
        _("lasts (months)"), null=True, blank=True, help_text=_("empty: as long as the honour")
    )
    treatment = models.SlugField(
        _("part of treatment"),
        max_length=60,
        blank=True,
        help_text=_("code of the labour-model treatment in a round's rules, e.g. baotou_labour_model"),
    )
    source = models.CharField(_("policy source"), max_length=300, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    history = domain_history()

    class Meta:
        ordering = ["treatment", "code"]
        verbose_name = _("benefit type")
        verbose_name_plural = _("benefit types")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="benefit_type_amount_positive",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.recurrence:
            try:
                self.recurrence = validate_recurrence(self.recurrence, "recurrence")
            except DomainError as e:
                raise ValidationError({"recurrence": f"{e.zh} / {e.en}"}) from None


class BenefitEntitlement(models.Model):
    """What one honouree is entitled to, copied from the round's benefits (and their types) when named.

    ``recurrence`` (an RRULE, DTSTART = ``starts_on``) gives the days it falls due up to ``ends_on``; an
    empty one falls due once, on ``starts_on``. A labour-model treatment itself is a standing entitlement
    with no due days; its items are entitlements of their own. A referral (焦作 §六: 按程序申报五一劳动奖章)
    falls due once and tracks its outcome. ``status`` is the entitlement's own (``cancelled`` by a
    revocation, ``ended`` on death or by the office); whether something falls due on a day also depends
    on the honour's status that day (see registry_selectors.benefit_calendar).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        ENDED = "ended", _("已终止")
        CANCELLED = "cancelled", _("已取消（荣誉撤销）")

    NEXT = {
        Status.ACTIVE: {Status.ENDED, Status.CANCELLED},
        Status.CANCELLED: {Status.ACTIVE},  # reinstatement of the honour
        Status.ENDED: set(),
    }

    class Referral(models.TextChoices):
        PENDING = "pending", _("待申报")
        SUBMITTED = "submitted", _("已申报")
        AWARDED = "awarded", _("已获评")
        DECLINED = "declined", _("未获评")

    REFERRAL_NEXT = {
        Referral.PENDING: {Referral.SUBMITTED},
        Referral.SUBMITTED: {Referral.AWARDED, Referral.DECLINED},
        Referral.AWARDED: set(),
        Referral.DECLINED: set(),
    }

    honouree = models.ForeignKey(Honouree, on_delete=models.PROTECT, related_name="entitlements")
    benefit_type = models.ForeignKey(
        BenefitType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_code = models.SlugField(_("from the round's benefit"), max_length=60)
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=BenefitKind.choices)
    funder = models.CharField(_("funder"), max_length=20, choices=Funder.choices, blank=True)
    amount = models.DecimalField(
        _("amount per occurrence (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    recurrence = models.CharField(_("recurrence (RRULE)"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_changed_on = models.DateField(_("status since"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    referral_status = models.CharField(_("referral"), max_length=20, choices=Referral.choices, blank=True)
    referral_submitted_on = models.DateField(_("referred on"), null=True, blank=True)
    referral_decided_on = models.DateField(_("decided on"), null=True, blank=True)
    referral_note = models.CharField(_("referral note"), max_length=500, blank=True)
    awarded_honour = models.ForeignKey(
        PriorHonour, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = domain_history()

    class Meta:
        ordering = ["honouree_id", "id"]
        verbose_name = _("benefit entitlement")
        verbose_name_plural = _("benefit entitlements")
        constraints = [
            models.UniqueConstraint(fields=["honouree", "code"], name="entitlement_once_per_honour"),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="entitlement_amount_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="entitlement_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="referral") & ~models.Q(referral_status=""))
                | (~models.Q(kind="referral") & models.Q(referral_status="")),
                name="entitlement_referral_has_outcome",
            ),
        ]

    def __str__(self):
        return f"{self.honouree_id} · {self.name}"

    def can_become(self, status: str) -> bool:
        return status in self.NEXT[self.status]

    @property
    def has_schedule(self) -> bool:
        return self.kind != BenefitKind.LABOUR_MODEL_TREATMENT

    def live_on(self, day) -> bool:
        """Within its period, and not (yet) ended or cancelled on that day."""
        if day < self.starts_on or (self.ends_on and day > self.ends_on):
            return False
        return self.status == self.Status.ACTIVE or (
            self.status_changed_on is not None and day < self.status_changed_on
        )

    def occurrences(self, first, last) -> list:
        """The days from ``first`` to ``last`` (inclusive) on which it falls due, by its schedule alone."""
        import datetime as dt

        from dateutil.rrule import rrulestr

        if not self.has_schedule:
            return []
        last = min(last, self.ends_on) if self.ends_on else last
        first = max(first, self.starts_on)
        if first > last:
            return []
        if not self.recurrence:
            return [self.starts_on] if first <= self.starts_on <= last else []
        rule = rrulestr(self.recurrence, dtstart=dt.datetime.combine(self.starts_on, dt.time()))
        return [
            d.date()
            for d in rule.between(
                dt.datetime.combine(first, dt.time()), dt.datetime.combine(last, dt.time()), inc=True
            )
        ]


class BenefitDelivery(models.Model):
    """A benefit given: date, amount (when money), evidence and who recorded it.

    ``occurrence_on`` is the due day it answers (one delivery per due day, enforced by the database), or
    empty for something given outside the schedule. When the honour is revoked, money delivered is marked
    ``to_recover`` (DOMAIN.md §7: 奖金 is recovered and 待遇 stop); the recovery is then recorded, or
    waived, or withdrawn when the honour is reinstated before it was recovered.
    """

    class Recovery(models.TextChoices):
        NONE = "none", _("无需追回")
        TO_RECOVER = "to_recover", _("待追回")
        RECOVERED = "recovered", _("已追回")
        WAIVED = "waived", _("免予追回")

    RECOVERY_NEXT = {
        Recovery.NONE: {Recovery.TO_RECOVER},
        Recovery.TO_RECOVER: {Recovery.RECOVERED, Recovery.WAIVED, Recovery.NONE},
        Recovery.RECOVERED: set(),
        Recovery.WAIVED: set(),
    }

    entitlement = models.ForeignKey(BenefitEntitlement, on_delete=models.PROTECT, related_name="deliveries")
    occurrence_on = models.DateField(_("for the due day"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    evidence = models.CharField(_("evidence"), max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recovery = models.CharField(_("recovery"), max_length=20, choices=Recovery.choices, default=Recovery.NONE)
    recovery_marked_on = models.DateField(_("marked for recovery on"), null=True, blank=True)
    recovered_on = models.DateField(_("recovered on"), null=True, blank=True)
    recovery_note = models.CharField(_("recovery note"), max_length=500, blank=True)

    history = domain_history()

    class Meta:
        ordering = ["entitlement_id", "delivered_on", "id"]
        verbose_name = _("benefit delivery")
        verbose_name_plural = _("benefit deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["entitlement", "occurrence_on"],
                condition=models.Q(occurrence_on__isnull=False),
                name="delivery_once_per_due_day",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="delivery_amount_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(recovery="none") | models.Q(amount__isnull=False),
                name="delivery_recovery_only_of_money",
            ),
        ]

    def __str__(self):
        return f"{self.entitlement} · {self.delivered_on}"

    def can_become(self, recovery: str) -> bool:
        return recovery in self.RECOVERY_NEXT[self.recovery]
