from django import forms


class CommentForm(forms.Form):
    body = forms.CharField(label="Add to the discussion", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Mention someone with @ and their username (listed below); they are told.",
                           error_messages={"required": "Write something before posting."})
