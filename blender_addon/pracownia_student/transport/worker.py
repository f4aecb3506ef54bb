"""The loop of the sender thread: the only code that touches the sockets (the v1 XPUB and, through
return_path.py, the 1.1 DEALER; one thread polls both, since ZeroMQ sockets stay in one thread).

Order of work in each step: take the callers' commands, read (un)subscriptions, then - only
while the lecturer's SUB is subscribed - hello, a due heartbeat, one chat/hand message, one
chunk. Sends use NOBLOCK; on EAGAIN (XPUB_NODROP back-pressure) the loop waits briefly on the
socket, still reading subscriptions and honouring stop(), and retries the same frames.
A queued screenshot goes ahead of a .blend in progress: the blend is parked (file open, position
kept) and resumed after it, so the lecturer sees screenshots while big blends upload.
"""

import collections
import time
import uuid

import zmq

from . import protocol as P
from .curve import HandshakeWatch
from .return_path import ReturnPath
from .transfer import TransferError
from .xpub import close_xpub, open_xpub, parse_subscription

__all__ = ["Worker"]

_IDLE_S = 0.05
_MAX_BACKOFF_S = 0.02
_BYE_WAIT_S = 0.5


class Worker:
    """Thread-only state of a Sender. Talks to the Sender only through its locked helpers."""

    def __init__(self, sender):
        self.s = sender
        self.messages = collections.deque()   # dicts: kind, fields, body, ts
        self.files = collections.deque()      # Transfers not started yet
        self.transfer = None
        self.parked = None                    # a blend waiting behind self.transfer (a screenshot)
        self.recent = collections.deque()     # (monotonic time sent, message)
        self.recent_files = collections.deque()  # (monotonic time sent, Transfer still open)
        self.subs = set()
        self.present = False
        self.need_hello = False
        self.generation = 0                   # +1 each time the lecturer goes away
        self.next_heartbeat = 0.0
        self.seq = 0
        # This sender process's id: with seq it lets the receiver refuse captured frames sent
        # again (docs/PROTOCOL.md, "Freshness"); a new Worker starts a new sequence.
        self.boot = str(uuid.uuid4())
        self.open_file = None
        self.paused = False
        self.hand_up = False                  # the last hand message sent raised the hand
        self.fatal = None
        self.stopped = False
        self.sent_messages = 0
        self.sent_files = 0
        self.ctx = None
        self.sock = None
        self.handshake = None                 # HandshakeWatch of the XPUB
        self.rp = ReturnPath(sender, self._header, on_hand_lowered=self._hand_lowered)

    # ---- lifecycle ----

    def run(self):
        try:
            self._open()
            while not self.s._stopping.is_set():
                self._step()
            if self.present and not self.fatal:
                deadline = min(time.monotonic() + _BYE_WAIT_S, self.s._stop_deadline)
                self._send(P.BYE, {}, b"", deadline=deadline)
        except zmq.ZMQError as e:
            self.fatal = "Cannot talk to the lecturer's computer at %s: %s." % (
                self.s.endpoint, e.strerror)
            self.s._publish(error=self.fatal)
            self._publish()
            self.s._stopping.wait()
        except Exception as e:  # never die silently: the student must see something is wrong
            self.fatal = "The connection to the lecturer stopped working (%s)." % (e,)
            self.s._publish(error=self.fatal)
            self._publish()
        finally:
            self._close()
            self._cancel_all()
            self.stopped = True
            self._publish()

    def _open(self):
        def watch(sock):  # why a handshake fails: wrong keys, or keys missing for an encrypted class
            self.handshake = HandshakeWatch.watch(sock, curve=self.s.curve is not None)

        try:
            self.ctx, self.sock = open_xpub(self.s.endpoint, self.s.sndhwm, self.s.curve, watch)
        except zmq.ZMQError:
            self.handshake = None  # closed with the context
            raise
        self.poller = zmq.Poller()
        self.poller.register(self.sock, zmq.POLLIN)
        if self.handshake is not None:
            self.poller.register(self.handshake.mon, zmq.POLLIN)
        self.rp.open(self.ctx, self.poller)

    def _close(self):
        if self.sock is not None:
            left = (self.s._stop_deadline or time.monotonic()) - time.monotonic()
            self.rp.close()
            if self.handshake is not None:  # before the XPUB and the context end
                self.poller.unregister(self.handshake.mon)
                self.handshake.close()
                self.handshake = None
            close_xpub(self.ctx, self.sock, min(1.0, max(0.0, left - 0.2)) * 1000)
            self.ctx = self.sock = None

    def _cancel_all(self):
        self._take_commands()  # files queued just before stop() are cancelled too
        for t in (self.transfer, self.parked):
            if t is not None:
                t.close()
        self.transfer = self.parked = None
        while self.recent_files:
            self.recent_files.popleft()[1].close()
        while self.files:
            self.files.popleft().close()

    def _publish(self):
        if self.fatal:
            state = "error"
        elif self.stopped:
            state = "not_connected"
        elif not self.present:
            state = "waiting"
        elif self.transfer is not None or self.parked is not None:
            state = "sending"
        elif self.s._error():
            state = "error"
        else:
            state = "connected"
        current, parked = self.transfer, self.parked
        if current is None:  # between a screenshot and the blend's resumption
            current, parked = parked, None
        self.s._publish(state=state, queued=len(self.messages) + len(self.files),
                        transfer=current.info() if current is not None else None,
                        parked=parked.info() if parked is not None else None,
                        sent_messages=self.sent_messages, sent_files=self.sent_files,
                        handshake=self.handshake.read() if self.handshake else None,
                        **self.rp.status())

    # ---- one step of work ----

    def _step(self):
        self._take_commands()
        self._read_subscriptions()
        self.rp.read()  # lecturer messages, then register/acks/reads/answers that are due
        now = time.monotonic()
        while self.recent and self.recent[0][0] < now - self.s.resend_window:
            self.recent.popleft()
        while self.recent_files and self.recent_files[0][0] < now - self.s.resend_window:
            self.recent_files.popleft()[1].close()  # now delete_after may remove it
        if not self.present:
            if not self._file_work(hash_only=True):  # hashing needs no lecturer
                self._publish()
                self._wait(_IDLE_S)
        elif self.need_hello:
            if self._send(P.HELLO, dict(self.s._hello), b""):
                self.need_hello = False
                self.next_heartbeat = 0.0
                self._announce_hand()
        elif now >= self.next_heartbeat:
            fields = {"paused": self.paused}
            if self.open_file:
                fields["file"] = self.open_file
            if self._send(P.HEARTBEAT, fields, b""):
                self.next_heartbeat = now + self.s.heartbeat_every
        elif self.messages:
            self._send_message()
        elif not self._file_work():
            self._publish()
            self._wait(min(_IDLE_S, max(0.001, self.next_heartbeat - now)))
        self._publish()

    def _file_work(self, hash_only=False):
        """Do one step of file work (open, hash a block, send a chunk); False if none to do."""
        if self.transfer is None and self.parked is not None:
            self.transfer, self.parked = self.parked, None  # resume where it stopped
        self._park_for_screenshot()
        if self.transfer is None:
            if not self.files:
                return False
            self._start_file()
        elif not self.transfer.hashed:
            self._guard(self.transfer.hash_step)
        elif hash_only:
            return False
        else:
            self._guard(self._send_chunk)
        return True

    def _park_for_screenshot(self):
        """Put a blend in progress aside and start the first queued screenshot in its place."""
        if self.parked is not None or self.transfer is None or self.transfer.kind != "blend":
            return
        shot = next((t for t in self.files if t.kind == "screenshot"), None)
        if shot is None:
            return
        self.files.remove(shot)
        self.files.appendleft(shot)
        self.parked, self.transfer = self.transfer, None

    def _take_commands(self):
        commands, (self.open_file, self.paused, now) = self.s._take_commands()
        if now:
            self.next_heartbeat = 0.0
        for what, arg in commands:
            if what == "message":
                self.messages.append(arg)
            elif what == "file":
                self.s._publish(error=None)  # a new attempt replaces the last file error
                self.files.append(arg)
            elif what == "cancel":
                self._cancel(arg)
            else:
                self.rp.command(what, arg)

    def _cancel(self, transfer_id):
        for t in list(self.files):
            if t.id == transfer_id:
                self.files.remove(t)
                t.close()
                self.s._emit({"type": "file_cancelled", "id": t.id, "name": t.name})
        for entry in list(self.recent_files):  # already sent: just do not send it again
            if entry[1].id == transfer_id:
                self.recent_files.remove(entry)
                entry[1].close()
        for attr in ("transfer", "parked"):
            t = getattr(self, attr)
            if t is not None and t.id == transfer_id:
                setattr(self, attr, None)
                t.close()
                self.s._emit({"type": "file_cancelled", "id": t.id, "name": t.name})

    def _start_file(self):
        t = self.files.popleft()
        if t.opened:  # sent again after the lecturer came back: digest already known
            self.transfer = t
            return
        try:
            t.open()
        except TransferError as e:
            self._file_failed(t, str(e))
            return
        self.transfer = t

    def _guard(self, action):
        try:
            action()
        except TransferError as e:
            t, self.transfer = self.transfer, None
            t.close()
            self._file_failed(t, str(e))

    def _file_failed(self, t, sentence):
        self.s._publish(error=sentence)
        self.s._emit({"type": "file_failed", "id": t.id, "name": t.name, "error": sentence})

    def _announce_hand(self):
        """A lecturer who comes back (or a restarted app) learns that the hand is still up, however
        long ago it went up; the receiver adds no second timeline entry for it."""
        if self.hand_up and not any(m["kind"] == P.HAND for m in self.messages):
            self.messages.appendleft({"kind": P.HAND, "fields": {"raised": True}, "body": b"",
                                      "ts": _now_ms(), "sent": True})

    def _send_message(self):
        m = self.messages[0]
        if self._send(m["kind"], m["fields"], m["body"], ts=m["ts"]):
            self.messages.popleft()
            if m["kind"] == P.HAND:
                self.hand_up = bool(m["fields"]["raised"])
            self.recent.append((time.monotonic(), m))
            if not m.get("sent"):
                m["sent"] = True
                self.sent_messages += 1
                if m["kind"] == P.CHAT:  # the conversation shows it as sent, no longer queued
                    self.s._emit({"type": "chat_sent", "id": m["fields"]["id"]})

    def _send_chunk(self):
        t = self.transfer
        fields, body = t.next_chunk()
        if not self._send(P.CHUNK, fields, body):
            return
        t.advance()
        self.s._emit({"type": "progress", "id": t.id, "name": t.name, "sent": t.sent,
                      "size": t.size})
        if t.done:
            self.transfer = None
            self.recent_files.append((time.monotonic(), t))
            if t.sent_once:
                return
            t.sent_once = True
            self.sent_files += 1
            self.s._emit({"type": "file_sent", "id": t.id, "kind": t.kind, "name": t.name,
                          "size": t.size, "sha256": t.sha256})

    # ---- socket ----

    def _read_subscriptions(self):
        while True:
            try:
                frame = self.sock.recv(zmq.NOBLOCK)
            except zmq.Again:
                return
            subscribe = parse_subscription(frame)
            if subscribe is None:
                continue
            was = bool(self.subs)
            if subscribe:
                self.subs.add(frame[1:])
            else:
                self.subs.discard(frame[1:])
            if self.subs and not was:
                self.present = True
                self.need_hello = True
                self.rp.lecturer_arrived()
            elif was and not self.subs:
                self._lecturer_gone()

    def _lecturer_gone(self):
        """What was sent lately may be lost: resend recent messages, restart the files (a parked
        blend before the screenshot that overtook it, as they were queued)."""
        self.present = False
        self.need_hello = False
        self.rp.lecturer_left()  # a welcome from the receiver that left says nothing of the next
        self.generation += 1
        files = [t for _, t in self.recent_files]
        self.recent_files.clear()
        files += [t for t in (self.parked, self.transfer) if t is not None]
        self.parked = self.transfer = None
        for t in files:
            t.restart()
        self.files.extendleft(reversed(files))
        self.messages.extendleft(m for _, m in reversed(self.recent))
        self.recent.clear()

    def _hand_lowered(self):
        # The lecturer lowered it: a returning lecturer must not be told it is still up.
        self.hand_up = False

    def _wait(self, seconds):
        ready = dict(self.poller.poll(max(1, int(seconds * 1000))))
        if self.sock in ready:
            self._read_subscriptions()
        if self.rp.sock is not None and self.rp.sock in ready:
            self.rp.read()

    def _header(self, fields, ts=None):
        """The common header (one seq counter for both sockets: seq increases per process)."""
        header = {"student": self.s.student_id, "login": self.s.login, "seq": self.seq,
                  "boot": self.boot, "ts": _now_ms() if ts is None else ts}
        header.update(fields)
        self.seq += 1
        return header

    def _send(self, kind, fields, body, ts=None, deadline=None):
        """Send one message; False if the lecturer left or stop() came first (nothing sent)."""
        frames = P.encode(kind, self._header(fields, ts), body, self.s.class_code)
        generation = self.generation
        backoff = 0.001
        while True:
            try:
                self.sock.send(frames[0], zmq.SNDMORE | zmq.NOBLOCK)
                break
            except zmq.Again:
                pass
            if deadline is None and self.s._stopping.is_set():
                return False
            if deadline is not None and time.monotonic() > deadline:
                return False
            self._wait(backoff)
            if self.generation != generation or not self.present:
                return False
            backoff = min(backoff * 2, _MAX_BACKOFF_S)
        # The first frame passed the high-water-mark check, so the rest of the message follows.
        last = len(frames) - 1
        for i in range(1, len(frames)):
            flags = 0 if i == last else zmq.SNDMORE
            for _ in range(5000):  # bounded: never observed to wait at all
                try:
                    self.sock.send(frames[i], flags | zmq.NOBLOCK, copy=len(frames[i]) < 65536)
                    break
                except zmq.Again:
                    time.sleep(0.001)
            else:
                raise RuntimeError("a message could not be completed on the socket")
        return True


def _now_ms():
    return int(time.time() * 1000)
