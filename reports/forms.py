"""The form that asks for a report: kind, then the scheme, year and studio the kind takes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from honourees.models import Scheme
from reports.kinds import kinds_for


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"))
    scheme = forms.ChoiceField(label=_("Scheme"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1949, max_value=2200)
    studio = forms.ChoiceField(label=_("Studio"), required=False)

    def __init__(self, *args, user, studios, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.code, k.label) for k in kinds_for(user)]
        self.fields["scheme"].choices = [("", _("All schemes"))] + [
            (str(s.pk), s.name) for s in Scheme.objects.order_by("code")
        ]
        self.fields["studio"].choices = [("", "—")] + [(str(s.pk), s.name) for s in studios]

    def params(self) -> dict:
        data = self.cleaned_data
        return {k: data[k] for k in ("scheme", "year", "studio") if data.get(k) not in (None, "")}
