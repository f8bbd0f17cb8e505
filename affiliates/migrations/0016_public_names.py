"""Wagtail names a user by their full name: make a creator's their public name
(affiliates.people; creator_enroll keeps it so from now on)."""

from django.db import migrations


def names_sync(apps, schema_editor):
    CreatorProfile = apps.get_model("affiliates", "CreatorProfile")
    User = apps.get_model(
        *CreatorProfile._meta.get_field("user").related_model._meta.label.split(".")
    )
    limit = User._meta.get_field("first_name").max_length
    for profile in CreatorProfile.objects.select_related("user").iterator():
        user = profile.user
        name = profile.public_name[:limit]
        if (user.first_name, user.last_name) != (name, ""):
            user.first_name, user.last_name = name, ""
            user.save(update_fields=["first_name", "last_name"])


class Migration(migrations.Migration):
    dependencies = [("affiliates", "0015_payout_method")]

    operations = [migrations.RunPython(names_sync, migrations.RunPython.noop)]
