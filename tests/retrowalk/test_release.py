"""The caches are named by the release's fingerprint: another release never reads what this one drew."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from retrowalk import release

ROOT = Path(__file__).resolve().parents[2]


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "release"
    for top in release.SOURCES:
        shutil.copytree(ROOT / top, copy / top, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / release.PINS, copy / release.PINS)
    return copy


def test_the_fingerprint_changes_with_a_template_code_or_a_pin_and_only_with_them(tmp_path):
    copy = _copy(tmp_path)
    first = release.fingerprint(copy)
    assert first == release.fingerprint(ROOT) and len(first) == 12
    (copy / "static-notes.md").write_text("not a source")  # neither a source nor under one
    (copy / "programs" / "__pycache__").mkdir(exist_ok=True)
    (copy / "programs" / "__pycache__" / "x.py").write_text("# compiled leftovers")
    assert release.fingerprint(copy) == first
    seen = {first}
    for path, change in (
        ("templates/programs/_program.html", "<p>changed</p>"),
        ("programs/selectors.py", "# changed"),
        (release.PINS, "Django==9.9"),
    ):
        with (copy / path).open("a") as handle:
            handle.write(change)
        seen.add(release.fingerprint(copy))
    assert len(seen) == 4


def test_every_cache_is_prefixed_with_the_release():
    for name, config in settings.CACHES.items():
        assert config["KEY_PREFIX"] == settings.RELEASE == release.fingerprint(ROOT), name


def test_two_releases_sharing_a_cache_read_only_their_own(settings):
    """Two servers of different releases on one shared cache (one location): each misses the other's part."""
    shared = {"LOCATION": "shared-between-releases", "TIMEOUT": 60}
    old = LocMemCache("shared-between-releases", {**shared, "KEY_PREFIX": "aaaaaaaaaaaa"})
    new = LocMemCache("shared-between-releases", {**shared, "KEY_PREFIX": settings.RELEASE})
    old.set("template.cache.program.abc", "<p>drawn by the old release</p>")
    assert new.get("template.cache.program.abc") is None
    new.set("template.cache.program.abc", "<p>drawn by this release</p>")
    assert old.get("template.cache.program.abc") == "<p>drawn by the old release</p>"
    assert caches["fragments"].make_key("k").startswith(f"{settings.RELEASE}:")


def test_an_operator_may_name_the_release():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RETROWALK_"))}
    env.pop("DATABASE_URL", None)
    show = "from django.conf import settings; print(sorted({c['KEY_PREFIX'] for c in settings.CACHES.values()}))"
    for named, expected in (("2026.12.1", "['2026.12.1']"), ("", f"['{release.fingerprint(ROOT)}']")):
        result = subprocess.run(  # noqa: S603 (the test's own command)
            [sys.executable, "manage.py", "shell", "-c", show],
            cwd=ROOT,
            env={**env, "RETROWALK_RELEASE": named},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == expected
