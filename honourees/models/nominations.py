"""Nominations (the 推荐申报表), their attachments, the experts' assignments and the notice's objections."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.history import domain_history
from backend.skills import SkillLevel
from honourees.models.people import Person
from honourees.models.schemes import RecommendingUnit, Round
from honourees.rules import TIER_LABELS


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
