"""Protocol 1.1 across languages: the real `pracownia serve` and its `say`/`announce`/`request`
commands, the add-on's Python transport (Sender) and Controller as students, and raw ZeroMQ
clients playing nosy classmates. Everything on 127.0.0.1."""

import collections
import threading
import time
import uuid

import pytest
import zmq

from .e2e_content import make_png
from .e2e_support import COURIER_CONNECT_S, wait_for
from pracownia_student.transport import protocol as P


class Inbox:
    """A Sender's on_event, keeping the lecturer's messages and receipts."""

    def __init__(self):
        self.events = collections.deque()

    def __call__(self, e):
        self.events.append(e)

    def messages(self, kind=None):
        return [e for e in list(self.events) if e.get("type") == "lecturer_message"
                and (kind is None or e["kind"] == kind)]


def student(make_sender, serve, login, student_id=None, **kw):
    inbox = Inbox()
    s = make_sender(serve.endpoint, login, student_id=student_id,
                    return_endpoint=serve.return_endpoint, on_event=inbox, **kw)
    wait_for(lambda: s.status().get("two_way"), 20, "%s to be welcomed on the return path" % login)
    return s, inbox


class Nosy:
    """A DEALER on the return path that reads whatever reaches it. With `student_id` it
    registers as that (its own) student; without, it never registers."""

    def __init__(self, endpoint, student_id=None):
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(endpoint)
        self.got = []
        if student_id:
            header = {"student": student_id, "login": "nosy", "seq": 0,
                      "ts": int(time.time() * 1000)}
            self.sock.send_multipart(P.encode("register", header, b""))
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()

    def _read(self):
        while not self._stop.is_set():
            if self.sock.poll(50):
                self.got.append(self.sock.recv_multipart())

    def bodies(self):
        return [f[2] for f in self.got if len(f) >= 3]

    def close(self):
        self._stop.set()
        self._t.join(5)
        self.sock.close()
        self.ctx.term()


@pytest.mark.timeout_s(90)
def test_a_reply_reaches_only_its_addressee_and_a_broadcast_reaches_all(start_serve,
                                                                        make_sender):
    serve = start_serve()
    anna, anna_in = student(make_sender, serve, "anna")
    bartek, bartek_in = student(make_sender, serve, "bartek")
    classmate = Nosy(serve.return_endpoint, str(uuid.uuid4()))
    stranger = Nosy(serve.return_endpoint)
    try:
        wait_for(lambda: classmate.got, 10, "the nosy classmate's welcome")
        code, out, _ = serve.tell("say", "--to", "anna", "Sprawdź modyfikator Mirror")
        assert "anna" in out and len(out.strip().splitlines()) == 1
        wait_for(lambda: anna_in.messages("reply"), 10, "anna's reply")
        assert anna_in.messages("reply")[0]["text"] == "Sprawdź modyfikator Mirror"

        serve.tell("announce", "Koniec za 5 minut")
        for inbox in (anna_in, bartek_in):
            wait_for(lambda: inbox.messages("broadcast"), 10, "the broadcast")
            assert inbox.messages("broadcast")[0]["text"] == "Koniec za 5 minut"
        wait_for(lambda: b"Koniec za 5 minut" in classmate.bodies(), 10,
                 "the broadcast at the registered classmate")
        time.sleep(1.0)  # a late stray copy would arrive in this time
        assert bartek_in.messages("reply") == []
        assert b"Sprawdz" not in b"".join(classmate.bodies())
        assert not any("Mirror".encode() in b for b in classmate.bodies())
        assert stranger.got == []  # never registered: nothing at all
        assert len(anna_in.messages("reply")) == 1 and len(anna_in.messages("broadcast")) == 1
    finally:
        classmate.close()
        stranger.close()
    assert anna.stop(2.0) and bartek.stop(2.0)
    serve.finish()


@pytest.mark.timeout_s(90)
def test_a_reply_to_an_offline_student_arrives_once_after_reconnecting(start_serve, make_sender,
                                                                       cli):
    serve = start_serve()
    sid = str(uuid.uuid4())
    first, _ = student(make_sender, serve, "celina", sid)
    assert first.stop(2.0)
    code, out, _ = serve.tell("say", "--to", "celina", "Odezwij się po przerwie")
    assert "celina" in out
    again, inbox = student(make_sender, serve, "celina", sid)
    wait_for(lambda: inbox.messages("reply"), 10, "the queued reply")
    (msg,) = inbox.messages("reply")
    assert msg["text"] == "Odezwij się po przerwie"
    cli.wait_timeline(serve.store, lambda tl: any(
        e["kind"] == "reply" and e.get("delivery") == "delivered" for e in tl), 10,
        "the reply marked delivered")
    again.mark_read([msg["id"]])
    cli.wait_timeline(serve.store, lambda tl: any(
        e["kind"] == "reply" and e.get("delivery") == "read" for e in tl), 10,
        "the reply marked read by the student")
    time.sleep(1.0)
    assert len(inbox.messages("reply")) == 1
    assert again.stop(2.0)
    serve.finish()


@pytest.mark.timeout_s(150)
def test_a_request_gets_a_screenshot_within_5_s_and_a_paused_student_refuses(start_serve, cli,
                                                                             tmp_path):
    from pracownia_student.controller import Controller
    from tests.blender.support import FakeCapture

    serve = start_serve()
    ctl = Controller()
    cap = FakeCapture()
    ctl.schedule.rand = lambda: 0.9  # the first automatic .blend is not due during the test
    ctl.connect("127.0.0.1:%d" % serve.port, "dorota", str(uuid.uuid4()), screenshot_every_s=600,
                blend_every_s=600, return_endpoint=serve.return_endpoint)
    stop = threading.Event()

    def ticks():  # Blender's timer, on this test's thread
        while not stop.is_set():
            ctl.tick(cap)
            time.sleep(0.05)
    t = threading.Thread(target=ticks, daemon=True)
    t.start()
    try:
        try:
            wait_for(lambda: ctl.status().get("two_way"), COURIER_CONNECT_S, "the welcome")
        except AssertionError as e:  # what the add-on and the receiver said, for the reader
            raise AssertionError("%s\nadd-on: %r\nserve:\n%s" % (e, ctl.status(), serve.stderr[-3000:]))
        shots = lambda tl: [e for e in tl if e["kind"] == "screenshot"]  # noqa: E731
        # Sharing starts with one automatic screenshot: let it arrive, so it is not taken for
        # the requested one.
        cli.wait_timeline(serve.store, shots, 10, "the first automatic screenshot")
        wait_for(lambda: ctl.sent["screenshot"] == 1 and ctl.schedule.pending["screenshot"] is None,
                 10, "the add-on to see it sent")
        before = len(shots(cli.timeline(serve.store)))
        asked = time.monotonic()
        serve.tell("request", "--to", "dorota", "screenshot")
        cli.wait_timeline(serve.store, lambda tl: len(shots(tl)) > before, 5,
                          "the requested screenshot")
        assert time.monotonic() - asked < 5.0
        wait_for(lambda: ctl.sent["screenshot"] == 2, 10, "the add-on to see it sent")
        ctl.paused = True
        n_shots = cap.shots
        serve.tell("request", "--to", "dorota", "screenshot")
        tl = cli.wait_timeline(serve.store, lambda tl: any(
            e["kind"] == "request" and e.get("answer") == "paused" for e in tl), 10,
            "the paused student's answer")
        assert cap.shots == n_shots  # nothing captured while paused
        assert [e.get("answer") for e in tl if e["kind"] == "request"] == ["capturing", "paused"]
    finally:
        stop.set()
        t.join(5)
        ctl.disconnect()
    serve.finish()


@pytest.mark.timeout_s(60)
def test_with_a_class_code_only_a_student_with_the_code_is_answered(start_serve, make_sender):
    serve = start_serve(class_code="LAB-204")
    good, inbox = student(make_sender, serve, "ewa", class_code="LAB-204")
    wrong = make_sender(serve.endpoint, "intruz", class_code="LAB-205",
                        return_endpoint=serve.return_endpoint)
    serve.tell("announce", "Tylko dla tej klasy")
    wait_for(lambda: inbox.messages("broadcast"), 10, "the signed broadcast")
    time.sleep(1.0)
    assert not wrong.status().get("two_way")  # its register was refused (bad_mac)
    code, _, err = serve.tell("say", "--to", "intruz", "x", ok=False)
    assert code != 0 and "intruz" in err
    assert good.stop(2.0) and wrong.stop(2.0)
    serve.finish()


def test_the_cli_says_plainly_when_no_receiver_runs(tmp_path, pracownia_bin):
    import subprocess
    store = tmp_path / "store"
    store.mkdir()
    r = subprocess.run([pracownia_bin, "say", "--store", str(store), "--to", "anna", "hej"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and "no receiver is running" in r.stderr
