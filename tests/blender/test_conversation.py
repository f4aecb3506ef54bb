"""The conversation store and the Controller's side of protocol 1.1 (no Blender: the fake
capture), against the Python ROUTER lecturer of tests/python/reference_router.py."""

import json
import os
import time
import uuid

import pytest

from tests.blender.support import FakeCapture, welcome_until_two_way
from pracownia_student.conversation import Conversation, file_name
from tests.python.reference_router import TwoWayLecturer

SID = "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"


@pytest.fixture
def lec():
    lecturer = TwoWayLecturer()
    yield lecturer
    lecturer.close()


def ticks(ctl, cap, lec, until, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, "timed out; status %r" % (ctl.status(),)
        ctl.tick(cap)
        lec.pump()
        time.sleep(0.02)


def answer(ctl, cap, lec, timeout=5.0):
    """The next `answer` header; the Controller answers in its tick, so keep ticking."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ctl.tick(cap)
        got = lec.next(("answer",), 0.05)
        if got is not None:
            return got[2]
    return None


def connect(ctl, lec, cap, folder=None):
    ctl.connect(lec.endpoint.replace("tcp://", ""), "ola.nowak", SID, heartbeat_every=0.5,
                conversation_dir=folder)
    welcome_until_two_way(ctl, lec, cap, SID, timeout=10.0)


# ---- the store alone ----

def test_store_dedups_keeps_order_limits_and_reloads(tmp_path):
    c = Conversation(limit=5)
    c.open(str(tmp_path), "tcp://10.0.0.5:5570")
    ids = [str(uuid.uuid4()) for _ in range(7)]
    c.add_mine(ids[0], "pierwsza", ts_ms=1000)
    assert c.add_lecturer({"kind": "reply", "id": ids[1], "text": "odpowiedź", "ts": 2000})
    assert c.add_lecturer({"kind": "reply", "id": ids[1], "text": "odpowiedź", "ts": 2000}) is None
    c.add_lecturer({"kind": "broadcast", "id": ids[2], "text": "do wszystkich", "ts": 3000})
    c.add_lecturer({"kind": "request", "id": ids[3], "what": "blend", "ts": 4000})
    assert [i["who"] for i in c] == ["me", "lecturer", "class", "lecturer"]
    assert c.unread_count == 2 and c.unread_ids() == [ids[1], ids[2]]
    c.apply_receipt(stored=[ids[0]], read=[])
    c.set_mine_state([ids[0]], "sent")  # a late event never moves a state back
    assert c.get(ids[0])["state"] == "delivered"
    c.save()
    d = Conversation(limit=5)
    d.open(str(tmp_path), "tcp://10.0.0.5:5570")
    assert list(d) == list(c) and d.unread_count == 2
    for i in ids[4:]:
        d.add_lecturer({"kind": "reply", "id": i, "text": i, "ts": 5000})
    assert len(d) == 5 and d.get(ids[0]) is None and d.get(ids[1]) is None
    assert d.add_lecturer({"kind": "reply", "id": ids[1], "text": "again", "ts": 1}) is None
    other = Conversation()
    other.open(str(tmp_path), "tcp://10.0.0.6:5570")  # another lecturer: another file
    assert len(other) == 0 and file_name("tcp://10.0.0.5:5570") != file_name("tcp://10.0.0.6:5570")


def test_a_torn_write_leaves_the_last_good_file(tmp_path, monkeypatch):
    c = Conversation()
    c.open(str(tmp_path), "tcp://h:5570")
    c.add_mine(str(uuid.uuid4()), "zapisana")
    c.save()
    good = open(c.path, encoding="utf-8").read()
    c.add_mine(str(uuid.uuid4()), "niezapisana")

    def crash(src, dst):  # power lost after part of the temporary file was written
        with open(src, "r+", encoding="utf-8") as f:
            f.truncate(10)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        c.save()
    monkeypatch.undo()
    assert open(c.path, encoding="utf-8").read() == good
    d = Conversation()
    d.open(str(tmp_path), "tcp://h:5570")
    assert [i["text"] for i in d] == ["zapisana"] and d.load_error is None
    with open(d.path, "w", encoding="utf-8") as f:  # a file broken some other way
        f.write('{"items": [')
    e = Conversation()
    e.open(str(tmp_path), "tcp://h:5570")
    assert len(e) == 0 and "could not be read" in e.load_error
    assert os.path.exists(e.path + ".broken")
    e.add_mine(str(uuid.uuid4()), "od nowa")
    e.save()
    assert json.load(open(e.path, encoding="utf-8"))["items"][0]["text"] == "od nowa"


# ---- the Controller with a lecturer that answers ----

@pytest.mark.timeout_s(60)
def test_conversation_flows_persists_and_reloads_across_controllers(lec, controllers, tmp_path):
    cap = FakeCapture(window=False)
    ctl = controllers()
    connect(ctl, lec, cap, str(tmp_path))
    chat = ctl.send_chat("Nie działa mi modyfikator")
    assert ctl.conversation.get(chat)["state"] in ("queued", "sent")
    ticks(ctl, cap, lec, lambda: ctl.conversation.get(chat)["state"] == "sent")
    lec.send("receipt", {"stored": [chat], "read": []}, student=SID)
    ticks(ctl, cap, lec, lambda: ctl.conversation.get(chat)["state"] == "delivered")
    reply = lec.reply(SID, "Pokaż mi ekran")
    ticks(ctl, cap, lec, lambda: ctl.conversation.unread_count == 1)
    assert lec.next(("ack",), 5)[2]["ids"] == [reply]
    lec.send("receipt", {"stored": [], "read": [chat]}, student=SID)
    ticks(ctl, cap, lec, lambda: ctl.conversation.get(chat)["state"] == "read")
    assert ctl.status()["unread"] == 1
    assert ctl.mark_conversation_read() == 1
    assert lec.next(("read",), 5)[2]["ids"] == [reply]
    bc = lec.reply(SID, "Przerwa 10 minut", kind="broadcast")
    ticks(ctl, cap, lec, lambda: ctl.conversation.unread_count == 1)
    items = [(i["who"], i["text"], i["state"]) for i in ctl.conversation]
    assert items == [("me", "Nie działa mi modyfikator", "read"),
                     ("lecturer", "Pokaż mi ekran", "read"),
                     ("class", "Przerwa 10 minut", "unread")]
    assert all(len(i["time"]) == 8 for i in ctl.conversation)
    ctl.disconnect()

    again = controllers()  # Blender restarted
    connect(again, lec, cap, str(tmp_path))
    assert [(i["who"], i["text"], i["state"]) for i in again.conversation] == items
    lec.reply(SID, "Przerwa 10 minut", msg_id=bc, kind="broadcast")  # resent: our ack was lost
    assert lec.next(("ack",), 5)[2]["ids"] == [bc]
    for _ in range(10):
        again.tick(cap)
        time.sleep(0.02)
    assert len(again.conversation) == 3 and again.conversation.unread_count == 1


@pytest.mark.timeout_s(60)
def test_request_while_paused_answers_paused_and_captures_nothing(lec, controllers):
    cap = FakeCapture(window=False)
    ctl = controllers()
    ctl.paused = True
    connect(ctl, lec, cap)
    req = str(uuid.uuid4())
    lec.send("request", {"id": req, "what": "blend"}, student=SID)
    h = answer(ctl, cap, lec)
    assert (h["id"], h["status"]) == (req, "paused")
    for _ in range(20):
        ctl.tick(cap)
        time.sleep(0.02)
    assert cap.blends == 0 and cap.shots == 0 and ctl.sent["blend"] == 0
    lec.send("request", {"id": req, "what": "blend"}, student=SID)  # resent: not answered twice
    assert lec.next(("ack",), 5) is not None
    assert answer(ctl, cap, lec, 0.5) is None


@pytest.mark.timeout_s(60)
def test_request_is_captured_and_answered_and_hand_answers(lec, controllers):
    cap = FakeCapture(window=False)
    ctl = controllers()
    connect(ctl, lec, cap)
    shot = str(uuid.uuid4())
    lec.send("request", {"id": shot, "what": "screenshot"}, student=SID)
    h = answer(ctl, cap, lec)
    assert (h["id"], h["status"], h["text"]) == (shot, "failed", "no window")
    blend = str(uuid.uuid4())
    lec.send("request", {"id": blend, "what": "blend"}, student=SID)
    h = answer(ctl, cap, lec)
    assert (h["id"], h["status"]) == (blend, "capturing")
    ticks(ctl, cap, lec, lambda: cap.blends == 1)
    assert lec.next_v1(("chunk",), 10)[1]["kind"] == "blend"
    ctl.set_hand(True)
    lec.send("hand", {"id": str(uuid.uuid4()), "state": "acknowledged"}, student=SID)
    ticks(ctl, cap, lec, lambda: ctl.hand_acknowledged)
    lec.send("hand", {"id": str(uuid.uuid4()), "state": "lowered"}, student=SID)
    ticks(ctl, cap, lec, lambda: not ctl.hand_raised)
    assert [i["kind"] for i in ctl.conversation] == ["request", "request", "hand", "hand"]
    assert ctl.conversation.unread_count == 0
