from django.db import migrations


def load_subjects(apps, schema_editor):
    from auyl.registry.subjects import SUBJECTS

    Subject = apps.get_model("registry", "Subject")
    for code, kk, ru, en in SUBJECTS:
        Subject.objects.update_or_create(
            code=code, defaults={"name_kk": kk, "name_ru": ru, "name_en": en}
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_registry_initial")]
    operations = [migrations.RunPython(load_subjects, migrations.RunPython.noop)]
