"""An encrypted class (issue 13) from the student's side, no Blender: the Controller joins with a
join string that carries the lecturer's CURVE key, through the courier process and in-process,
against the Python lecturer of tests/python/reference_router.py in its CURVE mode."""

import base64
import os
import socket
import sys
import threading
import time

import pytest
import zmq
import zmq.utils.z85

from tests.blender.support import FakeCapture, welcome_until_two_way
from pracownia_student import courier_protocol as CP
from pracownia_student.controller import HANDSHAKE_SENTENCES, NO_ANSWER, NO_WELCOME
from pracownia_student.courier_client import CourierSession
from pracownia_student.joinstring import lecturer_field
from pracownia_student.schedule import DigestGate
from pracownia_student.transport import Sender
from pracownia_student.transport.curve import NO_CURVE
from tests.python.reference_router import TwoWayLecturer

SID = "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
KEY_TEXT = base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")


@pytest.fixture
def lecturers():
    made = []

    def make(**kw):
        lec = TwoWayLecturer(**kw)
        made.append(lec)
        return lec

    yield make
    for lec in made:
        lec.close()


def join(ctl, text, folder, class_code=""):
    """What the Connect button does with the Lecturer field (ops.py)."""
    address, code, key = lecturer_field(text, class_code)
    ctl.connect(address, "ola.nowak", SID, class_code=code, server_key=key,
                key_folder=str(folder), heartbeat_every=0.5)


def welcomed(ctl, lec, cap, timeout=15.0):
    welcome_until_two_way(ctl, lec, cap, SID, timeout)


def ticks(ctl, cap, lec, until, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, "timed out; status %r" % (ctl.status(),)
        ctl.tick(cap)
        lec.pump()
        time.sleep(0.02)


def test_pyzmq_has_curve():
    assert zmq.has("curve")  # pyzmq's wheels do; the add-on's encrypted class needs it


# ---- the conversation, encrypted both ways ----

@pytest.mark.timeout_s(90)
@pytest.mark.parametrize("courier", [True, False], ids=["courier", "in-process"])
def test_encrypted_class_conversation_flows_both_ways(lecturers, controllers, tmp_path, courier):
    lec = lecturers(class_code="KOT-LAS-42", encrypted=True)
    cap = FakeCapture(window=False)
    ctl = controllers(courier=courier)
    join(ctl, lec.join_string("KOT-LAS-42"), tmp_path / "config")
    assert (ctl.session.__class__.__name__ == "CourierSession") == courier
    assert ctl.fallback is None
    welcomed(ctl, lec, cap)
    st = ctl.status()
    assert st["encrypted"] is True and st["state"] == "connected"
    # The student's key was made and kept beside the id (one pair per student id).
    assert os.listdir(tmp_path / "config") == ["curve-%s.json" % SID]
    hello = lec.next_v1(("hello", "heartbeat"), 5)
    assert hello is not None and hello[1]["student"] == SID
    chat = ctl.send_chat("Zaszyfrowane pytanie")
    got = lec.next_v1(("chat",), 10)
    assert got[2].decode() == "Zaszyfrowane pytanie" and got[1]["id"] == chat
    lec.send("receipt", {"stored": [chat], "read": []}, student=SID)
    ticks(ctl, cap, lec, lambda: ctl.conversation.get(chat)["state"] == "delivered")
    reply = lec.reply(SID, "Odpowiedź szyfrem")
    ticks(ctl, cap, lec, lambda: ctl.conversation.unread_count == 1)
    assert lec.next(("ack",), 5)[2]["ids"] == [reply]
    assert ctl.mark_conversation_read() == 1
    assert lec.next(("read",), 5)[2]["ids"] == [reply]
    ctl.request("blend")
    ticks(ctl, cap, lec, lambda: cap.blends == 1)
    chunk = lec.next_v1(("chunk",), 10)
    assert chunk[1]["kind"] == "blend" and chunk[2] == cap.blend
    assert ctl.disconnect()


@pytest.mark.timeout_s(60)
def test_the_same_key_pair_is_used_again_on_the_next_connect(lecturers, controllers, tmp_path):
    """The lecturer pins the first key: a student who connects again must present the same one."""
    lec = lecturers(encrypted=True)
    folder = tmp_path / "config"
    seen = []
    for _ in range(2):
        ctl = controllers(courier=False)
        join(ctl, lec.join_string(), folder)
        seen.append(ctl.session.sender.curve["public"])
        welcomed(ctl, lec, FakeCapture(window=False))
        ctl.disconnect()
    assert seen[0] == seen[1]
    assert seen[0] != lec.public.decode()


class Tap:
    """A TCP relay on 127.0.0.1 that keeps every byte it forwards: ports p and p + 1 lead to the
    lecturer's two ports, so what a student sends (and gets) on the wire can be searched."""

    def __init__(self, target_port):
        self.wire = bytearray()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.listeners = []
        for _ in range(50):  # two adjacent free ports
            a = socket.socket()
            a.bind(("127.0.0.1", 0))
            b = socket.socket()
            try:
                b.bind(("127.0.0.1", a.getsockname()[1] + 1))
            except OSError:
                a.close()
                b.close()
                continue
            self.listeners = [a, b]
            break
        self.port = self.listeners[0].getsockname()[1]
        for offset, lsock in enumerate(self.listeners):
            lsock.listen(8)
            lsock.settimeout(0.1)
            threading.Thread(target=self._accept, args=(lsock, target_port + offset),
                             daemon=True).start()

    def _accept(self, lsock, target):
        while not self.stop.is_set():
            try:
                client, _ = lsock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", target))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src, dst):
        src.settimeout(0.1)
        while not self.stop.is_set():
            try:
                data = src.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if not data:
                break
            with self.lock:
                self.wire += data
            try:
                dst.sendall(data)
            except OSError:
                break
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def seen(self, text):
        with self.lock:
            return text.encode("utf-8") in self.wire

    def close(self):
        self.stop.set()
        for lsock in self.listeners:
            lsock.close()


@pytest.mark.timeout_s(90)
@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "plain"])
def test_nothing_readable_crosses_the_wire_in_an_encrypted_class(lecturers, controllers, tmp_path,
                                                                 encrypted):
    """What the issue found: chat, ids and files crossed the lab network in clear. Through a tap
    on both connections, an encrypted class shows none of them (the plain run proves the tap
    sees them when they are there)."""
    lec = lecturers(class_code="KOT", encrypted=encrypted)
    tap = Tap(lec.port)
    try:
        cap = FakeCapture(window=False)
        cap.blend = b"BLENDER-v300" + b"tajny-projekt-studenta" * 200
        ctl = controllers(courier=False)
        text = "pracownia://127.0.0.1:%d/KOT" % tap.port
        if encrypted:
            text += "?key=" + lec.join_key
        join(ctl, text, tmp_path)
        welcomed(ctl, lec, cap)
        ctl.send_chat("Sekretne pytanie do prowadzącego")
        assert lec.next_v1(("chat",), 10) is not None
        reply = lec.reply(SID, "Sekretna odpowiedź prowadzącego")
        ticks(ctl, cap, lec, lambda: ctl.conversation.get(reply) is not None)
        assert lec.next(("ack",), 5) is not None
        ctl.request("blend")
        ticks(ctl, cap, lec, lambda: cap.blends == 1)
        assert lec.next_v1(("chunk",), 10)[2] == cap.blend
        for secret in ("Sekretne pytanie do prowadzącego", "Sekretna odpowiedź prowadzącego",
                       "tajny-projekt-studenta", SID, "ola.nowak", "pracownia/1/"):
            assert tap.seen(secret) is not encrypted, secret
        assert ctl.status()["encrypted"] is encrypted and ctl.status()["error"] is None
        assert ctl.session.sender.status()["handshake"] == "ok"
        ctl.disconnect()
    finally:
        tap.close()


# ---- what must not connect ----

def never_connects(ctl, lec, cap, seconds):
    """Tick for `seconds`; the lecturer gets nothing on either socket meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ctl.tick(cap)
        # (the courier's Sender may report not_connected before its thread's first status)
        assert ctl.status()["state"] in ("waiting", "not_connected")
        assert lec.recv(0.05) is None  # no register ever gets through
        assert lec.next_v1(("hello", "heartbeat", "chat"), 0.01) is None
    assert ctl.status()["state"] == "waiting"


@pytest.mark.timeout_s(60)
@pytest.mark.parametrize("courier", [True, False], ids=["courier", "in-process"])
def test_a_wrong_server_key_never_connects_and_says_what_to_check(lecturers, controllers,
                                                                  tmp_path, courier):
    lec = lecturers(encrypted=True)
    impostor = lecturers(encrypted=True)  # another lecturer's key: what a stale join text has
    cap = FakeCapture(window=False)
    ctl = controllers(courier=courier)
    join(ctl, "pracownia://127.0.0.1:%d?key=%s" % (lec.port, impostor.join_key), tmp_path)
    ctl.send_chat("nie powinno dojść")
    never_connects(ctl, lec, cap, 2.0)
    st = ctl.status()
    assert st["encrypted"] and st["error"] == HANDSHAKE_SENTENCES["wrong_key"]
    assert "server key in the join text" in st["error"]


@pytest.mark.timeout_s(60)
def test_an_encrypted_student_and_a_plain_lecturer_never_talk(lecturers, controllers, tmp_path):
    plain = lecturers()
    key_of_nobody = lecturers(encrypted=True).join_key
    cap = FakeCapture(window=False)
    ctl = controllers(courier=False)
    join(ctl, "pracownia://127.0.0.1:%d?key=%s" % (plain.port, key_of_nobody), tmp_path)
    never_connects(ctl, plain, cap, 2.0)
    assert ctl.status()["error"] == HANDSHAKE_SENTENCES["not_encrypted"]


class RefusingZap:
    """A ZAP handler in the lecturer's context that refuses every client key (status 400), as
    the lecturer's app refuses a key it does not accept."""

    def __init__(self, ctx):
        self.sock = ctx.socket(zmq.REP)
        self.sock.bind("inproc://zeromq.zap.01")
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            if self.sock.poll(50):
                req = self.sock.recv_multipart()
                self.sock.send_multipart([req[0], req[1], b"400", b"refused", b"", b""])
        self.sock.close(linger=0)  # in its own thread: sockets stay in one thread

    def close(self):
        self.stop.set()
        self.thread.join(5)


@pytest.mark.timeout_s(60)
def test_a_refused_key_says_to_ask_the_lecturer(lecturers, controllers, tmp_path):
    lec = lecturers(encrypted=True)
    zap = RefusingZap(lec.ctx)
    try:
        cap = FakeCapture(window=False)
        ctl = controllers(courier=True)
        join(ctl, lec.join_string(), tmp_path)
        never_connects(ctl, lec, cap, 2.0)
        assert ctl.status()["error"] == HANDSHAKE_SENTENCES["refused"]
        ctl.disconnect()
    finally:
        zap.close()


@pytest.mark.timeout_s(60)
@pytest.mark.parametrize("courier", [True, False], ids=["courier", "in-process"])
def test_no_lecturer_at_all_says_no_answer_after_a_bound(controllers, tmp_path, courier):
    from tests.e2e.e2e_support import free_port
    port = free_port()  # nobody listens there (below the ephemeral range: no self-connection)
    cap = FakeCapture(window=False)
    ctl = controllers(courier=courier)
    ctl.no_answer_s = 1.5
    started = time.monotonic()
    join(ctl, "pracownia://127.0.0.1:%d?key=%s" % (port, KEY_TEXT), tmp_path)
    deadline = time.monotonic() + 20
    while ctl.status()["state"] != "waiting":  # the sender is up and looking for the lecturer
        assert time.monotonic() < deadline, ctl.status()
        ctl.tick(cap)
        time.sleep(0.02)
    if time.monotonic() - started < ctl.no_answer_s:  # (a busy machine may take longer to get here)
        assert ctl.status()["error"] is None  # not yet
    deadline = time.monotonic() + 20  # a bound for a busy machine, not a speed target
    while ctl.status()["error"] is None:
        assert time.monotonic() < deadline
        ctl.tick(cap)
        time.sleep(0.05)
    assert ctl.status()["error"] == NO_ANSWER and "check the join text" in NO_ANSWER


@pytest.mark.timeout_s(60)
@pytest.mark.parametrize("courier", [True, False], ids=["courier", "in-process"])
def test_a_plain_student_cannot_talk_to_an_encrypted_lecturer(lecturers, controllers, courier):
    lec = lecturers(encrypted=True)
    cap = FakeCapture(window=False)
    ctl = controllers(courier=courier)
    ctl.no_answer_s = 0.5
    # An older add-on, or the address typed without the join text: no key, so no CURVE.
    ctl.connect("127.0.0.1:%d" % lec.port, "ola.nowak", SID, heartbeat_every=0.5)
    ctl.send_chat("w jawnym tekście")
    # Until the student is told (or a bound for a busy machine), and nothing arrives meanwhile.
    deadline = time.monotonic() + 20
    while ctl.status()["error"] is None and time.monotonic() < deadline:
        ctl.tick(cap)
        assert lec.recv(0.05) is None and lec.next_v1(("hello", "chat"), 0.01) is None
    for _ in range(10):
        ctl.tick(cap)
        assert lec.recv(0.05) is None and lec.next_v1(("hello", "chat"), 0.01) is None
    st = ctl.status()
    # Nothing in clear reaches an encrypted class; the student learns what to paste instead.
    assert st["state"] == "waiting" and st["encrypted"] is False
    assert st["error"] == HANDSHAKE_SENTENCES["encrypted_class"] and "join text" in st["error"]


# ---- a pyzmq without CURVE ----

def test_without_curve_in_pyzmq_a_key_refuses_to_connect(monkeypatch, controllers, tmp_path):
    real_has = zmq.has
    monkeypatch.setattr(zmq, "has", lambda what: False if what == "curve" else real_has(what))
    text = "pracownia://127.0.0.1:5999/K?key=" + "A" * 42 + "E"
    for courier in (True, False):
        ctl = controllers(courier=courier)
        with pytest.raises(ValueError) as e:
            join(ctl, text, tmp_path)
        assert str(e.value) == NO_CURVE and not ctl.connected
    assert os.listdir(tmp_path) == []  # no key made either
    curve = {"server": b"s" * 32, "public": b"p" * 32, "secret": b"x" * 32}
    with pytest.raises(ValueError, match="cannot encrypt"):
        Sender("tcp://127.0.0.1:5999", SID, "ola.nowak", curve=curve)
    with pytest.raises(ValueError, match="cannot encrypt"):
        CourierSession("tcp://127.0.0.1:5999", SID, "ola.nowak", DigestGate(), curve=curve)
    # Without a key nothing changes.
    ctl = controllers(courier=False)
    ctl.connect("127.0.0.1:5999", "ola.nowak", SID)
    assert ctl.connected and ctl.status()["encrypted"] is False


# ---- the pipe to the courier ----

def test_the_connect_command_carries_the_keys_and_checks_them():
    keys = {"server": "a" * 40, "public": "b" * 40, "secret": "c" * 40}
    base = dict(endpoint="tcp://h:1", student_id=SID, login="ola", class_code=None,
                hello_info={}, sender={}, last={}, spool="/tmp/x")
    line = CP.encode(CP.command("connect", curve=keys, **base))
    assert CP.decode_command(line)["curve"] == keys
    assert CP.decode_command(CP.encode(CP.command("connect", curve=None, **base)))["curve"] is None
    with pytest.raises(CP.PipeError):
        CP.command("connect", **base)  # the field is there, null for an unencrypted class
    with pytest.raises(CP.PipeError):
        CP.command("connect", curve="key", **base)


def test_the_courier_session_sends_z85_keys_and_reports_encrypted_from_the_start():
    pub, sec = zmq.curve_keypair()
    server, _ = zmq.curve_keypair()
    raw = zmq.utils.z85.decode(server)
    s = CourierSession("tcp://127.0.0.1:5999", SID, "ola.nowak", DigestGate(),
                       curve={"server": raw, "public": pub, "secret": sec})
    try:
        assert s._connect["curve"] == {"server": server.decode(), "public": pub.decode(),
                                       "secret": sec.decode()}
        assert s.sender.status()["encrypted"] is True
        CP.decode_command(CP.encode(s._connect))  # a valid line
    finally:
        s._cleanup()
    with pytest.raises(ValueError, match="CURVE key"):
        CourierSession("tcp://127.0.0.1:5999", SID, "ola.nowak", DigestGate(),
                       curve={"server": b"short", "public": pub, "secret": sec})


def test_the_courier_refuses_damaged_keys_with_a_sentence(tmp_path):
    """A connect line whose keys are not keys (a bug on Blender's side, or a damaged line) is one
    sentence from the courier, which keeps running; nothing connects."""
    import subprocess

    from pracownia_student.courier_client import COURIER_SCRIPT
    proc = subprocess.Popen([sys.executable, "-s", COURIER_SCRIPT, "--parent", str(os.getpid())],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert CP.decode_event(proc.stdout.readline())["ev"] == "ready"
        line = CP.encode(CP.command(
            "connect", endpoint="tcp://127.0.0.1:5999", student_id=SID, login="ola", class_code=None,
            hello_info={}, sender={}, last={}, spool=str(tmp_path),
            curve={"server": "short", "public": "x" * 40, "secret": "y" * 40}))
        proc.stdin.write(line + CP.encode(CP.command("hand", raised=True)))
        proc.stdin.flush()
        got = [CP.decode_event(proc.stdout.readline()) for _ in range(2)]
        assert [e["ev"] for e in got] == ["error", "error"]
        assert "CURVE key" in got[0]["error"] and "Connect" in got[1]["error"]
        proc.stdin.close()
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "plain"])
def test_an_endpoint_zeromq_refuses_is_an_error_with_or_without_keys(encrypted):
    """The handshake monitor is made before connect; a connect that fails must close it with the
    context and leave a sentence, not a dead thread."""
    pub, sec = zmq.curve_keypair()
    curve = {"server": zmq.curve_keypair()[0], "public": pub, "secret": sec} if encrypted else None
    seen = []
    old_hook = threading.excepthook
    threading.excepthook = seen.append
    try:
        s = Sender("tcp://no such host:x", SID, "ola.nowak", curve=curve)
        s.start()
        deadline = time.monotonic() + 5
        while s.status()["state"] != "error":
            assert time.monotonic() < deadline, s.status()
            time.sleep(0.02)
        assert "Cannot talk to the lecturer's computer" in s.status()["error"]
        assert s.stop(2.0)
        assert s.status()["state"] == "error" and s.status()["encrypted"] is encrypted
    finally:
        threading.excepthook = old_hook
    assert seen == []


@pytest.mark.timeout_s(60)
@pytest.mark.parametrize("courier", [True, False], ids=["courier", "in-process"])
def test_an_encrypted_lecturer_that_never_welcomes_asks_for_a_key_reset(lecturers, controllers,
                                                                        tmp_path, courier):
    """What a student pinned to another key sees from the lecturer's app (a real receiver refuses
    its messages and its register without a word): connected, never two-way. After a bound the
    panel says what to ask; once welcomed the sentence is gone."""
    lec = lecturers(encrypted=True)
    cap = FakeCapture(window=False)
    ctl = controllers(courier=courier)
    ctl.no_welcome_s = 1.0
    join(ctl, lec.join_string(), tmp_path)
    ticks(ctl, cap, lec, lambda: ctl.status()["state"] == "connected")
    assert ctl.status()["error"] is None  # not at once: a welcome takes a moment
    ticks(ctl, cap, lec, lambda: ctl.status()["error"] is not None, timeout=5)
    assert ctl.status()["error"] == NO_WELCOME and "reset your key" in NO_WELCOME
    welcomed(ctl, lec, cap)  # the lecturer reset the pin: the next register is welcomed
    assert ctl.status()["error"] is None


@pytest.mark.timeout_s(60)
def test_a_plain_class_without_welcome_stays_as_before(lecturers, controllers):
    """A 1.0 receiver never welcomes: without a key nothing new is said."""
    lec = lecturers()
    cap = FakeCapture(window=False)
    ctl = controllers(courier=False)
    ctl.no_welcome_s = 0.3
    ctl.connect("127.0.0.1:%d" % lec.port, "ola.nowak", SID, heartbeat_every=0.5)
    ticks(ctl, cap, lec, lambda: ctl.status()["state"] == "connected")
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        ctl.tick(cap)
        lec.pump()
        assert ctl.status()["error"] is None
        time.sleep(0.05)
