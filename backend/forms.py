"""Pages show domain errors as form errors, on the field they name when the form has it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.errors import DomainError


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Attach ``exc`` to ``form``: on its field when the form has one of that name, else to the whole form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
    for sub in exc.errors:
        add_domain_error(form, sub)


class NoticePeriodForm(forms.Form):
    start = forms.DateField(label=_("Published on"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=366, initial=5)
