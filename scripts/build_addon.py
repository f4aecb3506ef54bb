#!/usr/bin/env python3
"""Build the student add-on's two zips, reproducibly (same sources -> same bytes):

  dist/pracownia_student-<version>-legacy.zip     Blender 3.4-4.1: Preferences > Add-ons > Install
                                                  (pyzmq from the system or the panel's button)
  dist/pracownia_student-<version>-extension.zip  Blender 4.2+: Install from Disk; bundles the
                                                  pyzmq wheels listed in blender_manifest.toml

Entries are sorted, with a fixed time stamp and permissions. The wheels are fetched from PyPI
with `pip download` into build/wheels (gitignored) and checked against the digests pinned here.

  python3 scripts/build_addon.py [--out DIR] [--legacy-only] [--fetch-wheels-only]
"""

import argparse
import ast
import hashlib
import os
import re
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "blender_addon", "pracownia_student")
CACHE = os.path.join(ROOT, "build", "wheels")
PYZMQ = "pyzmq==27.1.0"
# file name -> (pip --platform, sha256)
WHEELS = {
    "pyzmq-27.1.0-cp311-cp311-macosx_10_15_universal2.whl": (
        "macosx_10_15_universal2",
        "226b091818d461a3bef763805e75685e478ac17e9008f49fce2d3e52b3d58b86"),
    "pyzmq-27.1.0-cp311-cp311-manylinux_2_26_x86_64.manylinux_2_28_x86_64.whl": (
        "manylinux_2_28_x86_64",
        "5bbf8d3630bf96550b3be8e1fc0fea5cbdc8d5466c1192887bd94869da17a63e"),
    "pyzmq-27.1.0-cp311-cp311-win_amd64.whl": (
        "win_amd64",
        "190cbf120fbc0fc4957b56866830def56628934a9d112aec0e2507aa6a032b97"),
}
EPOCH = (1980, 1, 1, 0, 0, 0)
MANIFEST = "blender_manifest.toml"


def addon_version():
    """bl_info["version"] from __init__.py (parsed, not imported), checked against the manifest."""
    with open(os.path.join(SRC, "__init__.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "bl_info":
            version = ".".join(map(str, ast.literal_eval(node.value)["version"]))
            break
    else:
        raise SystemExit("bl_info not found in __init__.py")
    with open(os.path.join(SRC, MANIFEST), encoding="utf-8") as f:
        manifest = f.read()
    m = re.search(r'^version = "([^"]+)"', manifest, re.M)
    if not m or m.group(1) != version:
        raise SystemExit("bl_info version %s differs from the manifest's %s"
                         % (version, m and m.group(1)))
    listed = re.findall(r'"\./wheels/([^"]+\.whl)"', manifest)
    if sorted(listed) != sorted(WHEELS):
        raise SystemExit("the manifest's wheels %s differ from WHEELS in this script"
                         % sorted(listed))
    return version


def source_files():
    """(archive path relative to the add-on, absolute path), sorted; no caches or bytecode."""
    out = []
    for folder, dirs, files in os.walk(SRC):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        for name in files:
            if name.endswith((".pyc", ".pyo")) or name.startswith("."):
                continue
            full = os.path.join(folder, name)
            out.append((os.path.relpath(full, SRC).replace(os.sep, "/"), full))
    return sorted(out)


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch_wheels():
    """Download missing wheels into the cache and verify every digest; returns their paths."""
    os.makedirs(CACHE, exist_ok=True)
    paths = []
    for name, (platform, digest) in sorted(WHEELS.items()):
        path = os.path.join(CACHE, name)
        if not os.path.isfile(path):
            cmd = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q",
                   "--no-deps", "--only-binary=:all:", "--implementation", "cp",
                   "--python-version", "3.11", "--platform", platform, "-d", CACHE, PYZMQ]
            print("build_addon: fetching %s" % name, file=sys.stderr)
            subprocess.run(cmd, check=True, timeout=600)
        if not os.path.isfile(path):
            raise SystemExit("pip did not produce %s" % name)
        if _sha256(path) != digest:
            raise SystemExit("%s has an unexpected sha256; delete it and run again" % path)
        paths.append(path)
    return paths


def _write_zip(target, entries):
    """entries: (archive name, absolute path), written sorted with fixed metadata."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    tmp = target + ".tmp"
    with zipfile.ZipFile(tmp, "w") as z:
        for arcname, full in sorted(entries):
            info = zipfile.ZipInfo(arcname, EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            with open(full, "rb") as f:
                z.writestr(info, f.read(), compresslevel=9)
    os.replace(tmp, target)
    return target


def build_legacy(out):
    version = addon_version()
    entries = [("pracownia_student/" + rel, full) for rel, full in source_files()
               if rel != MANIFEST]
    return _write_zip(os.path.join(out, "pracownia_student-%s-legacy.zip" % version), entries)


def build_extension(out):
    version = addon_version()
    entries = source_files() + [("wheels/" + os.path.basename(p), p) for p in fetch_wheels()]
    return _write_zip(os.path.join(out, "pracownia_student-%s-extension.zip" % version), entries)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "dist"))
    ap.add_argument("--legacy-only", action="store_true")
    ap.add_argument("--fetch-wheels-only", action="store_true")
    args = ap.parse_args(argv)
    if args.fetch_wheels_only:
        fetch_wheels()
        return 0
    print(build_legacy(args.out))
    if not args.legacy_only:
        print(build_extension(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
