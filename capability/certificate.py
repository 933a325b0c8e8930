"""A completion certificate as PDF, laid out by WeasyPrint as the board pack is."""

from __future__ import annotations

from django.template.loader import render_to_string

from ops.pdf import html_to_pdf

from .models import Enrolment


def certificate_html(enrolment: Enrolment) -> str:
    return render_to_string("capability/certificate.html", {
        "enrolment": enrolment, "person": enrolment.person, "course": enrolment.cohort.course,
        "cohort": enrolment.cohort, "sessions_attended": enrolment.attendances.filter(attended=True).count()})


def certificate_pdf(enrolment: Enrolment) -> bytes:
    return html_to_pdf(certificate_html(enrolment))[0]
