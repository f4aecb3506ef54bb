"""The courier (issue 11): the pipe protocol, the process's lifetime (stdin EOF, a killed parent),
and its errors as sentences; the Controller through it against the real `pracownia serve` is in
test_addon_session.py (both ways: courier and in-process)."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from tests.blender.support import FakeCapture, our_threads, wait_for
from pracownia_student import courier_protocol as CP
from pracownia_student.controller import Controller
from pracownia_student.courier_client import (COURIER_SCRIPT, CourierSession,
                                              CourierUnavailable)
from pracownia_student.schedule import DigestGate

SID = "6f1c2f8e-9a53-4c3e-8f58-0d5c8d4a1b11"
ALL_COMMANDS = [
    CP.command("connect", endpoint="tcp://127.0.0.1:5570", student_id=SID, login="anna",
               class_code=None, hello_info={"blender": "3.4.1"}, sender={"heartbeat_every": 0.5},
               last={"blend": "ab" * 32, "screenshot": None}, spool="/tmp/x", curve=None),
    CP.command("chat", id=str(uuid.uuid4()), text="Zażółć gęślą jaźń \u2603"),
    CP.command("hand", raised=True),
    CP.command("file", kind="blend", path="/tmp/x/1/scene.blend", name="scene.blend", marker=3),
    CP.command("cancel", id=str(uuid.uuid4())),
    CP.command("read", ids=[str(uuid.uuid4())]),
    CP.command("answer", id=str(uuid.uuid4()), status="paused", text=None),
    CP.command("open_file", name=None),
    CP.command("paused", paused=True),
    CP.command("disconnect", timeout=1.5),
    CP.command("quit"),
]


def courier_proc(parent=None, **kw):
    parent = os.getpid() if parent is None else parent
    return subprocess.Popen([sys.executable, "-s", COURIER_SCRIPT, "--parent", str(parent)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, **kw)


def read_event(proc):
    return CP.decode_event(proc.stdout.readline())


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# ---- the protocol ----

def test_every_command_and_event_round_trips_as_one_ascii_line():
    for cmd in ALL_COMMANDS:
        line = CP.encode(cmd)
        assert line.endswith(b"\n") and line.count(b"\n") == 1 and line.isascii()
        assert CP.decode_command(line) == cmd
    assert {c["cmd"] for c in ALL_COMMANDS} == set(CP.COMMANDS)
    events = [CP.event("ready", pid=1, python="/usr/bin/python3"),
              CP.event("status", status={"state": "sending", "transfer": {"sent": 1}}),
              CP.event("event", event={"type": "file_sent", "sha256": "00"}),
              CP.event("error", error="No."), CP.event("stopped", clean=True),
              CP.event("fatal", error="pyzmq is missing.")]
    assert {e["ev"] for e in events} == set(CP.EVENTS)
    for e in events:
        assert CP.decode_event(CP.encode(e)) == e
    # a newer add-on's extra field is ignored, not refused
    assert CP.decode_command(b'{"cmd":"hand","raised":false,"why":"new"}')["raised"] is False


@pytest.mark.parametrize("line,sentence", [
    (b'{"cmd":"fly"}', "Unknown command 'fly'"),
    (b'{"cmd":"hand"}', "lacks the field 'raised'"),
    (b'{"cmd":"hand","raised":1}', "wrong type"),
    (b'{"cmd":"file","kind":"blend","path":"p","name":"n","marker":true}', "wrong type"),
    (b'{"cmd":"disconnect","timeout":"soon"}', "wrong type"),
    (b"[1,2]", "not a JSON object"),
    (b"hello", "not JSON"),
    (b'"\xff"', "not text"),
    (b"{" + b" " * CP.MAX_LINE + b"}", "too long"),
])
def test_a_wrong_line_is_refused_with_a_sentence(line, sentence):
    with pytest.raises(CP.PipeError, match=sentence):
        CP.decode_command(line)


def test_commands_are_checked_when_made_too():
    with pytest.raises(CP.PipeError, match="wrong type"):
        CP.command("chat", id="x", text=5)
    with pytest.raises(CP.PipeError, match="Unknown event"):
        CP.decode_event(CP.encode(ALL_COMMANDS[2]))


# ---- the process ----

def test_the_courier_answers_errors_as_sentences_and_exits_on_stdin_eof():
    proc = courier_proc()
    try:
        ready = read_event(proc)
        assert ready["ev"] == "ready" and ready["pid"] == proc.pid
        proc.stdin.write(b'{"cmd":"fly"}\n' + CP.encode(CP.command("hand", raised=True))
                         + b"not json\n")
        proc.stdin.flush()
        assert read_event(proc) == {"ev": "error", "error": "Unknown command 'fly'."}
        assert read_event(proc) == {"ev": "error", "error": "Connect to the lecturer first."}
        assert read_event(proc)["error"].startswith("A line from the other process is not JSON")
        t0 = time.monotonic()
        proc.stdin.close()
        assert proc.wait(5) == 0
        assert time.monotonic() - t0 < 2.0
        assert proc.stdout.read() == b""
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_the_courier_refuses_a_bad_login_and_answers_disconnect(tmp_path):
    proc = courier_proc()
    try:
        assert read_event(proc)["ev"] == "ready"
        bad = dict(ALL_COMMANDS[0], login="bad/login", spool=str(tmp_path))
        proc.stdin.write(CP.encode(bad) + CP.encode(CP.command("disconnect", timeout=1.0)))
        proc.stdin.flush()
        error = read_event(proc)
        assert error["ev"] == "error" and "login" in error["error"] and error["error"][-1] == "."
        assert read_event(proc) == {"ev": "stopped", "clean": True}
        proc.stdin.write(CP.encode(CP.command("quit")))
        proc.stdin.flush()
        assert proc.wait(5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_the_courier_exits_when_its_parent_is_killed_even_if_the_pipe_stays_open():
    """The pipe's write end is held by this test, so only the parent check can end it."""
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    proc = courier_proc(parent=parent.pid)
    try:
        assert read_event(proc)["ev"] == "ready"
        time.sleep(0.7)
        assert proc.poll() is None  # the parent lives: the courier stays
        parent.kill()
        parent.wait()  # reaped, so the pid is really gone
        assert proc.wait(5) == 0
    finally:
        for p in (parent, proc):
            if p.poll() is None:
                p.kill()
            p.wait()


def test_the_courier_exits_when_blender_is_sigkilled():
    """A stand-in for Blender starts the courier as the add-on does (CourierSession) and is
    killed with SIGKILL: the courier sees stdin end and exits."""
    code = ("import sys, time; sys.path.insert(0, %r)\n"
            "from pracownia_student.courier_client import CourierSession\n"
            "from pracownia_student.schedule import DigestGate\n"
            "s = CourierSession('tcp://127.0.0.1:9', %r, 'anna', DigestGate())\n"
            "s.start(); print(s.proc.pid, flush=True); time.sleep(60)\n"
            % (os.path.dirname(os.path.dirname(COURIER_SCRIPT)), SID))
    blender = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    pid = None
    try:
        pid = int(blender.stdout.readline())
        assert alive(pid)
        blender.send_signal(signal.SIGKILL)
        blender.wait()
        wait_for(lambda: not alive(pid) or _zombie(pid), 5, "the courier to exit")
    finally:
        if blender.poll() is None:
            blender.kill()
        blender.wait()
        if pid and alive(pid) and not _zombie(pid):
            os.kill(pid, signal.SIGKILL)


def _zombie(pid):
    """Adopted by init after its parent died, an exited courier may be a zombie for a moment."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


# ---- Blender's side ----

def test_a_courier_that_cannot_start_is_a_sentence_and_the_controller_falls_back(tmp_path,
                                                                                 monkeypatch):
    with pytest.raises(CourierUnavailable, match="could not be started"):
        CourierSession("tcp://127.0.0.1:9", SID, "anna", DigestGate(),
                       python=str(tmp_path / "no-python")).start()
    assert our_threads() == []
    ctl = Controller()
    assert ctl.use_courier
    real = CourierSession.__init__

    def no_python(self, *a, **kw):
        real(self, *a, python=str(tmp_path / "no-python"), **kw)

    monkeypatch.setattr(CourierSession, "__init__", no_python)
    ctl.connect("127.0.0.1:9", "anna", SID)
    monkeypatch.undo()
    try:
        st = ctl.status()
        assert st["fallback"].startswith("Sending from inside Blender")
        assert "could not be started" in st["fallback"]
        assert "pracownia-sender" in our_threads()  # the in-process thread took over
    finally:
        assert ctl.disconnect()
    assert our_threads() == []


def test_a_courier_without_pyzmq_says_so(tmp_path, monkeypatch):
    fake = tmp_path / "fake" / "zmq"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no zmq here')\n")
    monkeypatch.setenv("PYTHONPATH", str(fake.parent))
    with pytest.raises(CourierUnavailable, match="cannot load pyzmq .no zmq here"):
        CourierSession("tcp://127.0.0.1:9", SID, "anna", DigestGate()).start()
    assert our_threads() == []


def test_a_courier_that_dies_is_an_error_sentence_in_the_panel():
    ctl = Controller()
    ctl.connect("127.0.0.1:9", "anna", SID)
    try:
        assert ctl.fallback is None
        proc = ctl.session.proc
        wait_for(lambda: ctl.status()["state"] == "waiting", 5, "waiting")
        proc.kill()
        wait_for(lambda: ctl.status()["state"] == "error", 5, "the error")
        text = ctl.status()["text"]
        assert "helper process that sends your work stopped" in text
        assert "exit code -9" in text
        ctl.tick(FakeCapture())  # no traceback, nothing captured
    finally:
        assert ctl.disconnect() is True
    assert our_threads() == []


def test_a_failed_file_and_a_bad_command_come_back_as_sentences():
    ctl = Controller()
    ctl.connect("127.0.0.1:9", "anna", SID)
    try:
        s = ctl.session
        s.post("file", kind="blend", path=os.path.join(s.spool, "gone.blend"), name="gone.blend",
               marker=1)
        s.post("answer", id="not-an-id", status="capturing", text=None)
        events = []

        def got_both():
            while s.events:
                events.append(s.events.popleft())
            return len(events) >= 2
        wait_for(got_both, 5, "two events")
        failed = [e for e in events if e["type"] == "capture_failed"]
        assert failed and failed[0]["error"].startswith("The .blend copy could not be prepared")
        error = [e for e in events if e["type"] == "error"]
        assert error and "not a message id" in error[0]["error"]
    finally:
        assert ctl.disconnect() is True


def test_the_spool_and_the_courier_are_gone_after_disconnect():
    ctl = Controller()
    ctl.connect("127.0.0.1:9", "anna", SID)
    s = ctl.session
    pid, spool = s.proc.pid, s.spool
    assert os.path.isdir(spool) and alive(pid)
    t0 = time.monotonic()
    assert ctl.disconnect() is True
    assert time.monotonic() - t0 < 2.5
    assert s.proc.returncode == 0  # it exited by itself, not killed
    assert not os.path.exists(spool)
    assert our_threads() == []
    assert json.loads(json.dumps(ctl.status()))["state"] == "not_connected"


def test_the_courier_yields_the_cpu_to_blender():
    """Software OpenGL draws on every core: the courier's hashing slowed Blender's frames ~1.9x
    until it ran at the lowest priority (bench/RESULTS.md, "Frame time while uploading")."""
    ctl = Controller()
    ctl.connect("127.0.0.1:9", "anna", SID)
    try:
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, ctl.session.proc.pid) == min(19, ours + 19)
    finally:
        assert ctl.disconnect() is True


def test_the_courier_runs_on_the_python_under_sys_prefix_not_a_path_guess(monkeypatch):
    """Debian's Blender 3.4 reported a pyenv shim found on PATH as sys.executable."""
    from pracownia_student import deps

    exe = deps.courier_python()
    assert os.path.dirname(exe) in (os.path.join(sys.prefix, "bin"), sys.prefix)
    out = subprocess.run([exe, "-c", "import sys; print(sys.prefix)"], capture_output=True,
                         text=True, timeout=30).stdout.strip()
    assert os.path.realpath(out) == os.path.realpath(sys.prefix)
    monkeypatch.setattr(sys, "executable", "/somewhere/else/.pyenv/shims/python3.11")
    assert deps.courier_python() == exe
