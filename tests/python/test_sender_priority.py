"""A screenshot queued while a .blend is being sent goes first (the blend is parked and resumed),
against a real pyzmq SUB acting as the lecturer."""

import hashlib
import os
import time

import pytest

from tests.python.py_support import Lecturer, wait_until
from tests.python.sender_support import MIB, make_sender, reassemble, write_file  # noqa: F401


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
