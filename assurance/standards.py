"""A starting set of accreditation standards, grouped, in the spirit of those service users and carers chose
(the demo installs it; a trust writes its own with its service users in Settings)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from .models import Framework, Standard

STANDARDS: list[tuple[str, list[str]]] = [
    ("Welcome and first contact", [
        "People are greeted by name and told who is caring for them on their first day.",
        "A welcome pack in plain language explains the ward or service, its routines and how to raise a concern.",
        "Carers and families are told how and when they can visit or make contact.",
        "Information is available in the languages and formats people need.",
        "People know how to reach the team out of hours.",
    ]),
    ("Being involved in my care", [
        "People help write their own care plan and have a copy of it.",
        "Decisions about medication are explained, with side effects and alternatives discussed.",
        "Carers are involved in planning care when the person wishes it.",
        "People are asked what matters to them, and it is recorded in their own words.",
        "Advance statements and personal preferences are known to the staff on shift.",
    ]),
    ("Safety and dignity", [
        "People feel safe on the ward or in the service and can say why.",
        "Staff knock and wait before entering a bedroom or a private space.",
        "Restrictive practice is used only as a last resort and is talked through with the person afterwards.",
        "There is a private space for a confidential conversation.",
        "Search and observation practices are explained and carried out respectfully.",
    ]),
    ("Everyday life and activity", [
        "There are meaningful activities every day, including evenings and weekends.",
        "People have access to fresh air every day.",
        "Food is good, choices meet cultural and dietary needs, and drinks and snacks are available at any time.",
        "People can keep in touch with family and friends, with access to a phone and the internet.",
        "Physical health is checked and supported, including exercise and help to stop smoking.",
    ]),
    ("Staff and relationships", [
        "Staff have time to talk with people every day, beyond tasks and checks.",
        "People know their named nurse or care coordinator and see them regularly.",
        "Staff speak about people with respect, in and out of their presence.",
        "Peer support workers or people with lived experience are part of the team.",
        "Agency and bank staff are introduced and know the people they are caring for.",
    ]),
    ("Listening and improving", [
        "People are asked for feedback regularly and told what changed as a result.",
        "There is a community meeting that people attend and whose actions are followed up.",
        "Complaints are answered promptly and people are not treated differently for raising them.",
        "Service users and carers are partners in the team's quality improvement projects.",
        "Leaving the service is planned with the person, with follow-up arranged before they go.",
    ]),
]


def install_default(name: str = "Service-user-led accreditation", *, published_on: dt.date | None = None,
                    version: int = 1, gold: int = 27, silver: int = 23, bronze: int = 18) -> Framework:
    """The starting framework (30 standards in six groups), once: returns the existing version if present."""
    with transaction.atomic():
        framework, created = Framework.objects.get_or_create(
            name=name, version=version, defaults={"published_on": published_on, "gold_min_met": gold,
                                                  "silver_min_met": silver, "bronze_min_met": bronze})
        if created:
            rows, order = [], 0
            for g, (group, texts) in enumerate(STANDARDS, start=1):
                for s, text in enumerate(texts, start=1):
                    order += 1
                    rows.append(Standard(framework=framework, group=group, code=f"{g}.{s}", text=text, order=order))
            Standard.objects.bulk_create(rows)
    return framework
