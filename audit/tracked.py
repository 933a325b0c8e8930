"""What the audit log tracks: every governance model, registered with django-auditlog, and for each the
project a change belongs to (so that a project page can link to its part of the log).

The domain's own records stay as they are and are not doubled here: ProjectEvent (status changes and
decisions), forum decisions, data points and their DataPointChange history, notifications.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from auditlog.registry import auditlog
from django.db import models

ProjectOf = Callable[[models.Model], int | None]


def own_pk(instance: models.Model) -> int | None:
    return instance.pk


def project_field(instance: models.Model) -> int | None:
    return instance.project_id


def through(fk: str) -> ProjectOf:
    """The project of the object this one hangs from (a PDSA cycle's change idea, a phase's measure):
    read from the loaded parent when the caller has it, else one small query."""

    def project_of(instance: models.Model) -> int | None:
        parent = instance._state.fields_cache.get(fk)
        if parent is not None:
            return parent.project_id
        parent_id = getattr(instance, f"{fk}_id")
        if parent_id is None:
            return None
        related = instance._meta.get_field(fk).related_model
        return related._base_manager.filter(pk=parent_id).values_list("project_id", flat=True).first()

    return project_of


@dataclass(frozen=True)
class Tracked:
    model: str  # "app_label.ModelName"
    project_of: ProjectOf | None = None
    exclude: tuple[str, ...] = ()
    mask: tuple[str, ...] = ()
    m2m: tuple[str, ...] = ()
    options: dict = field(default_factory=dict)


# Counters kept by the code (CoachProfile.current_teams), timestamps and bulky copies (a published report's
# content) are left out of the diffs: they change without anyone deciding anything.
ALWAYS_EXCLUDED = ("updated_at",)

TRACKED: tuple[Tracked, ...] = (
    # Organisation settings, people and their roles
    Tracked("organisation.Directorate"),
    Tracked("organisation.Team"),
    Tracked("organisation.StrategicObjective"),
    Tracked("organisation.AnnualPriority"),
    Tracked("organisation.ExternalOrganisation"),
    Tracked("organisation.User", exclude=("last_login",), mask=("password",)),
    Tracked("organisation.RoleAssignment"),
    Tracked("organisation.CoachProfile", exclude=("current_teams", "cohorts_facilitated")),
    Tracked("forums.Forum", m2m=("members",)),
    Tracked("measures.SPCConfig"),
    # Projects and their workspace
    Tracked("projects.Project", own_pk, m2m=("objectives", "priorities")),
    Tracked("projects.ProjectMember", project_field),
    Tracked("coaching.Allocation", project_field),
    Tracked("workspace.AimVersion", project_field),
    Tracked("workspace.Driver", project_field),
    Tracked("workspace.ChangeIdea", project_field, m2m=("secondary_drivers",)),
    Tracked("workspace.PDSACycle", through("change_idea")),
    Tracked("workspace.ProgressScore", project_field),
    Tracked("workspace.InvolvementOverride", project_field),
    Tracked("workspace.ClosureRequest", project_field),
    Tracked("workspace.Story", project_field),
    # Measures and their settings (data points keep their own history)
    Tracked("measures.Measure", project_field),
    Tracked("measures.MeasurePhase", through("measure")),
    Tracked("measures.Annotation", through("measure")),
    # API tokens: never the secret's hash, nor the "last used" stamp the API keeps
    Tracked("ingest.ApiToken", exclude=("secret_hash", "last_used_at"), m2m=("measures", "teams", "projects")),
    # Assurance settings: the accreditation framework, who assesses, wall-board links (never the secret's hash,
    # nor the "last shown" stamp). WalkRounds, actions, assessments and escalations keep their own histories.
    Tracked("assurance.Framework"),
    Tracked("assurance.Standard"),
    Tracked("assurance.AccreditationRole"),
    Tracked("assurance.BoardLink", exclude=("secret_hash", "last_seen_at")),
    # Capability building: the dosing plan, courses, cohorts and their sessions, coach-pool proposals. An
    # enrolment keeps its own history (EnrolmentEvent); attendance is recorded in bulk, by session or import.
    Tracked("capability.Audience", m2m=("directorates",)),
    Tracked("capability.Course"),
    Tracked("capability.DoseTarget"),
    Tracked("capability.Cohort", m2m=("facilitators",)),
    Tracked("capability.Session"),
    Tracked("capability.CoachProposal"),
    # Improvement programmes: the programme, its theory of change, measurement plan, recruitment, teams and
    # learning sessions. Its stage moves keep their own history (StageMove); the nightly aggregates are computed.
    Tracked("programmes.Programme"),
    Tracked("programmes.ExecutiveSponsor"),
    Tracked("programmes.ProgrammeDriver"),
    Tracked("programmes.PackageIdea", m2m=("drivers",)),
    Tracked("programmes.PackageLink"),
    Tracked("programmes.MeasureTemplate"),
    Tracked("programmes.Wave"),
    Tracked("programmes.Candidacy"),
    Tracked("programmes.Enrolment", project_field),
    Tracked("programmes.LearningSession"),
    Tracked("programmes.SessionAttendance"),
    # Board reports
    Tracked("board.BoardReport", exclude=("content",)),
    Tracked("board.MeasureNarrative"),
)

_project_of: dict[type[models.Model], ProjectOf] = {}


def register_all() -> None:
    from django.apps import apps

    for t in TRACKED:
        model = apps.get_model(t.model)
        auditlog.register(model, exclude_fields=[*ALWAYS_EXCLUDED, *t.exclude], mask_fields=list(t.mask),
                          m2m_fields=set(t.m2m), **t.options)
        if t.project_of is not None:
            _project_of[model] = t.project_of


def project_of(instance: models.Model) -> int | None:
    resolve = _project_of.get(type(instance)) or _project_of.get(instance._meta.concrete_model)
    return resolve(instance) if resolve else None


def tracked_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [apps.get_model(t.model) for t in TRACKED]
