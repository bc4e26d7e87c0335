"""Craftsman studios (工匠工作室), their apprentices, mentoring sessions and the annual assessment.

巴陵工匠 notice §三: the second year's 10,000 is paid only once a 巴陵工匠工作室 is set up at a vocational
college's industry college or a university-student enterprise internship base, the honouree teaches
apprentices there, and passes the assessment. These tables hold those facts; funding reads them through
``studios.selectors.condition_met`` and hears about them through ``studios.signals``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.errors import DomainError
from backend.history import domain_history
from backend.skills import SkillLevel
from honourees.models import Honouree, Person, Round


class InstitutionKind(models.TextChoices):
    # Round.rules "studio_established" params.institution_kinds name which of these count (巴陵: the first two).
    VOCATIONAL_COLLEGE_INDUSTRY_COLLEGE = "vocational_college_industry_college", _("职业院校产业学院")
    UNIVERSITY_INTERNSHIP_BASE = "university_internship_base", _("大学生企业实习基地")
    ENTERPRISE = "enterprise", _("企业")
    OTHER = "other", _("其他")


class Studio(models.Model):
    """A named craftsman's studio, hosted by an institution; it counts once the office confirms its 挂牌."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("筹建中")
        ESTABLISHED = "established", _("已挂牌")
        CLOSED = "closed", _("已摘牌")

    NEXT = {
        Status.PLANNED: {Status.ESTABLISHED, Status.CLOSED},
        Status.ESTABLISHED: {Status.CLOSED},
        Status.CLOSED: set(),
    }

    honouree = models.ForeignKey(Honouree, on_delete=models.PROTECT, related_name="studios")
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="hosted_studios",
        verbose_name=_("host (login)"),
    )
    # The host institution's contact verifies the hours logged (as the talent office can).
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="studios_as_contact",
        verbose_name=_("institution contact (verifies hours)"),
    )
    name = models.CharField(_("studio name"), max_length=200)
    institution_name = models.CharField(_("host institution"), max_length=200)
    institution_kind = models.CharField(
        _("kind of institution"), max_length=40, choices=InstitutionKind.choices
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    plaque_date = models.DateField(_("plaque date (挂牌)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    established_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    established_at = models.DateTimeField(_("establishment confirmed at"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_reason = models.CharField(_("reason for closing"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = domain_history()

    class Meta:
        ordering = ["id"]  # no joins: row locks stay simple
        verbose_name = _("studio")
        verbose_name_plural = _("studios")
        constraints = [
            models.UniqueConstraint(
                fields=["honouree"], condition=~models.Q(status="closed"), name="studio_one_open_per_honouree"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="established") | models.Q(plaque_date__isnull=False),
                name="studio_established_has_plaque_date",
            ),
        ]

    def __str__(self):
        return self.name

    def can_become(self, status: str) -> bool:
        return status in self.NEXT[self.status]


class StudioAssessor(models.Model):
    """An expert (or talent-office user) who scores a studio's assessment; they see the studios they assess."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="assessors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessed_studios"
    )

    history = domain_history()

    class Meta:
        ordering = ["studio_id", "id"]
        verbose_name = _("studio assessor")
        verbose_name_plural = _("studio assessors")
        constraints = [models.UniqueConstraint(fields=["studio", "user"], name="assessor_once_per_studio")]

    def __str__(self):
        return f"{self.user} → {self.studio}"


class StudioRubric(models.Model):
    """A round's assessment rubric as data (items in studios.rubric's form), pass line and grades."""

    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="studio_rubric")
    items = models.JSONField(_("items"), default=list)
    pass_line = models.DecimalField(_("pass line"), max_digits=6, decimal_places=2, default=60)
    excellent_line = models.DecimalField(
        _("excellent line (优秀)"), max_digits=6, decimal_places=2, default=85
    )
    excellent_cap = models.DecimalField(
        _("cap on 优秀 (share of studios)"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("e.g. 0.20; empty: no cap"),
    )
    rectification_months = models.PositiveSmallIntegerField(_("rectification period (months)"), default=3)

    history = domain_history()

    class Meta:
        ordering = ["round_id"]
        verbose_name = _("assessment rubric")
        verbose_name_plural = _("assessment rubrics")

    def __str__(self):
        return f"{self.round} · {_('assessment rubric')}"

    def parsed_items(self):
        from studios.rubric import parse_items

        return parse_items(self.items)

    def clean(self):
        from studios.rubric import check_lines, parse_items

        try:
            check_lines(
                parse_items(self.items),
                pass_line=self.pass_line,
                excellent_line=self.excellent_line,
                excellent_cap=self.excellent_cap,
            )
        except DomainError as e:
            raise ValidationError({"items": f"{e.zh} / {e.en}"}) from None


class Apprentice(models.Model):
    """Someone taught at the studio under a 师带徒协议 (start, end, signed copy on file)."""

    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="apprentices")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="apprenticeships")
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    trade = models.CharField(_("trade"), max_length=100, blank=True)
    skill_level_at_start = models.CharField(
        _("skill level at start"), max_length=30, choices=SkillLevel.choices
    )
    # Kept in step by skill_upgrade_record (the last upgrade's level), so lists need no subquery.
    current_level = models.CharField(_("current skill level"), max_length=30, choices=SkillLevel.choices)
    agreement_start = models.DateField(_("agreement from"))
    agreement_end = models.DateField(_("agreement until"), null=True, blank=True)
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = domain_history()

    class Meta:
        ordering = ["studio_id", "id"]
        verbose_name = _("apprentice")
        verbose_name_plural = _("apprentices")
        constraints = [
            models.UniqueConstraint(fields=["studio", "person"], name="apprentice_once_per_studio"),
            models.CheckConstraint(
                condition=models.Q(agreement_end__isnull=True)
                | models.Q(agreement_end__gte=models.F("agreement_start")),
                name="apprentice_agreement_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.person.name

    def active_on(self, day) -> bool:
        return self.agreement_start <= day and (self.agreement_end is None or day <= self.agreement_end)


class SkillUpgrade(models.Model):
    """An apprentice's step up the 新八级工 ladder, with the certificate that proves it."""

    apprentice = models.ForeignKey(Apprentice, on_delete=models.PROTECT, related_name="upgrades")
    from_level = models.CharField(_("from"), max_length=30, choices=SkillLevel.choices)
    to_level = models.CharField(_("to"), max_length=30, choices=SkillLevel.choices)
    achieved_on = models.DateField(_("achieved on"))
    certificate_no = models.CharField(_("certificate number"), max_length=60)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = domain_history()

    class Meta:
        ordering = ["apprentice_id", "achieved_on", "id"]
        verbose_name = _("skill upgrade")
        verbose_name_plural = _("skill upgrades")
        constraints = [
            models.UniqueConstraint(fields=["apprentice", "to_level"], name="upgrade_once_per_level"),
            models.CheckConstraint(
                condition=~models.Q(from_level=models.F("to_level")), name="upgrade_changes_level"
            ),
        ]

    def __str__(self):
        return f"{self.apprentice} {self.from_level} → {self.to_level}"


class MentoringSession(models.Model):
    """One mentoring session as the host logged it: submitted, then verified or returned with a reason."""

    class Kind(models.TextChoices):
        TEACHING = "teaching", _("授课讲解")
        PRACTICE = "practice", _("实操训练")
        PROBLEM_SOLVING = "problem_solving", _("技术攻关")
        COMPETITION = "competition", _("竞赛辅导")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待核实")
        VERIFIED = "verified", _("已核实")
        RETURNED = "returned", _("已退回")

    NEXT = {
        Status.SUBMITTED: {Status.VERIFIED, Status.RETURNED},
        Status.RETURNED: {Status.SUBMITTED},  # corrected by the host
        Status.VERIFIED: set(),  # what the assessment relies on does not move again
    }

    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=2)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TEACHING)
    topic = models.CharField(_("topic"), max_length=200)
    location = models.CharField(_("location"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    attendees = models.ManyToManyField(Apprentice, through="SessionAttendance", related_name="sessions")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    editable_until = models.DateTimeField(_("editable until"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    return_reason = models.CharField(_("reason returned"), max_length=500, blank=True)

    history = domain_history()

    class Meta:
        ordering = ["-date", "-starts_at", "-id"]
        verbose_name = _("mentoring session")
        verbose_name_plural = _("mentoring sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(minutes__gt=0, minutes__lte=1440), name="session_within_a_day"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="verified") | models.Q(verified_by__isnull=False),
                name="session_verified_has_verifier",
            ),
        ]
        indexes = [models.Index(fields=["studio", "date"]), models.Index(fields=["studio", "status"])]

    def __str__(self):
        return f"{self.date} {self.topic}"

    def can_become(self, status: str) -> bool:
        return status in self.NEXT[self.status]


class SessionAttendance(models.Model):
    """An apprentice at a session (its own row, so adding and removing attendees is in the history)."""

    session = models.ForeignKey(MentoringSession, on_delete=models.CASCADE, related_name="attendance")
    apprentice = models.ForeignKey(Apprentice, on_delete=models.PROTECT, related_name="attendance")

    history = domain_history()

    class Meta:
        ordering = ["session_id", "apprentice_id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "apprentice"], name="attendance_once")]

    def __str__(self):
        return f"{self.session_id} · {self.apprentice_id}"


class StudioPause(models.Model):
    """A stretch when the studio could not teach (illness, a long project away); it lowers the year's targets."""

    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="pauses")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = domain_history()

    class Meta:
        ordering = ["studio_id", "starts_on"]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="pause_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.studio} {self.starts_on}–{self.ends_on}"

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class StudioFile(models.Model):
    """Evidence: the 挂牌 photo, a signed agreement, a certificate, a session's photos. PDF, JPEG or PNG by
    content (honourees.attachments' checks), stored under a random name, opened only through a view that
    checks who asks."""

    class Kind(models.TextChoices):
        ESTABLISHMENT = "establishment", _("挂牌及共建材料")
        AGREEMENT = "agreement", _("师带徒协议")
        CERTIFICATE = "certificate", _("技能等级证书")
        SESSION_PHOTO = "session_photo", _("带徒活动照片")
        OTHER = "other", _("其他")

    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    session = models.ForeignKey(
        MentoringSession, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    apprentice = models.ForeignKey(
        Apprentice, on_delete=models.PROTECT, null=True, blank=True, related_name="files"
    )
    upgrade = models.ForeignKey(
        SkillUpgrade, on_delete=models.PROTECT, null=True, blank=True, related_name="files"
    )
    file = models.FileField(_("file"), upload_to="studios/%Y/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    history = domain_history()

    class Meta:
        ordering = ["studio_id", "id"]
        verbose_name = _("studio file")
        verbose_name_plural = _("studio files")

    def __str__(self):
        return self.original_name


class Assessment(models.Model):
    """One studio's assessment for one period (period 1 = the first year from the plaque date).

    ``open`` → ``passed`` (优秀/合格, final) or ``failed`` (不合格, not yet final); a failed one is either given
    a rectification period (``rectifying``, then re-assessed: ``passed`` or ``failed_final``) or made final
    at once (``failed_final``).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("考核中")
        PASSED = "passed", _("考核合格")
        FAILED = "failed", _("考核不合格（待定）")
        RECTIFYING = "rectifying", _("整改中")
        FAILED_FINAL = "failed_final", _("考核不合格（最终）")

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")

    NEXT = {
        Status.OPEN: {Status.PASSED, Status.FAILED},
        Status.FAILED: {Status.RECTIFYING, Status.FAILED_FINAL},
        Status.RECTIFYING: {Status.PASSED, Status.FAILED_FINAL},
        Status.PASSED: set(),
        Status.FAILED_FINAL: set(),
    }
    SCORING = (Status.OPEN, Status.RECTIFYING)  # assessors' sheets are taken in these states
    FINAL = (Status.PASSED, Status.FAILED_FINAL)

    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="assessments")
    period = models.PositiveSmallIntegerField(_("period"))
    starts_on = models.DateField(_("period from"))
    ends_on = models.DateField(_("period until"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)  # 2 = the re-assessment
    total = models.DecimalField(_("total score"), max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True)
    grade_note = models.CharField(_("note on the grade"), max_length=300, blank=True)
    items = models.JSONField(
        _("scored items"), default=list, blank=True
    )  # studios.rubric.ItemResult.as_dict()
    first_total = models.DecimalField(
        _("first assessment score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    first_items = models.JSONField(_("first assessment items"), default=list, blank=True)
    recorded_on = models.DateField(_("recorded on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rectification_until = models.DateField(_("rectify by"), null=True, blank=True)
    rectification_note = models.TextField(_("what to rectify"), blank=True)
    final_reason = models.CharField(_("reason the fail is final"), max_length=500, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    history = domain_history()

    class Meta:
        ordering = ["studio_id", "period"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["studio", "period"], name="assessment_one_per_studio_period"),
            models.CheckConstraint(
                condition=~models.Q(status__in=["passed", "failed", "failed_final"])
                | models.Q(total__isnull=False),
                name="assessment_result_has_total",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="passed") | models.Q(grade__in=["excellent", "pass"]),
                name="assessment_passed_has_passing_grade",
            ),
        ]

    def __str__(self):
        return f"{self.studio} · {self.period}"

    def can_become(self, status: str) -> bool:
        return status in self.NEXT[self.status]


class AssessorSheet(models.Model):
    """One assessor's points for the assessor-scored items of one attempt ({item code: "12.50"})."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sheets")
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scores = models.JSONField(_("scores"), default=dict)
    comment = models.TextField(_("comment"), blank=True)
    scored_at = models.DateTimeField(_("scored at"), auto_now=True)

    history = domain_history()

    class Meta:
        ordering = ["assessment_id", "attempt", "id"]
        verbose_name = _("assessor's sheet")
        verbose_name_plural = _("assessors' sheets")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "attempt", "assessor"], name="sheet_once_per_assessor"
            )
        ]

    def __str__(self):
        return f"{self.assessment} · {self.attempt} · {self.assessor}"
