"""Fill CoachProfile.current_teams for databases that had coaches before it existed."""

from django.db import migrations
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

RUNNING = ("active", "closure_requested")


def count(apps, schema_editor):
    Allocation = apps.get_model("coaching", "Allocation")
    CoachProfile = apps.get_model("organisation", "CoachProfile")
    running = (Allocation.objects.filter(ended_on__isnull=True, kind="coach", project__status__in=RUNNING,
                                         person_id=OuterRef("user_id"))
               .order_by().values("person_id").annotate(n=Count("pk")).values("n"))
    CoachProfile.objects.update(current_teams=Coalesce(Subquery(running), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0003_historical_dates"),
        ("organisation", "0002_coachprofile_current_teams"),
    ]

    operations = [migrations.RunPython(count, migrations.RunPython.noop)]
