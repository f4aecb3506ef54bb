"""Protocol 1.1 in Blender as a module (bpy 4.2+): the lecturer (TwoWayLecturer, Python) answers;
the panel shows both sides, the unread marker stays until "Mark as read" (and the lecturer gets
`read`), requests are captured or answered 'paused'. Background mode: no notice popup, the
status-bar marker only. Timers never fire in module mode: the tests call the tick themselves.
"""

import os
import random
import time
import uuid

from tests.blender.bpy_module import bpy_env  # noqa: F401,I001  (user folders first, then bpy)
import bpy
import pytest

from tests.blender.bpy_module.bpy_test_addon import (  # noqa: F401 (the fixture `addon`)
    Recorder, addon, connect, tick_until)
from tests.python.reference_router import TwoWayLecturer


@pytest.fixture
def lecturer():
    from pracownia_student import runtime
    runtime.controller.schedule.rand = lambda: 0.999  # no automatic .blend during a test
    lec = TwoWayLecturer()
    yield lec
    lec.close()
    # The Controller is one per Blender session: leave no counts behind for the other modules.
    from pracownia_student.schedule import DigestGate
    ctl = runtime.controller
    ctl.disconnect()
    ctl.paused = False
    ctl.sent = {"screenshot": 0, "blend": 0}
    ctl.gate = DigestGate()
    ctl.schedule.rand = random.random


def welcomed(reg, runtime, lec):
    """Connect the add-on and answer its register, as the lecturer's receiver does."""
    connect(runtime, lec.port, login="ala.nowak")
    got = lec.next(("register",), 10.0)
    assert got is not None, "no register on the return path"
    assert got[2]["student"] == runtime.student_id
    lec.welcome(runtime.student_id)
    ctl = runtime.controller

    def ready():
        # The lecturer's SUB sends its subscription only when its thread touches the socket (a
        # real receiver reads all the time): pump it until the XPUB is connected too, or a test
        # that only ticks the add-on afterwards waits for a lecturer that never subscribed.
        lec.pump()
        return ctl.status()["two_way"] and ctl.status()["state"] == "connected"
    tick_until(reg, runtime, ready)
    return ctl


def panel(reg=None):
    from pracownia_student import ui
    rec = Recorder()
    ui.draw_panel(rec, bpy.context)
    return rec


def statusbar():
    from pracownia_student import ui
    rec = Recorder()
    ui.draw_statusbar(rec)
    return rec.texts()


@pytest.mark.timeout_s(90)
def test_reply_shows_in_the_panel_and_stays_marked_until_read(addon, lecturer):
    reg, runtime = addon
    from pracownia_student import notify
    ctl = welcomed(reg, runtime, lecturer)
    sid = runtime.student_id
    assert "The lecturer can answer you" in panel().texts()
    # the student's own message: sent, then delivered and read by the lecturer (receipts)
    bpy.context.window_manager.pracownia.chat_text = "Nie działa mi modyfikator Bevel"
    assert bpy.ops.pracownia.chat_send() == {"FINISHED"}
    mine = ctl.conversation.items[-1]["id"]
    tick_until(reg, runtime, lambda: ctl.conversation.get(mine)["state"] == "sent")
    assert "You: Nie działa mi modyfikator" in panel().texts()
    assert "(sent)" in panel().texts()
    lecturer.send("receipt", {"stored": [mine], "read": [mine]}, student=sid)
    tick_until(reg, runtime, lambda: ctl.conversation.get(mine)["state"] == "read")
    assert "(read by the lecturer)" in panel().texts()
    # the lecturer answers: the panel shows it, the marker and the button stay until read
    long_text = "Sprawdź, czy skala obiektu jest zastosowana (Ctrl+A, Scale). " * 3
    n_log = len(notify.log)
    reply = lecturer.reply(sid, long_text)
    everyone = lecturer.reply(sid, "Przerwa do 11:15", kind="broadcast")
    tick_until(reg, runtime, lambda: ctl.conversation.unread_count == 2)
    rec = panel()
    assert "2 new messages from the lecturer" in rec.texts()
    assert "pracownia.mark_read" in rec.ops()
    assert "Lecturer: Sprawdź, czy skala" in rec.texts()
    assert "Everyone: Przerwa do 11:15" in rec.texts()
    lines = [e[1] for e in rec.log if e[0] == "label"]
    assert all(len(line) <= 60 for line in lines if "Sprawdź" in line or "(Ctrl+A" in line)
    assert sum(1 for line in lines if "Scale" in line) >= 2  # wrapped over several lines
    assert "Pracownia: 2 new messages" in statusbar()
    got = lecturer.next(("ack",), 5.0)
    assert got is not None and set(got[2]["ids"]) <= {reply, everyone}
    # background mode: nothing to pop up, the notice is skipped, the marker does the job
    notices = notify.log[n_log:]
    assert notices and {how for _, how in notices} == {"no window"}, notices
    assert len(notices) <= 2  # one per tick that brought something new
    for _ in range(3):
        reg._tick()  # announced once, not at every tick
    assert notify.log[n_log:] == notices
    assert bpy.ops.pracownia.mark_read() == {"FINISHED"}
    assert ctl.conversation.unread_count == 0
    assert "new message" not in statusbar() and "pracownia.mark_read" not in panel().ops()
    got = lecturer.next(("read",), 5.0)
    assert got is not None and set(got[2]["ids"]) == {reply, everyone}
    # kept on disk under the user config, for this lecturer address
    folder = os.path.join(bpy.utils.user_resource("CONFIG", path="pracownia"), "conversations")
    files = os.listdir(folder)
    assert any(f.startswith("conversation-127.0.0.1_%d" % lecturer.port) for f in files), files
    # disconnected: still readable, nothing to send with
    assert bpy.ops.pracownia.connect() == {"FINISHED"} and not ctl.connected
    rec = panel()
    assert "Lecturer: Sprawdź" in rec.texts() and "pracownia.chat_send" not in rec.ops()
    # a restart (a fresh conversation in memory): the same lecturer address loads it back
    from pracownia_student.conversation import Conversation
    ctl.conversation = Conversation()
    connect(runtime, lecturer.port, login="ala.nowak")
    assert ctl.conversation.get(reply)["state"] == "read" and ctl.conversation.get(mine)


@pytest.mark.timeout_s(60)
def test_lecturer_saw_the_raised_hand(addon, lecturer):
    reg, runtime = addon
    ctl = welcomed(reg, runtime, lecturer)
    assert bpy.ops.pracownia.hand() == {"FINISHED"}
    assert "saw your hand" not in panel().texts()
    lecturer.send("hand", {"id": str(uuid.uuid4()), "state": "acknowledged"},
                  student=runtime.student_id)
    tick_until(reg, runtime, lambda: ctl.hand_acknowledged)
    assert "The lecturer saw your hand" in panel().texts()


def chunks_of(lec, kind, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = lec.next_v1(("chunk",), 0.2)
        if got is not None and got[1]["kind"] == kind:
            return got
    return None


@pytest.mark.timeout_s(90)
def test_request_is_captured_unless_paused(addon, lecturer):
    reg, runtime = addon
    ctl = welcomed(reg, runtime, lecturer)
    ctl.schedule.next_at["blend"] = time.monotonic() + 3600  # only the request makes a copy
    bpy.ops.mesh.primitive_cube_add()
    sid = runtime.student_id
    req = str(uuid.uuid4())
    lecturer.send("request", {"id": req, "what": "blend"}, student=sid)
    tick_until(reg, runtime, lambda: ctl.sent["blend"] == 1)
    got = lecturer.next(("answer",), 5.0)
    assert got is not None and (got[2]["id"], got[2]["status"]) == (req, "capturing")
    assert chunks_of(lecturer, "blend", 5.0) is not None
    assert "The lecturer asked for a copy" in panel().texts()
    # paused: the student stays in control; the lecturer is told, nothing is captured
    assert bpy.ops.pracownia.pause() == {"FINISHED"} and ctl.paused
    bpy.ops.mesh.primitive_uv_sphere_add()
    req2 = str(uuid.uuid4())
    lecturer.send("request", {"id": req2, "what": "blend"}, student=sid)
    tick_until(reg, runtime, lambda: ctl.conversation.get(req2) is not None)
    for _ in range(20):
        reg._tick()
        time.sleep(0.05)
    got = lecturer.next(("answer",), 5.0)
    assert got is not None and (got[2]["id"], got[2]["status"]) == (req2, "paused")
    assert ctl.sent["blend"] == 1, [w for w, _ in ctl.tick_times if w != "idle"]
    assert chunks_of(lecturer, "blend", 1.0) is None
    bpy.ops.pracownia.pause()
    bpy.ops.pracownia.connect()  # disconnect


# ---- an encrypted class (issue 13) ----

def _join_connect(text):
    from pracownia_student.prefs import get_prefs
    p = get_prefs()
    p.login, p.address = "ala.nowak", text
    return bpy.ops.pracownia.connect()


@pytest.mark.timeout_s(90)
def test_encrypted_join_text_connects_shows_it_and_explains_a_wrong_key(addon, lecturer):
    reg, runtime = addon
    from pracownia_student import keys
    from pracownia_student.controller import HANDSHAKE_SENTENCES
    from pracownia_student.joinstring import BAD_KEY
    ctl = runtime.controller
    enc = TwoWayLecturer(class_code="KOT", encrypted=True)
    try:
        # A damaged key: Connect refuses with the sentence and stays disconnected.
        with pytest.raises(RuntimeError, match="server key in the join text is damaged"):
            _join_connect(enc.join_string("KOT")[:-1])
        assert not ctl.connected and ctl.error == BAD_KEY
        # Another lecturer's key: the handshake fails; the panel says why.
        import base64
        import zmq
        other = zmq.utils.z85.decode(zmq.curve_keypair()[0])
        _join_connect("pracownia://127.0.0.1:%d/KOT?key=%s" % (
            enc.port, base64.urlsafe_b64encode(other).decode().rstrip("=")))
        assert ctl.connected and ctl.status()["encrypted"]
        tick_until(reg, runtime, lambda: ctl.status()["error"] is not None)
        assert ctl.status()["error"] == HANDSHAKE_SENTENCES["wrong_key"]
        texts = panel().texts()
        assert HANDSHAKE_SENTENCES["wrong_key"] in texts.replace(" | ", " ")  # wrapped, whole
        assert "Encrypted connection" not in texts  # not connected
        assert bpy.ops.pracownia.connect() == {"FINISHED"}  # disconnect
        # The right join text: two-way, encrypted, the code filled in from the join text.
        _join_connect(enc.join_string("KOT"))
        assert bpy.context.window_manager.pracownia.class_code == "KOT"
        got = enc.next(("register",), 10.0)
        assert got is not None
        enc.welcome(runtime.student_id, got[0])
        tick_until(reg, runtime, lambda: ctl.status()["two_way"])
        assert "Encrypted connection" in panel().texts()
        path = keys.key_path(runtime.config_dir, runtime.student_id)
        assert os.path.exists(path)
        assert bpy.ops.pracownia.connect() == {"FINISHED"}  # disconnect
        # Reset student id: a new identity gets a new key (the old id's pair is gone).
        old_id = runtime.student_id
        assert bpy.ops.pracownia.reset_student_id() == {"FINISHED"}
        assert runtime.student_id != old_id and not os.path.exists(path)
    finally:
        enc.close()
