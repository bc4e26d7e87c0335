"""Page forms for the intake side. They only shape input; every rule is checked by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.skills import SkillLevel
from honourees.fields import LIST_FIELDS
from honourees.models import Nomination

DATE = forms.DateInput(attrs={"type": "date"})
LIST_HELP = {
    "resume": _("One line each: from | to | school or employer and position"),
    "awards": _(
        "One line each: date | award | granted by | level (国家级/省部级/市级/县级/企业级) | rank | 荣誉 or 竞赛"
    ),
    "patents": _("One line each: protection period | title | granted by | owner"),
    "department_opinions": _("One line each: department | opinion"),
}


def lines_to_list(text: str, keys: tuple[str, ...]) -> list[dict]:
    """'a | b | c' lines → [{key: value}]; short lines leave the last keys empty."""
    out = []
    for line in (text or "").splitlines():
        if line.strip():
            parts = [p.strip() for p in line.split("|")]
            out.append({k: (parts[i] if i < len(parts) else "") for i, k in enumerate(keys)})
    return out


def list_to_lines(items: list[dict], keys: tuple[str, ...]) -> str:
    return "\n".join(" | ".join(str(item.get(k, "")) for k in keys) for item in items or [])


class NominationForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    id_number = forms.CharField(label=_("identity number"), max_length=18)
    gender = forms.ChoiceField(
        label=_("gender"), choices=[("", "—"), ("M", "男"), ("F", "女")], required=False
    )
    birth_date = forms.DateField(label=_("birth date"), widget=DATE, required=False)
    ethnicity = forms.CharField(label=_("ethnicity"), required=False)
    political_status = forms.CharField(label=_("political status"), required=False)
    native_place = forms.CharField(label=_("native place"), required=False)
    employer = forms.CharField(label=_("employer"))
    position = forms.CharField(label=_("position"), required=False)
    trade = forms.CharField(label=_("trade"))
    skill_level = forms.ChoiceField(
        label=_("skill level"), choices=[("", "—"), *SkillLevel.choices], required=False
    )
    category = forms.ChoiceField(label=_("category"), choices=Nomination.Category.choices)
    industry = forms.CharField(label=_("industry"), required=False)
    education_fulltime = forms.CharField(label=_("full-time education"), required=False)
    school_fulltime = forms.CharField(label=_("full-time school and major"), required=False)
    education_inservice = forms.CharField(label=_("in-service education"), required=False)
    school_inservice = forms.CharField(label=_("in-service school and major"), required=False)
    phone = forms.CharField(label=_("phone"), required=False)
    email = forms.CharField(label=_("email"), required=False)
    work_started_on = forms.DateField(label=_("started work"), widget=DATE, required=False)
    years_in_trade = forms.IntegerField(label=_("years in the trade"), required=False, min_value=0)
    in_city_since = forms.DateField(label=_("full-time in the city since"), widget=DATE, required=False)
    expertise = forms.CharField(label=_("main technical expertise"), required=False)
    invention_patent_count = forms.IntegerField(
        label=_("national invention patents"), required=False, min_value=0
    )
    innovation_count = forms.IntegerField(
        label=_("innovations or process improvements"), required=False, min_value=0
    )
    unit_notice_starts_on = forms.DateField(
        label=_("unit notice published on"),
        widget=DATE,
        required=False,
        help_text=_("Where the round asks the unit to publish its candidates first"),
    )
    claimed_routes = forms.CharField(
        label=_("routes claimed"),
        required=False,
        help_text=_("Codes from the round's rules, separated by commas"),
    )
    resume = forms.CharField(label=_("résumé"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    awards = forms.CharField(
        label=_("awards and honours"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    patents = forms.CharField(label=_("patents"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    innovation_work = forms.CharField(
        label=_("technical innovation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    process_improvement = forms.CharField(
        label=_("process improvement or traditional craft"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    mentoring_work = forms.CharField(
        label=_("passing on skills (传帮带)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    brief_deeds = forms.CharField(
        label=_("brief deeds (≤ 500 characters)"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 500}),
        required=False,
    )
    full_deeds = forms.CharField(
        label=_("full deeds"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    declaration_signed_on = forms.DateField(label=_("declaration signed on"), widget=DATE, required=False)
    employer_opinion = forms.CharField(
        label=_("employer's opinion"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    recommender_opinion = forms.CharField(
        label=_("recommending unit's opinion"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    peer_org_opinion = forms.CharField(
        label=_("opinion of the organisation department"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    department_opinions = forms.CharField(
        label=_("other departments' opinions"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    PERSON = ("name", "id_number", "gender", "birth_date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, help_text in LIST_HELP.items():
            self.fields[name].help_text = help_text

    def person(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in self.PERSON}

    def nomination_fields(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.PERSON}
        for name, keys in LIST_FIELDS.items():
            data[name] = lines_to_list(data.get(name, ""), keys)
        data["claimed_routes"] = [
            c.strip() for c in (data.get("claimed_routes") or "").split(",") if c.strip()
        ]
        for name in ("invention_patent_count", "innovation_count"):
            data[name] = data.get(name) or 0
        return data

    @classmethod
    def initial_from(cls, n: Nomination) -> dict:
        data = {k: getattr(n.person, k) for k in cls.PERSON}
        for name in cls.base_fields:
            if name not in cls.PERSON:
                data[name] = getattr(n, name)
        for name, keys in LIST_FIELDS.items():
            data[name] = list_to_lines(getattr(n, name), keys)
        data["claimed_routes"] = ", ".join(n.claimed_routes)
        return data
