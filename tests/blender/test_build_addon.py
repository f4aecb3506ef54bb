"""scripts/build_addon.py: both zips are reproducible and hold what Blender needs."""

import hashlib
import zipfile

import build_addon  # scripts/ (pytest.ini's pythonpath)


def _sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_legacy_zip_is_reproducible_and_installable_layout(tmp_path):
    a = build_addon.build_legacy(str(tmp_path / "a"))
    b = build_addon.build_legacy(str(tmp_path / "b"))
    assert _sha(a) == _sha(b)
    names = zipfile.ZipFile(a).namelist()
    assert names == sorted(names)
    assert "pracownia_student/__init__.py" in names
    assert "pracownia_student/transport/sender.py" in names
    assert all(n.startswith("pracownia_student/") for n in names)
    assert not any("__pycache__" in n or n.endswith(".pyc") or "manifest" in n for n in names)
    assert {i.date_time for i in zipfile.ZipFile(a).infolist()} == {build_addon.EPOCH}


def test_extension_zip_bundles_the_pinned_wheels_reproducibly(tmp_path):
    a = build_addon.build_extension(str(tmp_path / "a"))
    b = build_addon.build_extension(str(tmp_path / "b"))
    assert _sha(a) == _sha(b)
    names = zipfile.ZipFile(a).namelist()
    assert "blender_manifest.toml" in names and "__init__.py" in names
    wheels = sorted(n[len("wheels/"):] for n in names if n.startswith("wheels/"))
    assert wheels == sorted(build_addon.WHEELS)
    platforms = " ".join(wheels)
    for tag in ("win_amd64", "universal2", "manylinux"):  # Windows, macOS arm64+x86_64, Linux
        assert tag in platforms
    manifest = zipfile.ZipFile(a).read("blender_manifest.toml").decode()
    assert 'version = "%s"' % build_addon.addon_version() in manifest
