from django import forms


class MarkReadForm(forms.Form):
    """Mark one notification read, or all of them when none is named."""

    notification = forms.IntegerField(required=False, widget=forms.HiddenInput)
