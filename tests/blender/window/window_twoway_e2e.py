"""Protocol 1.1 end to end in Debian's real Blender 3.4 with a window (Xvfb, software GL): the
lecturer is TwoWayLecturer (Python, in this process), the add-on is installed from the legacy zip.
A reply shows in the panel and as a status-bar notice (window screenshot kept as
artifacts/blender-twoway-notice.png); a request for a screenshot is answered `capturing` and the
screenshot arrives; with sharing paused a request is answered `paused` and nothing is sent.
An encrypted class (issue 13): the student pastes a join string with the lecturer's CURVE key, the
add-on's courier connects as a CURVE client of TwoWayLecturer(encrypted=True), the panel says so
and a chat arrives (artifacts/blender-encrypted.png).

Not collected by `pytest tests` (the name does not start with test_); scripts/test-blender.sh
runs it. Missing blender or xvfb-run FAILS.
"""

import os
import queue
import signal
import subprocess
import threading
import time
import uuid

import pytest

from tests.blender.support import ROOT
from tests.blender.window.window_e2e import _tool
from tests.python.reference_router import TwoWayLecturer

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "twoway_window_driver.py")
CURVE_DRIVER = os.path.join(HERE, "curve_window_driver.py")
MARK = "PRACOWNIA-TWOWAY-TEST"
CURVE_MARK = "PRACOWNIA-CURVE-TEST"
BLENDER_TIMEOUT_S = 200
REPLY = "Zaraz podejdę. Sprawdź, czy skala obiektu jest zastosowana."


class Blender:
    """Blender under xvfb-run; its output lines are read by a thread (the test keeps pumping
    the lecturer's sockets meanwhile)."""

    def __init__(self, cmd, env, mark=MARK):
        self.mark = mark
        # Its own process group: on failure Blender goes too, not only the xvfb-run wrapper.
        self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, errors="replace", start_new_session=True)
        self.lines, self.out = queue.Queue(), []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.out.append(line)
            self.lines.put(line)

    def report(self):
        return "".join(self.out)[-6000:]

    def wait_line(self, word, lec, timeout=90.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lec.pump()  # keeps the SUB's subscription flowing while we wait
            try:
                line = self.lines.get(timeout=0.05)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            if line.startswith(self.mark) and " FAILED" in line:
                break
            if line.startswith("%s %s" % (self.mark, word)):
                return line
        pytest.fail("no %r from Blender:\n%s" % (word, self.report()), pytrace=False)


def screenshot_chunk(lec, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = lec.next_v1(("chunk",), 0.2)
        if got is not None and got[1]["kind"] == "screenshot":
            return got
    return None


@pytest.mark.timeout_s(BLENDER_TIMEOUT_S + 60)
def test_real_blender_window_shows_the_reply_and_answers_requests(tmp_path):
    blender, xvfb = _tool("blender"), _tool("xvfb-run")
    import build_addon  # scripts/ (pytest.ini's pythonpath)
    zip_path = build_addon.build_legacy(str(tmp_path / "dist"))
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    artifacts = os.path.join(ROOT, "artifacts")
    os.makedirs(artifacts, exist_ok=True)
    shot = os.path.join(artifacts, "blender-twoway-notice.png")
    if os.path.exists(shot):
        os.remove(shot)
    lec = TwoWayLecturer()
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "TMPDIR": str(tmp),
           "LANG": "C.UTF-8", "PRACOWNIA_DRIVER_TIMEOUT_S": str(BLENDER_TIMEOUT_S - 40),
           "PRACOWNIA_NOTICE_SHOT": shot,
           "PRACOWNIA_FAILURE_SHOT": os.path.join(artifacts, "blender-twoway-failure.png")}
    cmd = [xvfb, "-a", "-s", "-screen 0 1280x720x24", blender, "--factory-startup",
           "--enable-event-simulate", "-setaudio", "None", "--python", DRIVER, "--",
           zip_path, str(lec.port)]
    b = Blender(cmd, env)
    try:
        b.wait_line("CONNECTED", lec, 120)
        got = lec.next(("register",), 20)
        assert got is not None, "no register:\n" + b.report()
        student = got[2]["student"]
        lec.welcome(student)
        reply = lec.reply(student, REPLY)
        got = lec.next(("ack",), 20)
        assert got is not None and reply in got[2]["ids"], b.report()
        b.wait_line("READY-REQUEST", lec, 60)
        assert os.path.getsize(shot) > 0
        lec.pump()
        lec.v1.clear()  # the automatic first screenshot is not the one asked for
        req = str(uuid.uuid4())
        lec.send("request", {"id": req, "what": "screenshot"}, student=student)
        got = lec.next(("answer",), 20)
        assert got is not None and (got[2]["id"], got[2]["status"]) == (req, "capturing")
        assert screenshot_chunk(lec, 30) is not None, "the requested screenshot never came"
        b.wait_line("PAUSED", lec, 30)
        req = str(uuid.uuid4())
        lec.send("request", {"id": req, "what": "screenshot"}, student=student)
        got = lec.next(("answer",), 20)
        assert got is not None and (got[2]["id"], got[2]["status"]) == (req, "paused")
        assert screenshot_chunk(lec, 3) is None, "a screenshot was sent while paused"
        b.wait_line("OK", lec, 60)
        rc = b.proc.wait(timeout=60)
    finally:
        if b.proc.poll() is None:
            os.killpg(b.proc.pid, signal.SIGKILL)
        lec.close()
    out = b.report()
    assert rc == 0, "Blender exited with %d:\n%s" % (rc, out)
    assert "Traceback" not in "".join(b.out) and "FAILED" not in "".join(b.out), out
    with open(shot, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.timeout_s(BLENDER_TIMEOUT_S + 60)
def test_real_blender_joins_an_encrypted_class_and_chats(tmp_path):
    blender, xvfb = _tool("blender"), _tool("xvfb-run")
    import build_addon  # scripts/ (pytest.ini's pythonpath)
    zip_path = build_addon.build_legacy(str(tmp_path / "dist"))
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    artifacts = os.path.join(ROOT, "artifacts")
    os.makedirs(artifacts, exist_ok=True)
    shot = os.path.join(artifacts, "blender-encrypted.png")
    if os.path.exists(shot):
        os.remove(shot)
    lec = TwoWayLecturer(class_code="KOT-LAS-42", encrypted=True)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "TMPDIR": str(tmp),
           "LANG": "C.UTF-8", "PRACOWNIA_DRIVER_TIMEOUT_S": str(BLENDER_TIMEOUT_S - 40),
           "PRACOWNIA_CURVE_SHOT": shot,
           "PRACOWNIA_FAILURE_SHOT": os.path.join(artifacts, "blender-encrypted-failure.png")}
    cmd = [xvfb, "-a", "-s", "-screen 0 1280x720x24", blender, "--factory-startup",
           "--enable-event-simulate", "-setaudio", "None", "--python", CURVE_DRIVER, "--",
           zip_path, lec.join_string("KOT-LAS-42")]
    b = Blender(cmd, env, CURVE_MARK)
    try:
        line = b.wait_line("CONNECTED", lec, 120)
        assert line.split()[-1] == "KOT-LAS-42", line  # the code came from the join text
        student = None
        deadline = time.monotonic() + 30
        while student is None:  # welcome registers until Blender says it is two-way
            assert time.monotonic() < deadline, "no register:\n" + b.report()
            got = lec.next(("register",), 0.5)
            if got is not None:
                student = got[2]["student"]
                lec.welcome(student, got[0])
        b.wait_line("ENCRYPTED", lec, 60)
        chat_id = b.wait_line("CHAT-SENT", lec, 60).split()[-1]
        got = lec.next_v1(("chat",), 20)
        assert got is not None, "no chat arrived:\n" + b.report()
        assert (got[1]["id"], got[1]["student"]) == (chat_id, student)
        assert got[2].decode() == "Szyfrowane pytanie z Blendera"
        b.wait_line("OK", lec, 60)
        rc = b.proc.wait(timeout=60)
    finally:
        if b.proc.poll() is None:
            os.killpg(b.proc.pid, signal.SIGKILL)
        lec.close()
    out = b.report()
    assert rc == 0, "Blender exited with %d:\n%s" % (rc, out)
    assert "Traceback" not in "".join(b.out) and "FAILED" not in "".join(b.out), out
    with open(shot, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
