"""The zips in Blender as a module (4.2, 4.5, 5.0): the extension zip installs from disk with its
bundled pyzmq wheel, and the legacy zip through "Install legacy Add-on" (4.2+ still offer it;
pyzmq then comes from this Python); each enables and sends a .blend copy to `pracownia serve`.
Runs in a subprocess with its own HOME and extensions folder (installing changes the Python path
of the process)."""

import os
import subprocess
import sys
import textwrap

import pytest

from tests.blender.bpy_module import bpy_env  # noqa: F401  (isolated user folders, then bpy)
from tests.blender.support import entries

SCRIPT = textwrap.dedent("""
    import sys, time
    import bpy
    import addon_utils
    zip_path, port, kind = sys.argv[1:4]
    if kind == "legacy":
        r = bpy.ops.preferences.addon_install(filepath=zip_path, overwrite=True)
        assert r == {"FINISHED"}, r
        name = "pracownia_student"
        addon_utils.enable(name, default_set=True, handle_error=None)
    else:
        r = bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default",
                                                     enable_on_install=True)
        assert r == {"FINISHED"}, r
        name = "bl_ext.user_default.pracownia_student"
    assert name in bpy.context.preferences.addons, list(bpy.context.preferences.addons.keys())
    import importlib, os
    site = os.path.join(os.environ["BLENDER_USER_EXTENSIONS"], ".local", "lib", "python3.11",
                        "site-packages")
    print("WHEEL", os.path.isfile(os.path.join(site, "zmq", "__init__.py")))
    print("FROM", os.path.dirname(importlib.import_module(name).__file__))
    runtime = importlib.import_module(name + ".runtime")
    timers = importlib.import_module(name + ".timers")
    p = bpy.context.preferences.addons[name].preferences
    p.login, p.address = "rozszerzenie", "127.0.0.1:" + port
    assert bpy.ops.pracownia.connect() == {"FINISHED"}
    ctl = runtime.controller
    print("COURIER", type(ctl.session).__name__, ctl.fallback)
    t = time.monotonic()
    while runtime.controller.sent["blend"] < 1 and time.monotonic() - t < 30:
        timers._tick(); time.sleep(0.05)
    print("SENT", runtime.controller.sent["blend"])
    bpy.ops.pracownia.connect()
    addon_utils.disable(name, default_set=True, handle_error=None)
    print("INSTALL-OK")
""")


def install_and_send(tmp_path, start_serve, cli, kind):
    """The zip of `kind` installed and enabled in a fresh Blender; its output once it sent."""
    import build_addon  # scripts/ (pytest.ini's pythonpath)
    build = build_addon.build_legacy if kind == "legacy" else build_addon.build_extension
    zip_path = build(str(tmp_path / "dist"))
    serve = start_serve()
    home = tmp_path / "home"
    script = tmp_path / "install.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, HOME=str(home), BLENDER_USER_CONFIG=str(home / "config"),
               BLENDER_USER_SCRIPTS=str(home / "scripts"),
               BLENDER_USER_EXTENSIONS=str(home / "extensions"))
    r = subprocess.run([sys.executable, str(script), zip_path, str(serve.port), kind], env=env,
                       capture_output=True, text=True, timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode == 0 and "INSTALL-OK" in r.stdout and "Traceback" not in out, out
    assert "SENT 1" in r.stdout, out
    # the courier runs from the installed folder (imported there under its folder's name)
    assert "COURIER CourierSession None" in r.stdout, out
    tl = cli.wait_timeline(serve.store, lambda t: entries(t, "blend"), 20, "the add-on's blend")
    assert entries(tl, "blend")[0]["login"] == "rozszerzenie"
    return r.stdout, home


@pytest.mark.timeout_s(150)
def test_extension_zip_installs_with_bundled_wheel_and_sends(tmp_path, start_serve, cli):
    out, home = install_and_send(tmp_path, start_serve, cli, "extension")
    assert "WHEEL True" in out, "the bundled pyzmq wheel was not installed:\n" + out
    assert "FROM %s" % (home / "extensions" / "user_default" / "pracownia_student") in out, out


@pytest.mark.timeout_s(150)
def test_legacy_zip_installs_as_a_legacy_add_on_and_sends(tmp_path, start_serve, cli):
    out, home = install_and_send(tmp_path, start_serve, cli, "legacy")
    assert "WHEEL False" in out, out  # nothing bundled: pyzmq of this Python
    assert "FROM %s" % (home / "scripts" / "addons" / "pracownia_student") in out, out
