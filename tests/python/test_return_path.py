"""Protocol 1.1's return path in the Sender, against a Python ROUTER playing the lecturer."""

import time
import uuid

import pytest

from tests.python.py_support import wait_until
from tests.python.reference_router import TwoWayLecturer
from pracownia_student.transport import protocol as P, return_path
from tests.python.sender_support import STUDENT, make_sender  # noqa: F401

CODE = "Kod-ąę"


@pytest.fixture
def lecturer2():
    made = []

    def make(**kw):
        lec = TwoWayLecturer(**kw)
        made.append(lec)
        return lec

    yield make
    for lec in made:
        lec.close()


def events_of(events, type_):
    return [e for e in list(events) if e["type"] == type_]


def test_return_endpoint_is_the_next_port():
    assert P.return_endpoint("tcp://10.0.0.5:5570") == "tcp://10.0.0.5:5571"
    assert P.return_endpoint("tcp://[::1]:6000") == "tcp://[::1]:6001"
    assert P.return_endpoint("tcp://host:65535") is None


@pytest.mark.timeout_s(30)
def test_register_is_resent_until_welcome(lecturer2, make_sender, monkeypatch):
    monkeypatch.setattr(return_path, "REGISTER_EVERY_S", 0.3)
    lec = lecturer2()
    s = make_sender(lec.endpoint)
    assert lec.next_v1(("hello",), 10)
    first = lec.next(("register",), 10)
    assert first is not None
    ident, _, h, _ = first
    assert h["student"] == STUDENT and h["login"] == "anna.kowalska" and h["addon"]
    second = lec.next(("register",), 5)
    assert second is not None and second[2]["seq"] > h["seq"]  # again: no welcome yet
    assert not s.status()["two_way"]
    lec.welcome(STUDENT, ident)
    assert wait_until(lambda: s.status()["two_way"], 5)
    while lec.recv(0.2) is not None:  # a register may have crossed the welcome
        pass
    assert lec.next(("register",), 1.0) is None  # welcomed: no more registers


@pytest.mark.timeout_s(30)
def test_after_the_welcome_register_is_refreshed(lecturer2, make_sender, monkeypatch):
    """A return connection that dropped and reconnected alone is known again after a refresh."""
    monkeypatch.setattr(return_path, "REFRESH_EVERY_S", 0.5)
    lec = lecturer2()
    s = make_sender(lec.endpoint)
    ident, _, h, _ = lec.next(("register",), 10)
    lec.welcome(STUDENT, ident)
    assert wait_until(lambda: s.status()["two_way"], 5)
    again = lec.next(("register",), 5)
    assert again is not None and again[2]["seq"] > h["seq"]
    assert s.status()["two_way"]


@pytest.mark.timeout_s(30)
def test_an_oversized_lecturer_frame_is_never_buffered(lecturer2, make_sender, monkeypatch):
    """MAXMSGSIZE on the DEALER: a 1 MiB frame drops the connection instead of being read;
    after it reconnects and registers again, ordinary messages arrive."""
    monkeypatch.setattr(return_path, "REFRESH_EVERY_S", 0.5)
    events = []
    lec = lecturer2()
    s = make_sender(lec.endpoint, on_event=events.append)
    ident = lec.next(("register",), 10)[0]
    lec.welcome(STUDENT, ident)
    assert wait_until(lambda: s.status()["two_way"], 5)
    lec.reply(STUDENT, "x" * (1 << 20))
    again = lec.next(("register",), 10)  # the refresh, from the new connection
    assert again is not None
    msg_id = lec.reply(STUDENT, "mała wiadomość", ident=again[0])
    assert wait_until(lambda: events_of(events, "lecturer_message"), 5)
    assert [e["id"] for e in events_of(events, "lecturer_message")] == [msg_id]


@pytest.mark.timeout_s(30)
def test_register_again_when_the_lecturer_comes_back(lecturer2, make_sender):
    lec = lecturer2()
    port = lec.port
    s = make_sender(lec.endpoint)
    ident = lec.next(("register",), 10)[0]
    lec.welcome(STUDENT, ident)
    assert wait_until(lambda: s.status()["two_way"], 5)
    lec.close()  # the receiver restarts
    assert wait_until(lambda: s.status()["state"] == "waiting", 10)
    lec2 = lecturer2(port=port)
    assert lec2.next(("register",), 10) is not None
    assert not s.status()["two_way"]


@pytest.mark.timeout_s(30)
def test_reply_is_acked_and_delivered_once_even_if_resent(lecturer2, make_sender):
    events = []
    lec = lecturer2()
    make_sender(lec.endpoint, on_event=events.append)
    lec.next(("register",), 10)
    lec.welcome(STUDENT)
    msg_id = lec.reply(STUDENT, "Zaraz podejdę")
    _, _, h, _ = lec.next(("ack",), 5)
    assert h["ids"] == [msg_id]
    lec.reply(STUDENT, "Zaraz podejdę", msg_id=msg_id)  # our ack was "lost": resent, same id
    _, _, h, _ = lec.next(("ack",), 5)
    assert h["ids"] == [msg_id]  # acked again (harmless) ...
    time.sleep(0.3)
    got = events_of(events, "lecturer_message")
    assert len(got) == 1  # ... but the app hears of it once
    e = got[0]
    assert (e["kind"], e["id"], e["text"]) == ("reply", msg_id, "Zaraz podejdę")
    assert isinstance(e["ts"], int)
    b = lec.reply(STUDENT, "Koniec za 5 minut", kind="broadcast")
    hand = str(uuid.uuid4())
    lec.send("hand", {"id": hand, "state": "acknowledged"}, student=STUDENT)
    assert wait_until(lambda: len(events_of(events, "lecturer_message")) == 3, 5)
    kinds = [(e["kind"], e["id"], e.get("state")) for e in events_of(events, "lecturer_message")]
    assert kinds[1:] == [("broadcast", b, None), ("hand", hand, "acknowledged")]


@pytest.mark.timeout_s(30)
@pytest.mark.parametrize("sign", [False, b"\0" * 32, b"short"])
def test_unsigned_or_wrongly_signed_lecturer_messages_are_ignored(lecturer2, make_sender, sign):
    events = []
    lec = lecturer2(class_code=CODE)
    s = make_sender(lec.endpoint, on_event=events.append, class_code=CODE)
    lec.next(("register",), 10)
    lec.send("welcome", {"protocol": "1.1"}, student=STUDENT, sign=sign)
    lec.reply(STUDENT, "fałszywa wiadomość", sign=sign)
    assert wait_until(lambda: s.status()["ignored"].get("bad_mac") == 2, 5)
    assert not s.status()["two_way"]
    good = lec.reply(STUDENT, "prawdziwa")  # signed with the code: accepted
    assert wait_until(lambda: events_of(events, "lecturer_message"), 5)
    assert [e["id"] for e in events_of(events, "lecturer_message")] == [good]
    assert lec.next(("ack",), 5)[2]["ids"] == [good]


@pytest.mark.timeout_s(30)
def test_a_message_for_another_student_or_malformed_is_ignored(lecturer2, make_sender):
    events = []
    lec = lecturer2()
    s = make_sender(lec.endpoint, on_event=events.append)
    lec.next(("register",), 10)
    lec.reply(str(uuid.uuid4()), "dla kogoś innego")
    lec.send("request", {"id": str(uuid.uuid4()), "what": "video"}, student=STUDENT)
    lec.send("reply", {"id": "not-a-uuid"}, b"x", student=STUDENT)
    lec.send("reply", {"id": str(uuid.uuid4())}, b"", student=STUDENT)
    lec.router.send_multipart([lec.identity, P.TOPIC_PREFIX + b"poke",
                               P.header_bytes({"student": STUDENT, "seq": 1, "ts": 1}), b""])
    want = {"not_for_us": 1, "bad_field": 1, "bad_uuid": 1, "bad_body": 1, "unknown_kind": 1}
    assert wait_until(lambda: s.status()["ignored"] == want, 5), s.status()["ignored"]
    assert events_of(events, "lecturer_message") == []
    assert lec.next(("ack",), 0.5) is None


@pytest.mark.timeout_s(30)
def test_receipts_mark_read_and_answer_request(lecturer2, make_sender):
    events = []
    lec = lecturer2(class_code=CODE)
    s = make_sender(lec.endpoint, on_event=events.append, class_code=CODE)
    lec.next(("register",), 10)
    chat = s.send_chat("Czy to dobrze?")
    assert wait_until(lambda: events_of(events, "chat_sent"), 10)
    assert events_of(events, "chat_sent")[0]["id"] == chat
    lec.send("receipt", {"stored": [chat], "read": []}, student=STUDENT)
    lec.send("receipt", {"stored": [chat], "read": [chat.upper()]}, student=STUDENT)
    assert wait_until(lambda: len(events_of(events, "receipt")) == 2, 5)
    assert events_of(events, "receipt") == [
        {"type": "receipt", "stored": [chat], "read": []},
        {"type": "receipt", "stored": [chat], "read": [chat]}]
    replies = [str(uuid.uuid4()) for _ in range(300)]
    s.mark_read(replies)
    got = []
    while len(got) < 300:
        msg = lec.next(("read",), 5)
        assert msg is not None, "only %d of 300 read ids arrived" % len(got)
        got += msg[2]["ids"]
    assert got == replies  # 256 per message at most, in order
    with pytest.raises(ValueError):
        s.mark_read(["nope"])
    req = str(uuid.uuid4())
    s.answer_request(req, "paused", text="Udostępnianie wstrzymane")
    _, _, h, _ = lec.next(("answer",), 5)
    assert (h["id"], h["status"], h["text"]) == (req, "paused", "Udostępnianie wstrzymane")
    with pytest.raises(ValueError):
        s.answer_request(req, "maybe")


def test_decode_lecturer_rules():
    code = "k"

    def frames(kind, fields, body=b"", student=STUDENT, sign=code):
        h = {"ts": 1, "seq": 0, "student": student}
        h.update(fields)
        return P.encode(kind, h, body, sign)

    rid = str(uuid.uuid4())
    ok = P.decode_lecturer(frames("request", {"id": rid, "what": "blend"}), STUDENT, code)
    assert ok == {"kind": "request", "id": rid, "what": "blend", "ts": 1, "seq": 0}
    cases = [
        (frames("reply", {"id": rid}, b"x")[:2], "frame_count"),
        ([b"pracownia/2/reply"] + frames("reply", {"id": rid}, b"x")[1:], "bad_topic"),
        (frames("chat", {"id": rid}, b"x"), "unknown_kind"),
        (frames("reply", {"id": rid}, b"x")[:3] + [b"x" * 32], "bad_mac"),
        (frames("reply", {"id": rid}, b"x", sign=None), "bad_mac"),
        (frames("reply", {}, b"x"), "missing_field"),
        (frames("receipt", {"stored": [rid]}), "missing_field"),
        (frames("receipt", {"stored": ["x"], "read": []}), "bad_uuid"),
        (frames("receipt", {"stored": [rid] * 257, "read": []}), "bad_field"),
        (frames("hand", {"id": rid, "state": "up"}), "bad_field"),
        (frames("welcome", {"protocol": 11}), "bad_field"),
        (frames("reply", {"id": rid}, b"\xff"), "bad_body"),
        (frames("reply", {"id": rid}, b"x" * 4097), "bad_body"),
        (frames("request", {"id": rid, "what": "blend"}, b"x"), "bad_body"),
        (frames("reply", {"id": rid}, b"x", student=str(uuid.uuid4())), "not_for_us"),
    ]
    for fr, reason in cases:
        with pytest.raises(P.Ignored, match=reason):
            P.decode_lecturer(fr, STUDENT, code)
    big = P.encode("reply", {"id": rid}, b"x")
    big[1] = b" " * (P.MAX_HEADER_BYTES + 1)
    with pytest.raises(P.Ignored, match="header_too_large"):
        P.decode_lecturer(big, STUDENT, None)
    # No class code: a fourth frame is ignored, so an unsigned message is accepted.
    assert P.decode_lecturer(frames("reply", {"id": rid}, b"x", sign=None), STUDENT, None)["text"] == "x"
