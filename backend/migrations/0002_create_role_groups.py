from django.db import migrations

# The seven roles of DESIGN.md, spelled as in backend.roles.Role (kept literal: a migration must not
# change when the code does).
ROLES = [
    "talent_office",
    "unit_clerk",
    "expert",
    "finance_maker",
    "finance_checker",
    "studio_host",
    "auditor",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("backend", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
