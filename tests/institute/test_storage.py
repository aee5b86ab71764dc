"""The storage of generated files: a shared folder written whole (never half a file), or an
S3-compatible bucket when the environment names one; `check --deploy` wants SITE_URL served."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.core.files.base import ContentFile

from institute.storage import AtomicFileSystemStorage

ROOT = Path(__file__).resolve().parents[2]


def test_saving_replaces_the_file_whole_under_the_same_name(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    assert storage.save("opendata/a.csv", ContentFile(b"old")) == "opendata/a.csv"
    with storage.open("opendata/a.csv") as reader:  # a download in progress
        assert storage.save("opendata/a.csv", ContentFile("new, longer")) == "opendata/a.csv"
        assert reader.read() == b"old"  # it keeps reading the file it opened
    assert storage.open("opendata/a.csv").read() == b"new, longer"
    assert sorted(p.name for p in (tmp_path / "opendata").iterdir()) == ["a.csv"]


def _settings_with(**env) -> list:
    code = (
        "import django, json; django.setup(); from django.core.files.storage import storages; "
        "s = storages['generated']; print(json.dumps([type(s).__module__ + '.' + "
        "type(s).__name__, getattr(s, 'bucket_name', None), getattr(s, 'endpoint_url', None), "
        "str(getattr(s, 'location', ''))]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "institute.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_generated_files_go_to_the_shared_folder_by_default():
    kind, _, _, location = _settings_with(GENERATED_FILES_DIR="/srv/shared/generated")
    assert (kind, location) == (
        "institute.storage.AtomicFileSystemStorage",
        "/srv/shared/generated",
    )


def test_an_s3_compatible_bucket_when_the_environment_names_one():
    kind, bucket, endpoint, prefix = _settings_with(
        GENERATED_FILES_S3_BUCKET="institute-open-data",
        GENERATED_FILES_S3_ENDPOINT_URL="https://objects.example.test",
        GENERATED_FILES_S3_PREFIX="production",
    )
    assert (kind, bucket, endpoint, prefix) == (
        "storages.backends.s3.S3Storage",
        "institute-open-data",
        "https://objects.example.test",
        "production",
    )


def test_the_deploy_check_warns_when_site_url_is_not_an_allowed_host():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            **os.environ,
            "DEBUG": "0",
            "SITE_URL": "https://institute.example.gov.uk",
            "ALLOWED_HOSTS": "other.example.gov.uk",
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "institute.W001" in result.stderr + result.stdout
