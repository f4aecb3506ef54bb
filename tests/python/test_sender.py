"""Sender against a real pyzmq SUB bound on 127.0.0.1 acting as the lecturer."""

import hashlib
import os
import time

import pytest

from conftest import Lecturer, free_port, wait_until
from pracownia_student.transport import Sender, protocol as P

STUDENT = "3f2b8c1e-9a4d-4c6b-8e1f-2a7d5c9b0e14"
MIB = 1 << 20


@pytest.fixture
def make_sender():
    made = []

    def make(endpoint, **kw):
        kw.setdefault("heartbeat_every", 0.5)
        s = Sender(endpoint, STUDENT, kw.pop("login", "anna.kowalska"), **kw)
        s.start()
        made.append(s)
        return s

    yield make
    for s in made:
        s.stop(timeout=1.0)


def write_file(tmp_path, size, name="scena.blend"):
    path = tmp_path / name
    blob = b"BLENDER" + os.urandom(size - 7)
    path.write_bytes(blob)
    return str(path), blob


def collect_chunks(lec, transfer_id, count, timeout=30.0, class_code=None, delay=0.0, got=None):
    """{index: (header, body)} until every index arrived; fails on a timeout."""
    got = {} if got is None else got
    deadline = time.monotonic() + timeout
    while len(got) < count:
        msg = lec.next(kinds=("chunk",), timeout=max(0.1, deadline - time.monotonic()),
                       class_code=class_code)
        assert msg is not None, "only %d of %d chunks arrived" % (len(got), count)
        _, h, body = msg
        assert h["transfer"] == transfer_id
        got[h["index"]] = (h, body)
        if delay:
            time.sleep(delay)
    return got


def reassemble(got, size):
    out = bytearray(size)
    for h, body in got.values():
        out[h["offset"]:h["offset"] + len(body)] = body
    return bytes(out)


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
        assert wait_until(lambda: s.status()["state"] == "connected", 5)
        assert wait_until(lambda: s.status()["sent_messages"] == 1, 5)
    finally:
        lec.close()


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
    path, blob = write_file(tmp_path, 2000, "ok.png")
    tid = s.send_file(path, "screenshot")
    chat_id = s.send_chat("po błędzie")
    seen = {}
    while len(seen) < 2:  # chat goes ahead of file chunks
        kind, h, body = lecturer.next(kinds=("chat", "chunk"))
        seen[kind] = (h, body)
    assert seen["chat"][0]["id"] == chat_id
    assert seen["chunk"][0]["transfer"] == tid and seen["chunk"][1] == blob
    failed = [e for e in events if e["type"] == "file_failed"]
    assert [e["name"] for e in failed] == ["missing.blend", "huge.png"]
    assert "cannot be read" in failed[0]["error"] and "too large" in failed[1]["error"]
    assert wait_until(lambda: s.status()["sent_files"] == 1, 5)
    st = s.status()
    assert st["error"] == failed[1]["error"]
    assert st["state"] == "error"
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

SMALL_RCVBUF = 256 * 1024  # so a 24 MiB screenshot is still being sent when the test looks

class Arrivals:
    """Chunks of several transfers from a lecturer SUB, kept in arrival order."""

    def __init__(self, lec):
        self.lec, self.order, self.got = lec, [], {}

    def read(self, until, timeout=60.0, delay=0.0):
        deadline = time.monotonic() + timeout
        while not until():
            msg = self.lec.next(kinds=("chunk",), timeout=max(0.1, deadline - time.monotonic()))
            assert msg is not None, "chunks stopped: %r" % ({t: len(g) for t, g in self.got.items()},)
            _, h, body = msg
            self.order.append((h["transfer"], h["index"]))
            self.got.setdefault(h["transfer"], {})[h["index"]] = (h, body)
            if delay:
                time.sleep(delay)

    def has(self, tid, count):
        return len(self.got.get(tid, ())) == count

    def check(self, tid, blob):
        """The transfer reassembles to blob and every chunk names its sha256."""
        got = self.got[tid]
        assert {h["sha256"] for h, _ in got.values()} == {hashlib.sha256(blob).hexdigest()}
        assert reassemble(got, len(blob)) == blob


def _blend_then_screenshot(s, lec, tmp_path, blend_mib, shot_size):
    """Queue a blend, let 2 of its chunks arrive, then queue a screenshot."""
    bpath, blend = write_file(tmp_path, blend_mib * MIB, "scene.blend")
    bid = s.send_file(bpath, "blend", delete_after=True)
    arr = Arrivals(lec)
    arr.read(lambda: len(arr.got.get(bid, ())) >= 2, delay=0.02)
    spath, shot = write_file(tmp_path, shot_size, "shot.png")
    sid = s.send_file(spath, "screenshot")
    return arr, (bid, bpath, blend), (sid, shot)


def _sent_once(events, ids):
    sent = [e["id"] for e in events if e["type"] == "file_sent"]
    return sorted(sent) == sorted(ids)


@pytest.mark.timeout_s(90)
def test_screenshot_is_not_kept_waiting_by_a_blend_in_progress(make_sender, tmp_path):
    lec = Lecturer(rcvhwm=1)
    events = []
    try:
        s = make_sender(lec.endpoint, sndhwm=1, on_event=events.append)
        assert lec.next(kinds=("hello",), timeout=10)
        arr, (bid, _, blend), (sid, shot) = _blend_then_screenshot(s, lec, tmp_path, 40,
                                                                 3 * MIB + 5)
        arr.read(lambda: arr.has(sid, 4), delay=0.01)
        seen = s.status()
        assert not arr.has(bid, 40) and seen["transfer"]["id"] == bid and seen["parked"] is None
        arr.read(lambda: arr.has(bid, 40), delay=0.01)
        last_shot = max(arr.order.index((sid, i)) for i in range(4))
        assert last_shot < arr.order.index((bid, 39))
        assert len(arr.order) == 44  # parking sends nothing twice
        arr.check(bid, blend)
        arr.check(sid, shot)
        assert wait_until(lambda: _sent_once(events, [bid, sid]), 5)
        blend_progress = [e["sent"] for e in events if e["type"] == "progress" and e["id"] == bid]
        assert blend_progress == sorted(blend_progress) and blend_progress[-1] == len(blend)
        assert [e["sent"] for e in events if e.get("id") == sid and e["type"] == "progress"] == [
            MIB, 2 * MIB, 3 * MIB, len(shot)]
        assert wait_until(lambda: s.status()["state"] == "connected", 5)
    finally:
        lec.close()


def _parked(s, bid, sid):
    st = s.status()
    return bool(st["parked"] and st["parked"]["id"] == bid and st["transfer"]["id"] == sid)


@pytest.mark.timeout_s(120)
def test_lecturer_leaves_while_a_blend_is_parked_and_returns(make_sender, tmp_path):
    lec = Lecturer(rcvhwm=1, rcvbuf=SMALL_RCVBUF)
    events = []
    s = make_sender(lec.endpoint, sndhwm=1, on_event=events.append)
    assert lec.next(kinds=("hello",), timeout=10)
    arr, (bid, _, blend), (sid, shot) = _blend_then_screenshot(s, lec, tmp_path, 40, 24 * MIB)
    arr.read(lambda: sid in arr.got and _parked(s, bid, sid), delay=0.02, timeout=20)
    time.sleep(0.3)  # no reading: buffers fill, the 24 MiB screenshot cannot all fit
    was = s.status()
    port = lec.port
    lec.close()
    assert was["transfer"]["id"] == sid and 0 < was["transfer"]["sent"] < len(shot)
    assert was["parked"]["id"] == bid and 0 < was["parked"]["sent"] < len(blend)
    assert wait_until(lambda: s.status()["state"] == "waiting" and _parked(s, bid, sid), 10)
    st = s.status()
    assert st["transfer"]["sent"] == 0 == st["parked"]["sent"]  # both restart from chunk 0
    lec = Lecturer(port)
    try:
        arr = Arrivals(lec)
        arr.read(lambda: arr.has(sid, 24) and arr.has(bid, 40))
        assert arr.order[0] == (sid, 0) and arr.order[24] == (bid, 0)  # both from the start
        assert len(arr.order) == 64
        arr.check(bid, blend)
        arr.check(sid, shot)
        assert wait_until(lambda: s.status()["sent_files"] == 2, 10)
        assert _sent_once(events, [bid, sid])
    finally:
        lec.close()


@pytest.mark.timeout_s(90)
def test_cancelling_a_parked_blend_lets_the_screenshot_finish(make_sender, tmp_path):
    lec = Lecturer(rcvhwm=1, rcvbuf=SMALL_RCVBUF)
    events = []
    try:
        s = make_sender(lec.endpoint, sndhwm=1, on_event=events.append)
        assert lec.next(kinds=("hello",), timeout=10)
        arr, (bid, bpath, _), (sid, shot) = _blend_then_screenshot(s, lec, tmp_path, 40,
                                                                  24 * MIB)
        arr.read(lambda: _parked(s, bid, sid), delay=0.02, timeout=20)
        s.cancel_file(bid)
        arr.read(lambda: arr.has(sid, 24))
        arr.check(sid, shot)
        assert wait_until(lambda: s.status()["state"] == "connected", 5)
        assert lec.next(kinds=("chunk",), timeout=1.0) is None  # nothing more of the blend
        assert 2 <= len(arr.got[bid]) < 40
        st = s.status()
        assert st["transfer"] is None and st["parked"] is None and st["sent_files"] == 1
        assert [e["id"] for e in events if e["type"] == "file_cancelled"] == [bid]
        assert _sent_once(events, [sid])
        assert not os.path.exists(bpath)  # delete_after: a cancelled copy is removed
    finally:
        lec.close()
