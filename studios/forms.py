"""Page forms of the studios side. They only shape input (fields not required here, so the services' messages,
in both languages and naming the field, are what a person sees); every rule is checked by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.skills import SkillLevel
from studios.models import InstitutionKind, MentoringSession

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class SessionForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=DATE, required=False)
    starts_at = forms.TimeField(label=_("from"), widget=TIME, required=False)
    ends_at = forms.TimeField(label=_("until"), widget=TIME, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=MentoringSession.Kind.choices, required=False)
    topic = forms.CharField(label=_("topic"), required=False, max_length=400)
    location = forms.CharField(label=_("location"), required=False, max_length=400)
    attendees = forms.MultipleChoiceField(
        label=_("Apprentices attending"), required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, apprentices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = [(str(a.pk), a.person.name) for a in apprentices]

    def service_args(self) -> dict:
        data = dict(self.cleaned_data)
        data["attendee_ids"] = [int(i) for i in data.pop("attendees") or []]
        return data


class StudioForm(forms.Form):
    honouree = forms.TypedChoiceField(label=_("honouree"), coerce=int, required=False, empty_value=None)
    host = forms.TypedChoiceField(label=_("host (login)"), coerce=int, required=False, empty_value=None)
    name = forms.CharField(label=_("studio name"), required=False, max_length=400)
    institution_name = forms.CharField(label=_("host institution"), required=False, max_length=400)
    institution_kind = forms.ChoiceField(
        label=_("kind of institution"), choices=[("", "—"), *InstitutionKind.choices], required=False
    )
    address = forms.CharField(label=_("address"), required=False, max_length=600)
    contact = forms.TypedChoiceField(
        label=_("institution contact (verifies hours)"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, honourees=(), hosts=(), contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["honouree"].choices = [("", "—")] + [
            (h.pk, f"{h.person.name} · {h.round} · {h.certificate_no}") for h in honourees
        ]
        self.fields["host"].choices = [("", "—")] + [(u.pk, u.get_full_name() or u.username) for u in hosts]
        self.fields["contact"].choices = [("", "—")] + [
            (u.pk, u.get_full_name() or u.username) for u in contacts
        ]


class ApprenticeForm(forms.Form):
    name = forms.CharField(label=_("name"), required=False, max_length=100)
    id_number = forms.CharField(label=_("identity number"), required=False, max_length=40)
    gender = forms.ChoiceField(
        label=_("gender"), choices=[("", "—"), ("M", "男"), ("F", "女")], required=False
    )
    birth_date = forms.DateField(label=_("birth date"), widget=DATE, required=False)
    employer = forms.CharField(label=_("employer"), required=False, max_length=400)
    trade = forms.CharField(label=_("trade"), required=False, max_length=200)
    skill_level = forms.ChoiceField(
        label=_("skill level at start"), choices=[("", "—"), *SkillLevel.choices], required=False
    )
    agreement_start = forms.DateField(label=_("agreement from"), widget=DATE, required=False)
    agreement_end = forms.DateField(label=_("agreement until"), widget=DATE, required=False)
    agreement_signed_on = forms.DateField(label=_("agreement signed on"), widget=DATE, required=False)

    PERSON = ("name", "id_number", "gender", "birth_date")

    def service_args(self) -> dict:
        data = dict(self.cleaned_data)
        return {"person": {k: data.pop(k) for k in self.PERSON}, **data}


class UpgradeForm(forms.Form):
    to_level = forms.ChoiceField(label=_("to"), choices=[("", "—"), *SkillLevel.choices], required=False)
    achieved_on = forms.DateField(label=_("achieved on"), widget=DATE, required=False)
    certificate_no = forms.CharField(label=_("certificate number"), required=False, max_length=120)
