"""Sender against a real pyzmq SUB bound on 127.0.0.1 acting as the lecturer."""

import hashlib
import os
import time
import uuid

import pytest

from tests.python.py_support import Lecturer, free_port, wait_until
from pracownia_student.transport import Sender, protocol as P
from tests.python.sender_support import (MIB, STUDENT, collect_chunks,  # noqa: F401 (fixture)
                                         make_sender, reassemble, write_file)


@pytest.mark.timeout_s(30)
def test_waits_for_lecturer_then_hello_comes_first(make_sender):
    port = free_port()
    s = make_sender("tcp://127.0.0.1:%d" % port, hello_info={"blender": "3.6.5"})
    assert wait_until(lambda: s.status()["state"] == "waiting", 5)
    msg_id = s.send_chat("Zażółć gęślą jaźń")
    time.sleep(0.3)
    st = s.status()
    assert st["state"] == "waiting" and st["queued"] == 1 and st["sent_messages"] == 0
    lec = Lecturer(port)
    try:
        kind, h, body = lec.next(skip=(), timeout=10)
        assert kind == "hello" and body == b""
        assert h["student"] == STUDENT and h["login"] == "anna.kowalska"
        assert h["blender"] == "3.6.5" and h["addon"] == P.ADDON_VERSION and h["host"]
        assert isinstance(h["ts"], int) and abs(h["ts"] - time.time() * 1000) < 60000
        kind, h2, body = lec.next(kinds=("chat",))
        assert h2["id"] == msg_id and body.decode("utf-8") == "Zażółć gęślą jaźń"
        assert h2["seq"] > h["seq"]
        # One sender process: one boot (a UUID) on every message, so seq orders them (replays).
        assert h2["boot"] == h["boot"] and str(uuid.UUID(h["boot"])) == h["boot"]
        assert wait_until(lambda: s.status()["state"] == "connected", 5)
        assert wait_until(lambda: s.status()["sent_messages"] == 1, 5)
    finally:
        lec.close()


@pytest.mark.timeout_s(30)
def test_every_heartbeat_says_whether_sharing_is_paused_and_a_change_goes_at_once(lecturer,
                                                                                  make_sender):
    # Heartbeats every 60 s: only the immediate one can arrive within the waits below.
    s = make_sender(lecturer.endpoint, heartbeat_every=60.0)
    assert lecturer.next(kinds=("hello",), timeout=10)
    kind, h, _ = lecturer.next(kinds=("heartbeat",), skip=(), timeout=5)
    assert h["paused"] is False and "file" not in h
    s.set_open_file("scena.blend")
    s.set_paused(True)
    started = time.monotonic()
    kind, h, body = lecturer.next(kinds=("heartbeat",), skip=(), timeout=5)
    assert time.monotonic() - started < 3, "a change is sent at once, not at the next heartbeat"
    assert (h["paused"], h["file"], body) == (True, "scena.blend", b"")
    s.set_paused(True)  # no change: nothing extra
    assert lecturer.next(kinds=("heartbeat",), skip=(), timeout=1.5) is None
    s.set_paused(False)
    kind, h, _ = lecturer.next(kinds=("heartbeat",), skip=(), timeout=5)
    assert h["paused"] is False


@pytest.mark.timeout_s(30)
def test_chat_hand_heartbeat_and_bye(lecturer, make_sender):
    s = make_sender(lecturer.endpoint, heartbeat_every=0.1)
    assert lecturer.next(kinds=("hello",), timeout=10)
    s.set_open_file("scena_końcowa.blend")
    assert wait_until(lambda: (lambda m: m and m[1].get("file") == "scena_końcowa.blend")(
        lecturer.next(skip=(), kinds=("heartbeat",), timeout=1)), 5)
    s.send_hand(True)
    s.send_hand(False)
    chat_id = s.send_chat("pytanie")
    seqs = []
    for want in ({"raised": True}, {"raised": False}, {"id": chat_id}):
        kind, h, body = lecturer.next(kinds=("hand", "chat"))
        assert {k: h[k] for k in want} == want
        seqs.append(h["seq"])
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    with pytest.raises(ValueError):
        s.send_chat("   ")
    with pytest.raises(ValueError):
        s.send_chat("ż" * 2049)
    started = time.monotonic()
    assert s.stop(timeout=2.0)
    assert time.monotonic() - started < 2.5
    kind, h, body = lecturer.next(kinds=("bye",))
    assert kind == "bye" and body == b""
    assert s.status()["state"] == "not_connected"


@pytest.mark.timeout_s(60)
def test_five_mib_file_arrives_whole(lecturer, make_sender, tmp_path):
    events = []
    s = make_sender(lecturer.endpoint, on_event=events.append, resend_window=0.5)
    path, blob = write_file(tmp_path, 5 * MIB + 123)
    transfer_id = s.send_file(path, "blend", delete_after=True)
    got = collect_chunks(lecturer, transfer_id, 6)
    heads = [got[i][0] for i in range(6)]
    assert [h["offset"] for h in heads] == [i * MIB for i in range(6)]
    assert {h["count"] for h in heads} == {6} and {h["size"] for h in heads} == {len(blob)}
    assert {h["sha256"] for h in heads} == {hashlib.sha256(blob).hexdigest()}
    assert {(h["kind"], h["name"]) for h in heads} == {("blend", "scena.blend")}
    assert reassemble(got, len(blob)) == blob
    assert wait_until(lambda: s.status()["sent_files"] == 1, 5)
    # delete_after: kept for resend_window (the lecturer might leave and need it again), then removed
    assert wait_until(lambda: not os.path.exists(path), 5)
    sent = [e for e in events if e["type"] == "file_sent"]
    assert sent and sent[0]["id"] == transfer_id and sent[0]["size"] == len(blob)
    assert [e["sent"] for e in events if e["type"] == "progress"][-1] == len(blob)
    assert any(e["type"] == "state" and e["state"] == "sending" for e in events)


def test_a_digest_the_caller_computed_is_used_not_computed_again(lecturer, make_sender,
                                                                  tmp_path):
    """The add-on's session hashes each capture for the skip; the sender reuses that digest (a
    stand-in here shows it is not recomputed; the receiver checks it against the bytes)."""
    s = make_sender(lecturer.endpoint)
    path, blob = write_file(tmp_path, MIB + 5)
    with pytest.raises(ValueError, match="SHA-256"):
        s.send_file(path, "blend", sha256="ABC")
    transfer_id = s.send_file(path, "blend", sha256="ab" * 32)
    got = collect_chunks(lecturer, transfer_id, 2)
    assert {got[i][0]["sha256"] for i in range(2)} == {"ab" * 32}
    assert reassemble(got, len(blob)) == blob


@pytest.mark.timeout_s(30)
def test_class_code_mac_verifies(lecturer, make_sender, tmp_path):
    code = "Kod-ąę"
    s = make_sender(lecturer.endpoint, class_code=code)
    assert lecturer.next(kinds=("hello",), class_code=code, timeout=10)
    chat_id = s.send_chat("hej")
    assert lecturer.next(kinds=("chat",), class_code=code)[1]["id"] == chat_id
    path, blob = write_file(tmp_path, 1000, "shot.png")
    tid = s.send_file(path, "screenshot")
    got = collect_chunks(lecturer, tid, 1, class_code=code)
    assert got[0][1] == blob
    s.stop()
    assert lecturer.next(kinds=("bye",), class_code=code, skip=("heartbeat",))


@pytest.mark.timeout_s(90)
def test_back_pressure_loses_no_chunk(make_sender, tmp_path):
    lec = Lecturer(rcvhwm=1)
    try:
        s = make_sender(lec.endpoint, sndhwm=2)
        assert lec.next(kinds=("hello",), timeout=10)
        path, blob = write_file(tmp_path, 20 * MIB)
        tid = s.send_file(path, "blend")
        time.sleep(1.0)  # let every queue fill up: the sender must wait, not drop
        mid = s.status()
        assert mid["state"] == "sending" and 0 < mid["transfer"]["sent"] < len(blob)
        assert mid["transfer"]["id"] == tid and mid["transfer"]["size"] == len(blob)
        got = collect_chunks(lec, tid, 20, timeout=60, delay=0.02)
        assert reassemble(got, len(blob)) == blob
        assert wait_until(lambda: s.status()["state"] == "connected", 5)
        assert s.status()["transfer"] is None and s.status()["sent_files"] == 1
    finally:
        lec.close()


def _leave_and_return(s, lec, tid, blob, chat_id, mid_file):
    """Close the lecturer after a few chunks, bind again on the same port, expect a full resend."""
    port = lec.port
    collect_chunks(lec, tid, 2, delay=0.05)
    was = s.status()
    lec.close()
    if mid_file:
        assert was["state"] == "sending" and 0 < was["transfer"]["sent"] < len(blob)
    assert wait_until(lambda: s.status()["state"] == "waiting", 10)
    st = s.status()
    assert st["transfer"] is None or (st["transfer"]["id"] == tid and st["transfer"]["sent"] == 0)
    lec = Lecturer(port)
    try:
        kinds, got = [], {}
        count = -(-len(blob) // MIB)
        deadline = time.monotonic() + 60
        while len(got) < count and time.monotonic() < deadline:
            kind, h, body = lec.next(timeout=10)
            kinds.append(kind)
            if kind == "chat":
                assert h["id"] == chat_id  # resent with the same id
            if kind == "chunk":
                assert h["transfer"] == tid
                if not got:
                    assert h["index"] == 0  # restarted from the first chunk
                got[h["index"]] = (h, body)
        assert kinds[0] == "hello" and "chat" in kinds
        assert reassemble(got, len(blob)) == blob
        assert wait_until(lambda: s.status()["sent_files"] == 1, 10)
    finally:
        lec.close()


@pytest.mark.timeout_s(90)
def test_lecturer_leaves_mid_file_and_returns(make_sender, tmp_path):
    lec = Lecturer(rcvhwm=1)
    s = make_sender(lec.endpoint, sndhwm=1)
    assert lec.next(kinds=("hello",), timeout=10)
    chat_id = s.send_chat("zaraz wracam?")
    assert lec.next(kinds=("chat",))[1]["id"] == chat_id
    path, blob = write_file(tmp_path, 48 * MIB)  # more than socket buffers on loopback hold
    tid = s.send_file(path, "blend")
    _leave_and_return(s, lec, tid, blob, chat_id, mid_file=True)


@pytest.mark.timeout_s(60)
def test_file_finished_just_before_lecturer_left_is_sent_again(make_sender, tmp_path):
    lec = Lecturer()
    s = make_sender(lec.endpoint)
    assert lec.next(kinds=("hello",), timeout=10)
    chat_id = s.send_chat("czy doszło?")
    path, blob = write_file(tmp_path, 3 * MIB)
    tid = s.send_file(path, "blend", delete_after=True)
    assert wait_until(lambda: s.status()["sent_files"] == 1, 10)  # all in buffers already
    _leave_and_return(s, lec, tid, blob, chat_id, mid_file=False)
    assert os.path.exists(path)  # kept for resend_window after being sent
    assert s.stop(timeout=2.0) and not os.path.exists(path)


@pytest.mark.timeout_s(20)
def test_stop_is_quick_without_lecturer(make_sender, tmp_path):
    s = make_sender("tcp://127.0.0.1:%d" % free_port())
    path, _ = write_file(tmp_path, 3 * MIB)
    s.send_file(path, "blend", delete_after=True)
    s.send_chat("halo?")
    assert wait_until(lambda: s.status()["state"] == "waiting", 5)
    started = time.monotonic()
    assert s.stop(timeout=2.0)
    assert time.monotonic() - started < 2.5
    assert s.status()["state"] == "not_connected"
    assert not os.path.exists(path)  # cancelled, so removed


@pytest.mark.timeout_s(30)
def test_bad_files_report_errors_and_the_queue_goes_on(lecturer, make_sender, tmp_path):
    events = []

    def broken_callback(event):
        events.append(event)
        raise RuntimeError("a broken callback must not stop the sender")

    s = make_sender(lecturer.endpoint, on_event=broken_callback)
    assert lecturer.next(kinds=("hello",), timeout=10)
    huge = tmp_path / "huge.png"
    with open(huge, "wb") as f:
        f.truncate(P.MAX_FILE_SIZE["screenshot"] + 1)  # sparse: costs no disk
    s.send_file(str(tmp_path / "missing.blend"), "blend")
    s.send_file(str(huge), "screenshot")
    # Both fail, one after the other; the status keeps the last error. (Queued before they had
    # failed, the next file could be taken in the same step or after them, which decides whether
    # the status still shows the error: so the good file is queued once they have failed.)
    assert wait_until(lambda: len([e for e in events if e["type"] == "file_failed"]) == 2, 5)
    failed = [e for e in events if e["type"] == "file_failed"]
    assert [e["name"] for e in failed] == ["missing.blend", "huge.png"]
    assert "cannot be read" in failed[0]["error"] and "too large" in failed[1]["error"]
    assert wait_until(lambda: s.status()["error"] == failed[1]["error"], 5)
    assert s.status()["state"] == "error"
    path, blob = write_file(tmp_path, 2000, "ok.png")
    tid = s.send_file(path, "screenshot")
    chat_id = s.send_chat("po błędzie")
    seen = {}
    while len(seen) < 2:  # chat goes ahead of file chunks
        kind, h, body = lecturer.next(kinds=("chat", "chunk"))
        seen[kind] = (h, body)
    assert seen["chat"][0]["id"] == chat_id
    assert seen["chunk"][0]["transfer"] == tid and seen["chunk"][1] == blob
    assert wait_until(lambda: s.status()["sent_files"] == 1, 5)
    assert s.status()["error"] is None  # the new attempt replaced the last file error
    s.clear_error()
    assert wait_until(lambda: s.status()["state"] == "connected", 5)
    with pytest.raises(ValueError):
        s.send_file(path, "video")
    with pytest.raises(ValueError):
        s.send_file(path, "blend", name="../x.blend")


@pytest.mark.timeout_s(20)
def test_bad_endpoint_is_an_error_state(make_sender):
    s = make_sender("not-an-endpoint")
    assert wait_until(lambda: s.status()["state"] == "error", 5)
    assert "lecturer" in s.status()["error"]
    assert s.stop(timeout=1.0)


def test_constructor_refuses_bad_login_and_id():
    with pytest.raises(ValueError):
        Sender("tcp://127.0.0.1:5570", STUDENT, "CON")
    with pytest.raises(ValueError):
        Sender("tcp://127.0.0.1:5570", "nope", "anna")


# ---- fairness: a screenshot overtakes a .blend in progress (worker.py parks the blend) ----


def _return_of_the_lecturer(s, lec):
    """Close the lecturer, wait for the sender to notice, bind again on the same port."""
    port = lec.port
    lec.close()
    assert wait_until(lambda: s.status()["state"] == "waiting", 10)
    lec = Lecturer(port)
    assert lec.next(kinds=("hello",), timeout=10)
    return lec


@pytest.mark.timeout_s(40)
def test_a_raised_hand_is_announced_again_to_a_returning_lecturer(make_sender):
    lec = Lecturer()
    # A short resend window: the hand went up long before the lecturer left, so only the
    # re-announcement (not the resend of recent messages) can bring it back.
    s = make_sender(lec.endpoint, resend_window=0.2)
    assert lec.next(kinds=("hello",), timeout=10)
    s.send_hand(True)
    assert lec.next(kinds=("hand",))[1]["raised"] is True
    time.sleep(0.5)
    lec = _return_of_the_lecturer(s, lec)
    try:
        kind, h, _ = lec.next(kinds=("hand", "chat"), timeout=5)
        assert (kind, h["raised"]) == ("hand", True)
        assert s.status()["sent_messages"] == 1  # an announcement, not a new message
        s.send_hand(False)
        assert lec.next(kinds=("hand",))[1]["raised"] is False
        time.sleep(0.5)
        lec = _return_of_the_lecturer(s, lec)
        s.send_chat("po powrocie")
        kind, h, _ = lec.next(kinds=("hand", "chat"), timeout=5)
        assert kind == "chat", "a lowered hand is not announced"
    finally:
        lec.close()
