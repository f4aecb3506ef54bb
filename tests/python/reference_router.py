"""A test-only lecturer for protocol 1.1 (docs/PROTOCOL.md, "Version 1.1"): a SUB on port p (so the
add-on sees the lecturer) and a ROUTER on p + 1, the return path. Self-contained (no conftest), so
the add-on's tests in tests/blender can use it too. Everything binds 127.0.0.1 only.

encrypted=True runs an encrypted class as the lecturer's app does (issue 13): both sockets are
CURVE servers with the lecturer's key pair (`public`, `secret`, Z85); `join_key` is the public key
as the join string carries it (base64url without padding). Without a ZAP handler libzmq lets every
client key in (the app's ZAP handler pins keys; this lecturer does not).
"""

import base64
import collections
import json
import time
import uuid

import zmq
import zmq.utils.z85

from pracownia_student.transport import protocol as P

STUDENT_REQUIRED = {"register": (), "ack": ("ids",), "read": ("ids",), "answer": ("id", "status")}


class TwoWayLecturer:
    def __init__(self, class_code=None, port=None, encrypted=False):
        self.class_code = class_code
        self.public = self.secret = self.join_key = None
        self.ctx = zmq.Context()
        self.sub = self.ctx.socket(zmq.SUB)
        self.sub.setsockopt(zmq.LINGER, 0)
        self.sub.setsockopt(zmq.SUBSCRIBE, P.TOPIC_PREFIX)
        self.router = self.ctx.socket(zmq.ROUTER)
        self.router.setsockopt(zmq.LINGER, 0)
        self.router.setsockopt(zmq.ROUTER_MANDATORY, 1)
        if encrypted:
            self.public, self.secret = zmq.curve_keypair()
            raw = zmq.utils.z85.decode(self.public)
            self.join_key = base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
            for sock in (self.sub, self.router):  # before bind: every connection is CURVE
                sock.setsockopt(zmq.CURVE_SERVER, 1)
                sock.setsockopt(zmq.CURVE_SECRETKEY, self.secret)
        self._bind(port)
        self.endpoint = "tcp://127.0.0.1:%d" % self.port
        self.seq = 0
        self.identity = None   # routing id of the last register seen
        self.v1 = collections.deque(maxlen=1000)  # v1 messages read by pump(), oldest first

    def _bind(self, port):
        """Two adjacent ports: p for the SUB, p + 1 for the ROUTER."""
        for _ in range(50):
            p = port
            if p is None:
                self.sub.bind("tcp://127.0.0.1:*")
                p = int(self.sub.getsockopt_string(zmq.LAST_ENDPOINT).rsplit(":", 1)[1])
            else:
                self.sub.bind("tcp://127.0.0.1:%d" % p)
            try:
                self.router.bind("tcp://127.0.0.1:%d" % (p + 1))
                self.port = p
                return
            except zmq.ZMQError:
                self.sub.unbind(self.sub.getsockopt_string(zmq.LAST_ENDPOINT))
                if port is not None:
                    raise
        raise RuntimeError("no two adjacent free ports")

    def join_string(self, code=None):
        """What the lecturer's app shows: pracownia://127.0.0.1:PORT[/CODE][?key=KEY]."""
        text = "pracownia://127.0.0.1:%d" % self.port
        if code:
            text += "/" + code
        if self.join_key:
            text += "?key=" + self.join_key
        return text

    # ---- the return path ----

    def recv(self, timeout=5.0):
        """(routing id, kind, header, body) of the next return-path message, or None. Checks the
        student's frames against the 1.1 rules (a broken one fails the test)."""
        deadline = time.monotonic() + timeout
        while True:
            self.pump()  # a SUB sends its subscription only when its own thread touches it
            left = deadline - time.monotonic()
            if self.router.poll(max(0, min(50, int(left * 1000))), zmq.POLLIN):
                break
            if left <= 0:
                return None
        frames = self.router.recv_multipart()
        ident, frames = frames[0], frames[1:]
        assert len(frames) == (4 if self.class_code else 3), frames
        topic, header, body = frames[:3]
        if self.class_code:
            assert frames[3] == P.mac(self.class_code, topic, header, body)
        kind = topic[len(P.TOPIC_PREFIX):].decode()
        assert kind in STUDENT_REQUIRED, kind
        h = json.loads(header)
        for f in ("student", "login", "seq", "ts") + STUDENT_REQUIRED[kind]:
            assert f in h, (kind, f)
        assert body == b""
        if kind in ("ack", "read"):
            assert 1 <= len(h["ids"]) <= P.MAX_IDS
            P.validate_ids(h["ids"])
        if kind == "answer":
            assert h["status"] in P.ANSWER_STATUSES
        if kind == "register":
            self.identity = ident
        return ident, kind, h, body

    def next(self, kinds, timeout=5.0):
        """The next return-path message of one of `kinds` (others are skipped), or None."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            got = self.recv(left)
            if got is None:
                return None
            if got[1] in kinds:
                return got

    def send(self, kind, fields, body=b"", student=None, ident=None, sign=True, seq=None):
        """Send a lecturer message to `ident` (default: the last registered connection).
        sign: True (the class code's MAC), False (no fourth frame) or bytes (this fourth frame)."""
        header = {"ts": int(time.time() * 1000), "seq": self.seq if seq is None else seq,
                  "student": student}
        header.update(fields)
        self.seq += 1
        frames = P.encode(kind, header, body, self.class_code if sign is True else None)
        if isinstance(sign, bytes):
            frames.append(sign)
        self.router.send_multipart([ident or self.identity] + frames)

    def welcome(self, student, ident=None):
        self.send("welcome", {"protocol": "1.1"}, student=student, ident=ident)

    def reply(self, student, text, msg_id=None, kind="reply", **kw):
        msg_id = msg_id or str(uuid.uuid4())
        self.send(kind, {"id": msg_id}, text.encode("utf-8"), student=student, **kw)
        return msg_id

    # ---- the v1 SUB ----

    def next_v1(self, kinds, timeout=5.0):
        """(kind, header, body) of the next v1 message of one of `kinds`, or None."""
        deadline = time.monotonic() + timeout
        while True:
            while self.v1:
                kind, h, body = self.v1.popleft()
                if kind in kinds:
                    return kind, h, body
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sub.poll(int(min(left, 0.05) * 1000) + 1, zmq.POLLIN)
            self.pump()

    def pump(self):
        """Read the v1 messages waiting (keeps the SUB's subscription flowing; see recv)."""
        while True:
            try:
                frames = self.sub.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            self.v1.append((frames[0][len(P.TOPIC_PREFIX):].decode(), json.loads(frames[1]),
                            frames[2]))

    def close(self):
        self.sub.close(linger=0)
        self.router.close(linger=0)
        self.ctx.term()
