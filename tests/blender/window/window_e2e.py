"""End to end in Debian's real Blender 3.4 with a window (Xvfb, software GL): the add-on is
installed from the built legacy zip, connects to `pracownia serve`, and a real screenshot of the
Blender window and a .blend copy arrive and show in `pracownia timeline`; then the add-on is
disabled and Blender quits with exit code 0 and the driver's success marker. The network side
runs in the courier process: it exits when the add-on is disabled, when Blender quits and when
Blender is SIGKILLed.

Not collected by `pytest tests` (the name does not start with test_); scripts/test-blender.sh
runs it. Missing blender or xvfb-run FAILS. The screenshot is kept as artifacts/blender-window.png.
"""

import os
import shutil
import signal
import subprocess
import time

import pytest

from tests.blender.support import ROOT, entries, tick_report

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


def _blender_cmd(tmp_path, port, mode):
    """(command, env, artifacts folder) for Blender under Xvfb running the driver."""
    blender, xvfb = _tool("blender"), _tool("xvfb-run")
    import build_addon  # scripts/ (pytest.ini's pythonpath)
    zip_path = build_addon.build_legacy(str(tmp_path / "dist"))
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
           zip_path, str(port), mode]
    return cmd, env, artifacts


def _gone(pid):
    """The process has exited (a zombie counts: in a container nobody may reap the orphan)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _wait_gone(pid, seconds):
    deadline = time.monotonic() + seconds
    while not _gone(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            return False
        time.sleep(0.05)
    return True


@pytest.mark.timeout_s(BLENDER_TIMEOUT_S + 60)
@pytest.mark.parametrize("mode", ["disable", "quit"])
def test_real_blender_window_sends_a_screenshot_and_a_blend(mode, tmp_path, start_serve, cli):
    """mode "disable": the add-on is disabled, then Blender quits; "quit": Blender quits while
    the add-on is connected. Either way the lecturer gets a bye, Blender exits 0 and the courier
    process has exited (the driver checks it after disabling)."""
    serve = start_serve()
    cmd, env, artifacts = _blender_cmd(tmp_path, serve.port, mode)
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
    courier = [int(l.split()[2]) for l in r.stdout.splitlines() if l.startswith(MARK + " COURIER")]
    assert len(courier) == 1, report
    assert _wait_gone(courier[0], 0.5), "the courier outlived Blender"
    if mode == "disable":
        assert "%s courier exited with the add-on" % MARK in r.stdout, report

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


@pytest.mark.timeout_s(BLENDER_TIMEOUT_S + 60)
def test_real_blender_killed_takes_its_courier_along(tmp_path, start_serve, cli):
    """Blender is SIGKILLed while connected: the courier sees its stdin end, says bye to the
    lecturer and exits; nothing is left running."""
    serve = start_serve()
    cmd, env, _ = _blender_cmd(tmp_path, serve.port, "kill")
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, errors="replace",
                            start_new_session=True)
    lines = []
    try:
        deadline = time.monotonic() + BLENDER_TIMEOUT_S
        for line in proc.stdout:
            lines.append(line.rstrip())
            if line.startswith(MARK + " KILLME") or "FAILED" in line:
                break
            assert time.monotonic() < deadline, "\n".join(lines[-50:])
        last = lines[-1] if lines else ""
        assert last.startswith(MARK + " KILLME"), "\n".join(lines[-80:])
        blender_pid, courier_pid = (int(w) for w in last.split()[2:4])
        os.kill(blender_pid, signal.SIGKILL)
        t0 = time.monotonic()
        assert _wait_gone(courier_pid, 5.0), "the courier outlived the killed Blender"
        print("courier gone %.2f s after Blender was killed" % (time.monotonic() - t0))
        rest = proc.communicate(timeout=30)[0]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    out = "\n".join(lines) + rest
    assert "Traceback" not in out, out[-4000:]
    tl = cli.wait_timeline(serve.store, lambda t: entries(t, "leave"), 20, "a leave")
    assert entries(tl, "leave")[0]["reason"] == "bye"  # the courier said goodbye for Blender
