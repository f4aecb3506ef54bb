"""Protocol 1.1's return path, run by the sender thread (worker.py): the DEALER socket to the
lecturer's ROUTER (docs/PROTOCOL.md, "Version 1.1").

The worker calls open(), read() when the DEALER is readable, flush() every step and close().
Every send is NOBLOCK: with IMMEDIATE the DEALER has no pipe while the lecturer is away, so a send
fails at once (EAGAIN) and the message stays in our own bounded queue until it can go. A 1.0
receiver has no return port: register then never goes out and nothing else changes.
"""

import collections
import time

import zmq

from . import protocol as P
from .curve import apply_curve

__all__ = ["ReturnPath", "REGISTER_EVERY_S", "REFRESH_EVERY_S"]

REGISTER_EVERY_S = 5.0
# Registered again this often after the welcome: the return connection can drop and reconnect on
# its own (a network blip, a frame over MAXMSGSIZE) while the v1 socket stays up, and the new
# connection's routing id is unknown to the lecturer until it registers.
REFRESH_EVERY_S = 30.0
_RETRY_S = 0.2             # a register that found no connection is tried again this soon
_SEEN_LIMIT = 4096         # lecturer ids remembered for deduplication (oldest forgotten first)
_PENDING_LIMIT = 2048      # ack/read ids waiting for the connection (oldest dropped; the lecturer
                           # resends an unacknowledged message, and we ack it again)
_ANSWERS_LIMIT = 64
_MAX_MSG = 64 << 10
# libzmq ends a connection for good on a protocol error (a frame over MAXMSGSIZE): when register
# has found no connection this long, the DEALER is made anew (cheap; a lecturer who is simply
# away is connected to again the same way).
_REOPEN_AFTER_S = 5.0
_READ_PER_CALL = 64        # lecturer messages handled per read(), so v1 sending is not starved


def _now_ms():
    return int(time.time() * 1000)


class ReturnPath:
    """Thread-only state of the return path. `header(fields)` (the worker's) builds the common
    header with the next seq; `sender` is the Sender (class code, _emit, _publish)."""

    def __init__(self, sender, header, on_hand_lowered=None):
        self.s = sender
        self.endpoint = sender.return_endpoint
        self._header = header
        self._on_hand_lowered = on_hand_lowered
        self.sock = None
        self.ctx = None
        self.poller = None
        self.unsent_since = None           # monotonic time register first found no connection
        self.welcomed = False
        self.protocol = None
        self.next_register = 0.0           # monotonic time; 0: at once
        self.seen = collections.OrderedDict()
        self.acks = collections.OrderedDict()    # ids to ack (ordered set)
        self.reads = collections.OrderedDict()   # ids to report read
        self.answers = collections.deque(maxlen=_ANSWERS_LIMIT)
        self.ignored = collections.Counter()     # reason -> lecturer messages ignored

    # ---- lifecycle (sender thread) ----

    def open(self, ctx, poller=None):
        """Connect the DEALER; with `poller` (the worker's), it is polled for reading there."""
        if self.endpoint is None:
            return
        self.ctx, self.poller = ctx, poller
        sock = ctx.socket(zmq.DEALER)
        try:
            sock.setsockopt(zmq.LINGER, 0)
            sock.setsockopt(zmq.IMMEDIATE, 1)  # no queueing into a connection that is not there
            sock.setsockopt(zmq.SNDHWM, 64)
            sock.setsockopt(zmq.RCVHWM, 64)
            # Lecturer messages are small (a 16 KiB header, a 4 KiB text): whoever answers at the
            # lecturer's address cannot make the student's Blender buffer more than this a frame.
            sock.setsockopt(zmq.MAXMSGSIZE, _MAX_MSG)
            for name, value in (("TCP_KEEPALIVE", 1), ("RECONNECT_IVL", 200),
                                ("RECONNECT_IVL_MAX", 2000), ("IPV6", 1),
                                ("HEARTBEAT_IVL", 5000), ("HEARTBEAT_TIMEOUT", 30000)):
                if hasattr(zmq, name):
                    try:
                        sock.setsockopt(getattr(zmq, name), value)
                    except zmq.ZMQError:
                        pass
            apply_curve(sock, self.s.curve)  # the same keys as the XPUB: both ways encrypted
            sock.connect(self.endpoint)
        except zmq.ZMQError:
            sock.close(linger=0)
            raise
        self.sock = sock
        if poller is not None:
            poller.register(sock, zmq.POLLIN)

    def close(self, linger_ms=0):
        if self.sock is not None:
            if self.poller is not None:
                self.poller.unregister(self.sock)
            try:
                self.sock.close(linger=max(0, int(linger_ms)))
            except zmq.ZMQError:
                pass
            self.sock = None

    def status(self):
        return {"two_way": self.welcomed, "ignored": dict(self.ignored)}

    # ---- what the worker tells us ----

    def lecturer_arrived(self):
        """The XPUB saw a new subscription: the receiver may have restarted and forgotten us."""
        self.welcomed = False
        self.next_register = 0.0

    def lecturer_left(self):
        """The v1 lecturer went away (the receiver stopped or restarted): not two-way until a
        welcome comes again, and register as soon as a connection is there."""
        self.welcomed = False
        self.next_register = 0.0

    def command(self, what, arg):
        """A Sender command for the return path; False when it is not one."""
        if what == "read":
            _add_bounded(self.reads, arg)
        elif what == "answer":
            self.answers.append(arg)
        else:
            return False
        return True

    # ---- socket work (NOBLOCK only) ----

    def read(self):
        """Handle the lecturer messages waiting on the DEALER (a bounded number per call)."""
        if self.sock is None:
            return
        for _ in range(_READ_PER_CALL):
            try:
                frames = self.sock.recv_multipart(zmq.NOBLOCK, copy=True)
            except zmq.Again:
                break
            if len(frames) > 4:
                self.ignored["frame_count"] += 1
                continue
            try:
                msg = P.decode_lecturer(frames, self.s.student_id, self.s.class_code)
            except P.Ignored as e:
                self.ignored[str(e)] += 1
                continue
            self._handle(msg)
        self.flush()

    def _handle(self, msg):
        kind = msg["kind"]
        if kind == P.WELCOME:
            if not self.welcomed:
                self.next_register = time.monotonic() + REFRESH_EVERY_S
            self.welcomed = True
            self.protocol = msg["protocol"]
            self.s._emit({"type": "two_way", "protocol": msg["protocol"]})
            return
        if kind == P.RECEIPT:
            self.s._emit({"type": "receipt", "stored": msg["stored"], "read": msg["read"]})
            return
        msg_id = msg["id"]
        _add_bounded(self.acks, [msg_id])  # a resent message is acked again: our ack was lost
        if msg_id in self.seen:
            self.seen.move_to_end(msg_id)
            return
        self.seen[msg_id] = True
        if len(self.seen) > _SEEN_LIMIT:
            self.seen.popitem(last=False)
        event = {"type": "lecturer_message", "kind": kind, "id": msg_id, "ts": msg["ts"],
                 "text": msg.get("text")}
        if kind == P.REQUEST:
            event["what"] = msg["what"]
        elif kind == P.HAND:
            event["state"] = msg["state"]
            if msg["state"] == "lowered" and self._on_hand_lowered is not None:
                self._on_hand_lowered()
        self.s._emit(event)

    def flush(self, now=None):
        """Send what is due: register, then acks, reads and answers, until the socket pushes back."""
        if self.sock is None:
            return
        now = time.monotonic() if now is None else now
        if now >= self.next_register:
            fields = {"addon": self.s._hello["addon"]} if "addon" in self.s._hello else {}
            sent = self._send(P.REGISTER, fields)
            every = REFRESH_EVERY_S if self.welcomed else REGISTER_EVERY_S
            self.next_register = now + (every if sent else _RETRY_S)
            if sent:
                self.unsent_since = None
            elif self.unsent_since is None:
                self.unsent_since = now
            elif now - self.unsent_since > _REOPEN_AFTER_S:
                self._reopen()
                return
        for kind, pending in ((P.ACK, self.acks), (P.READ, self.reads)):
            while pending:
                ids = list(pending)[:P.MAX_IDS]
                if not self._send(kind, {"ids": ids}):
                    return
                for i in ids:
                    pending.pop(i, None)
        while self.answers:
            if not self._send(P.ANSWER, self.answers[0]):
                return
            self.answers.popleft()

    def _reopen(self):
        self.close()
        self.unsent_since = None
        self.welcomed = False
        self.next_register = 0.0
        self.open(self.ctx, self.poller)

    def _send(self, kind, fields):
        frames = P.encode(kind, self._header(fields), b"", self.s.class_code)
        try:
            self.sock.send_multipart(frames, zmq.NOBLOCK)
        except zmq.Again:
            return False
        return True


def _add_bounded(pending, ids):
    for i in ids:
        pending[i] = True
    while len(pending) > _PENDING_LIMIT:
        pending.popitem(last=False)
