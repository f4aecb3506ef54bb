"""Blender as a Python module (bpy from PyPI, in .venv-bpy, .venv-bpy-4.2 or .venv-bpy-4.5): an
isolated user config, then bpy.

Each bpy test module imports this first, so BLENDER_USER_CONFIG/HOME point at a fresh folder
before bpy reads them. A missing bpy FAILS (run scripts/setup-blender.sh), never skips. (Not a
conftest.py: `pytest tests` in the main .venv must be able to walk this folder.)
"""

import os
import sys
import tempfile

import pytest

_HOME = tempfile.mkdtemp(prefix="pracownia-bpy-home-")
os.environ["HOME"] = _HOME
os.environ["BLENDER_USER_CONFIG"] = os.path.join(_HOME, "config")
os.environ["BLENDER_USER_SCRIPTS"] = os.path.join(_HOME, "scripts")

try:
    import bpy  # noqa: F401
except ImportError as e:  # pragma: no cover - the loud failure CI needs
    pytest.fail("bpy is not installed in %s (%s): run scripts/setup-blender.sh and use "
                "a .venv-bpy*/bin/python" % (sys.executable, e), pytrace=False)

