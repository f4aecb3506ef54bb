"""End to end in Debian's real Blender 3.4 with a window (Xvfb, software GL): the add-on is
installed from the built legacy zip, connects to `pracownia serve`, and a real screenshot of the
Blender window and a .blend copy arrive and show in `pracownia timeline`; then the add-on is
disabled and Blender quits with exit code 0 and the driver's success marker.

Not collected by `pytest tests` (the name does not start with test_); scripts/test-blender.sh
runs it. Missing blender or xvfb-run FAILS. The screenshot is kept as artifacts/blender-window.png.
"""

import os
import shutil
import subprocess
import sys

import pytest

from support import ROOT, entries, tick_report

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "blender_window_driver.py")
MARK = "PRACOWNIA-WINDOW-TEST"
BLENDER_TIMEOUT_S = 240


def _tool(name):
    path = shutil.which(name, path="/usr/local/bin:/usr/bin:/bin")
    if path is None:
        pytest.fail("%s is not installed: the real-Blender test cannot run. Install it with "
                    "scripts/setup-blender.sh (Debian packages blender, xvfb, xauth)." % name,
                    pytrace=False)
    return path


@pytest.mark.timeout_s(BLENDER_TIMEOUT_S + 60)
@pytest.mark.parametrize("mode", ["disable", "quit"])
def test_real_blender_window_sends_a_screenshot_and_a_blend(mode, tmp_path, start_serve, cli):
    """mode "disable": the add-on is disabled, then Blender quits; "quit": Blender quits while
    the add-on is connected. Either way the lecturer gets a bye and Blender exits 0."""
    blender, xvfb = _tool("blender"), _tool("xvfb-run")
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import build_addon
    zip_path = build_addon.build_legacy(str(tmp_path / "dist"))
    serve = start_serve()
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    artifacts = os.path.join(ROOT, "artifacts")
    os.makedirs(artifacts, exist_ok=True)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "TMPDIR": str(tmp),
           "LANG": "C.UTF-8", "PRACOWNIA_DRIVER_TIMEOUT_S": str(BLENDER_TIMEOUT_S - 40),
           "PRACOWNIA_FAILURE_SHOT": os.path.join(artifacts, "blender-window-failure.png")}
    cmd = [xvfb, "-a", "-s", "-screen 0 1280x720x24", blender, "--factory-startup",
           "--enable-event-simulate", "-setaudio", "None", "--python", DRIVER, "--",
           zip_path, str(serve.port), mode]
    try:
        r = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=BLENDER_TIMEOUT_S, errors="replace")
    except subprocess.TimeoutExpired as e:
        pytest.fail("Blender did not finish within %d s; output:\n%s" % (
            BLENDER_TIMEOUT_S, (e.stdout or b"")[-4000:]), pytrace=False)
    out = r.stdout + r.stderr
    report = "\n".join(l for l in out.splitlines() if not l.startswith("TICKTIME"))[-6000:]
    assert r.returncode == 0, "Blender exited with %d:\n%s" % (r.returncode, report)
    assert "%s OK" % MARK in r.stdout, "no success marker:\n" + report
    assert "Traceback" not in out and "FAILED" not in out, report

    tl = cli.wait_timeline(serve.store, lambda t: entries(t, "screenshot") and entries(t, "blend")
                           and entries(t, "leave"), 20, "a screenshot, a .blend and a leave")
    shot = entries(tl, "screenshot")[-1]
    path = os.path.join(serve.store, shot["path"])
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    if mode == "disable":
        shutil.copyfile(path, os.path.join(artifacts, "blender-window.png"))
    assert entries(tl, "leave")[0]["reason"] == "bye"
    with open(os.path.join(serve.store, entries(tl, "blend")[0]["path"]), "rb") as f:
        assert f.read(7) == b"BLENDER"
    ticks = [(l.split()[1], float(l.split()[2])) for l in r.stdout.splitlines()
             if l.startswith("TICKTIME")]
    stats = tick_report("blender-3.4-window-" + mode, ticks)
    assert stats["screenshot"][1] < 10.0 and stats["blend"][1] < 10.0  # sanity bounds only
