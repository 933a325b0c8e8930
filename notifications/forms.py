from django import forms

from . import kinds


class MarkReadForm(forms.Form):
    """Mark one notification read, or all of them when none is named."""

    notification = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PreferencesForm(forms.Form):
    """One choice per kind of notice the product sends."""

    def __init__(self, *args, current: list[tuple[kinds.Kind, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind, delivery in current:
            self.fields[kind.name] = forms.ChoiceField(
                label=kind.label, choices=kinds.Delivery.choices, initial=delivery, widget=forms.RadioSelect,
                required=False,  # a kind left out keeps its setting (a page opened before a new kind existed)
                help_text=f"Unless you choose otherwise: {kinds.Delivery(kind.default).label.lower()}.")
