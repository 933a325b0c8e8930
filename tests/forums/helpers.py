"""Helpers for posting the forum forms as a browser would."""


def decision_post(item, **fields) -> dict:
    """Form data for the decision form of one agenda item (its fields are prefixed by item)."""
    data = {"outcome": "", "rationale": "", "coach": "", "sponsor": "", "advisor": "", "override_reason": ""}
    data.update({k: (v.pk if hasattr(v, "pk") else v) for k, v in fields.items()})
    return {f"item-{item.pk}-{k}": v for k, v in data.items()}
