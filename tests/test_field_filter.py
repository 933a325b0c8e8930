"""The fast field renderer gives what crispy gives: label, classes, errors beside the field, help, value kept."""

import re

from django import forms
from django.template import Context, Template


class SampleForm(forms.Form):
    coach = forms.ChoiceField(label="QI coach", choices=[("", "Choose"), ("1", "Ann")], required=False,
                              help_text="Same directorate first")
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 2}))
    search = forms.CharField(label="Search", required=False)
    tick = forms.BooleanField(label="Tick", required=False)


def render(form, name: str) -> str:
    return Template("{% load qi_forms %}{{ f." + name + "|field }}").render(Context({"f": form}))


def test_errors_sit_beside_the_field_and_what_was_typed_is_kept():
    form = SampleForm({"coach": "9", "reason": "", "search": "falls <b>"})
    assert not form.is_valid()
    coach = render(form, "coach")
    assert '<label for="id_coach" class="form-label">QI coach</label>' in coach
    assert re.search(r'<select name="coach" class="select form-select is-invalid" aria-invalid="true" '
                     r'aria-describedby="id_coach_helptext id_coach_error"', coach)
    assert '<div id="id_coach_error" class="invalid-feedback"><p id="error_1_id_coach"><strong>Select a valid ' \
           'choice.' in coach
    assert '<div id="id_coach_helptext" class="form-text">Same directorate first</div>' in coach
    reason = render(form, "reason")
    assert 'class="form-label requiredField">Why<span class="asteriskField">*</span>' in reason
    assert "This field is required." in reason and "textarea form-control is-invalid" in reason
    search = render(form, "search")
    assert 'value="falls &lt;b&gt;"' in search and "is-invalid" not in search


def test_other_widgets_fall_back_to_crispy():
    html = render(SampleForm(), "tick")
    assert 'type="checkbox"' in html and "form-check-input" in html
