from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from celery.signals import task_postrun, task_prerun

        from organisation.navigation import NavEntry, register
        from organisation.rules import is_qi_admin
        from organisation.seeding import register as register_seed_step

        from . import context
        from .demo import seed_audit_log
        from .tracked import register_all

        # This app stands above every app whose models it tracks, so it registers them all here.
        register_all()
        register(NavEntry("Audit log", "audit:log", is_qi_admin, order=96, group="Settings"))
        register_seed_step(95, "audit log of the persona projects", seed_audit_log)

        # Work a Celery task does is the system's, named by the task (the worker has no request).
        tokens: dict[str, object] = {}

        def _task_started(task_id=None, task=None, **_) -> None:
            tokens[task_id] = context.enter(f"task {task.name}")

        def _task_finished(task_id=None, **_) -> None:
            token = tokens.pop(task_id, None)
            if token is not None:
                context.leave(token)

        task_prerun.connect(_task_started, weak=False, dispatch_uid="audit-task-started")
        task_postrun.connect(_task_finished, weak=False, dispatch_uid="audit-task-finished")
