"""The demo trust's audit log. seed_demo builds the trust with bulk inserts, which write no audit entries
(django-auditlog hears only single saves), so this step records, for the personas' projects, the creation
of each record as what it was: the system's work, by seed_demo, at the time the record says it was made."""

from __future__ import annotations

from auditlog.diff import model_instance_diff
from django.db.models import Q

from organisation.seeding import DemoContext
from projects.models import Project

from .models import AuditEntry

PROJECTS = 12


def _records(project: Project) -> list:
    from coaching.models import Allocation
    from measures.models import Measure
    from workspace.models import AimVersion, ChangeIdea, Driver, PDSACycle, ProgressScore

    return [project, *project.members.all(), *Allocation.objects.filter(project=project),
            *AimVersion.objects.filter(project=project), *Driver.objects.filter(project=project),
            *ChangeIdea.objects.filter(project=project),
            *PDSACycle.objects.filter(change_idea__project=project).select_related("change_idea"),
            *ProgressScore.objects.filter(project=project), *Measure.objects.filter(project=project)]


def seed_audit_log(ctx: DemoContext) -> None:
    personas = Q(lead__is_demo_persona=True) | Q(coach__is_demo_persona=True)
    logged = AuditEntry.objects.filter(project__isnull=False).values("project_id")
    projects = Project.objects.filter(personas).exclude(pk__in=logged).order_by("pk")[:PROJECTS]
    entries = 0
    for project in projects:
        for record in _records(project):
            when = getattr(record, "created_at", None) or project.created_at
            AuditEntry.objects.log_create(record, action=AuditEntry.Action.CREATE, force_log=True,
                                          changes=model_instance_diff(None, record), timestamp=when,
                                          origin="command seed_demo")
            entries += 1
    ctx.out(f"audit log: {entries} records' creation logged for {len(projects)} persona projects")
