"""The signal notifications measures kept until the notification centre existed move here, read or not."""

from django.db import migrations


def copy(apps, schema_editor):
    Old = apps.get_model("measures", "Notification")
    New = apps.get_model("notifications", "Notification")
    rows = [New(user_id=n.user_id, kind="spc_signal", text=n.text, url=n.url,
                key=f"signal:{n.signal_id}" if n.signal_id else "", created_at=n.created_at, read_at=n.read_at,
                emailed_at=n.emailed_at)
            for n in Old.objects.all().iterator(chunk_size=2000)]
    New.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def back(apps, schema_editor):
    Old = apps.get_model("measures", "Notification")
    New = apps.get_model("notifications", "Notification")
    rows = []
    for n in New.objects.filter(kind="spc_signal").iterator(chunk_size=2000):
        signal = int(n.key.removeprefix("signal:")) if n.key.startswith("signal:") else None
        rows.append(Old(user_id=n.user_id, signal_id=signal, text=n.text, url=n.url, created_at=n.created_at,
                        read_at=n.read_at, emailed_at=n.emailed_at))
    Old.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("measures", "0004_measure_objective"),
    ]

    operations = [migrations.RunPython(copy, back)]
