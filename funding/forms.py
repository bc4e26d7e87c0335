"""Page forms of the funding side. They only shape input (fields not required here, so the services' messages,
in both languages and naming the field, are what a person sees); every rule is checked by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _


class BudgetForm(forms.Form):
    source = forms.TypedChoiceField(label=_("funding source"), coerce=int, required=False, empty_value=None)
    year = forms.IntegerField(label=_("year"), required=False)
    amount = forms.CharField(label=_("budget (yuan)"), required=False, max_length=30)
    note = forms.CharField(label=_("note"), required=False, max_length=300)

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "—")] + [(s.pk, str(s)) for s in sources]

    def service_args(self) -> dict:
        d = self.cleaned_data
        return {"source_id": d["source"], "year": d["year"] or 0, "amount": d["amount"], "note": d["note"]}


class PayeeAccountForm(forms.Form):
    account_name = forms.CharField(label=_("account holder"), required=False, max_length=50)
    bank_name = forms.CharField(label=_("bank"), required=False, max_length=100)
    account_no = forms.CharField(label=_("account number"), required=False, max_length=60)
