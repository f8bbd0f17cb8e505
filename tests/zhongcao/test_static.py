"""Production's static files: `collectstatic` with the hashed, compressed storage of
production settings must succeed (a reference to a missing file fails a deploy)."""

import pytest
from django.core.management import call_command

# Every static file, hashed and compressed with the production storage.
pytestmark = pytest.mark.slow


def test_collectstatic_with_the_production_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/chartjs/chart.umd.min.*.js"))
