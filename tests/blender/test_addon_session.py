"""The add-on's controller and session (no Blender: a fake capture) against the real
`pracownia serve`; pyzmq install logic without network."""

import os
import sys
import time
import uuid

import pytest

from tests.blender.support import FakeCapture, entries, our_threads, tick_report, wait_for
from pracownia_student import deps
from pracownia_student.controller import Controller


@pytest.fixture(params=["courier", "thread"])
def controller(request):
    """A Controller that is disconnected at the end even when the test failed: sending through
    the courier process (the default), and through the in-process thread (its fallback)."""
    ctl = Controller(courier=request.param == "courier")
    yield ctl
    ctl.disconnect()


def run_ticks(ctl, cap, until, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, "timed out; status %r" % (ctl.status(),)
        ctl.tick(cap)
        time.sleep(0.02)


def test_captures_arrive_identical_copies_are_skipped_chat_survives(start_serve, cli, controller):
    serve = start_serve()
    ctl, cap = controller, FakeCapture()
    sid = str(uuid.uuid4())
    with pytest.raises(ValueError, match="login"):
        ctl.connect("127.0.0.1:%d" % serve.port, "bad/login", sid)
    assert not ctl.connected and our_threads() == []
    ctl.connect("127.0.0.1:%d" % serve.port, "anna.nowak", sid, heartbeat_every=0.5,
                screenshot_every_s=5, blend_every_s=5)
    assert ctl.status()["sharing"]
    run_ticks(ctl, cap, lambda: ctl.sent == {"screenshot": 1, "blend": 1})
    ctl.send_chat("Mam pytanie")
    ctl.request("blend")  # unchanged: skipped by digest
    run_ticks(ctl, cap, lambda: ctl.gate.skipped["blend"] == 1)
    cap.blend += b"x"
    ctl.request("blend")
    run_ticks(ctl, cap, lambda: ctl.sent["blend"] == 2)
    tl = cli.wait_timeline(serve.store, lambda t: len(entries(t, "blend")) == 2
                           and entries(t, "chat") and entries(t, "screenshot"), 15,
                           "two blends, a screenshot and a chat")
    assert len(entries(tl, "screenshot")) == 1
    assert entries(tl, "chat")[0]["text"] == "Mam pytanie"
    stored = [open(os.path.join(serve.store, e["path"]), "rb").read() for e in entries(tl, "blend")]
    assert stored == [cap.blend[:-1], cap.blend]
    assert ctl.disconnect() is True
    assert our_threads() == []
    assert [t for _, t in ctl.chat] == ["Mam pytanie"]  # history survives the disconnect
    assert ctl.status()["state"] == "not_connected" and not ctl.status()["sharing"]
    tick_report("fake-capture", ctl.tick_times)


def test_a_screenshot_written_off_the_main_thread_arrives_a_failed_write_is_reported(
        start_serve, cli, controller):
    """capture.py returns a callable for the PNG: a thread off Blender's main thread runs it."""
    serve = start_serve()
    ctl, cap = controller, FakeCapture(deferred=True)
    ctl.connect("127.0.0.1:%d" % serve.port, "ola", str(uuid.uuid4()), heartbeat_every=0.5,
                screenshot_every_s=5, blend_every_s=600)
    run_ticks(ctl, cap, lambda: ctl.sent["screenshot"] == 1)
    # Blender's side encodes it: in the courier's spool writer, or in the in-process hasher
    assert cap.written_on == ["pracownia-writer" if ctl.use_courier else "pracownia-hasher"]
    tl = cli.wait_timeline(serve.store, lambda t: entries(t, "screenshot"), 15, "a screenshot")
    with open(os.path.join(serve.store, entries(tl, "screenshot")[0]["path"]), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    cap.fail_write = True
    ctl.request("screenshot")
    run_ticks(ctl, cap, lambda: ctl.error is not None)
    assert "could not be written" in ctl.error and ctl.sent["screenshot"] == 1
    cap.fail_write = False
    ctl.request("screenshot")
    run_ticks(ctl, cap, lambda: ctl.sent["screenshot"] == 2)


def test_status_waiting_then_connected_paused_and_no_window(start_serve, cli, controller):
    from tests.e2e.e2e_support import free_port
    port = free_port()  # the student reconnects to it until serve starts there
    ctl, cap = controller, FakeCapture(window=False)
    ctl.schedule.rand = lambda: 0.0  # no jitter: the first .blend copy is due at once
    ctl.connect("127.0.0.1:%d" % port, "piotr", str(uuid.uuid4()), heartbeat_every=0.5)
    run_ticks(ctl, cap, lambda: ctl.status()["state"] == "waiting")
    ctl.tick(cap)
    assert ctl.status()["text"].startswith("Waiting")
    assert ctl.status()["notice"] == "no window"
    assert ctl.sent == {"screenshot": 0, "blend": 0}  # nothing captured for nobody
    ctl.paused = True
    assert not ctl.status()["sharing"]
    serve = start_serve(port=port)
    run_ticks(ctl, cap, lambda: ctl.status()["state"] == "connected")
    time.sleep(0.3)
    for _ in range(5):
        assert ctl.tick(cap) is None  # paused: nothing automatic
    ctl.paused = False
    run_ticks(ctl, cap, lambda: ctl.sent["blend"] == 1)
    assert cap.shots == 0  # no window: .blend copies only
    cli.wait_timeline(serve.store, lambda t: entries(t, "blend"), 15, "a blend")
    assert ctl.disconnect() and our_threads() == []


def test_chat_is_refused_with_a_sentence_when_empty_too_long_or_offline():
    ctl = Controller()
    with pytest.raises(ValueError, match="empty"):
        ctl.send_chat("   ")
    with pytest.raises(ValueError, match="too long"):
        ctl.send_chat("ż" * 3000)
    with pytest.raises(ValueError, match="Connect"):
        ctl.send_chat("hello")
    assert len(ctl.chat) == 0


def test_zmq_missing_is_detected(monkeypatch):
    assert deps.zmq_available(refresh=True)
    monkeypatch.setitem(sys.modules, "zmq", None)  # `import zmq` now raises ImportError
    assert not deps.zmq_available(refresh=True)
    assert not deps.zmq_available()  # cached
    monkeypatch.undo()
    assert deps.zmq_available(refresh=True)


def test_install_refuses_without_online_access(tmp_path):
    inst = deps.Installer(str(tmp_path / "deps"))
    inst.start(online_allowed=False)
    assert inst.state == "failed" and "Allow Online Access" in inst.message


@pytest.mark.timeout_s(120)
def test_install_offline_fails_with_a_clear_sentence_in_the_background(tmp_path):
    env = dict(os.environ, PIP_INDEX_URL="http://127.0.0.1:9/simple", PIP_RETRIES="0",
               PIP_TIMEOUT="2", PIP_NO_CACHE_DIR="1", PIP_FIND_LINKS="", PIP_CONFIG_FILE=os.devnull)
    inst = deps.Installer(str(tmp_path / "deps"), python=sys.executable, env=env)
    t0 = time.perf_counter()
    inst.start()
    assert time.perf_counter() - t0 < 0.5  # the caller (Blender's UI) never waits for pip
    assert inst.state == "running"
    wait_for(lambda: inst.state != "running", 100, "pip to give up")
    assert inst.state == "failed"
    assert "offline" in inst.message, inst.message
