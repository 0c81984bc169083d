"""collectstatic as production runs it (DEBUG=0: whitenoise's manifest storage)."""

import json
import re

from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_collectstatic_with_the_manifest_storage_serves_every_static_file(
    settings, tmp_path
):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": MANIFEST_STORAGE},
    }
    # A file that names another one that was never collected fails here, and then
    # no manifest is written: every page linking a static file answers 500.
    call_command("collectstatic", interactive=False, verbosity=0)

    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    referenced = {
        name
        for template in (settings.BASE_DIR / "templates").rglob("*.html")
        for name in re.findall(
            r"""{%\s*static\s+["']([^"']+)["']""", template.read_text()
        )
    }
    assert "vendor/chartjs/chart.umd.min.js" in referenced
    for name in referenced:
        hashed = staticfiles_storage.url(name)
        assert hashed != f"/{settings.STATIC_URL}{name}"  # the hashed name
        assert (tmp_path / manifest[name]).is_file()
