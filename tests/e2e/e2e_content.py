"""Students and their content for the end-to-end tests: Senders, a raw XPUB, PNG/.blend bytes,
and looking into a store."""

import contextlib
import hashlib
import os
import struct
import time
import uuid
import zlib

import zmq

from pracownia_student.transport import Sender, protocol as P


# ---- students ----

@contextlib.contextmanager
def sender_factory():
    made = []

    def make(endpoint, login, student_id=None, **kw):
        kw.setdefault("heartbeat_every", 0.5)
        s = Sender(endpoint, student_id or str(uuid.uuid4()), login, **kw)
        s.start()
        made.append(s)
        return s

    try:
        yield make
    finally:
        for s in made:
            s.stop(timeout=2.0)


class RawStudent:
    """A bare XPUB (XPUB_NODROP) for hand-made frames; waits for the receiver's subscription."""

    def __init__(self, endpoint, student_id=None, login="raw.student"):
        self.student = student_id or str(uuid.uuid4())
        self.login = login
        self.seq = 0
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.XPUB)
        self.sock.setsockopt(zmq.XPUB_NODROP, 1)
        self.sock.setsockopt(zmq.LINGER, 2000)
        self.sock.connect(endpoint)

    def wait_subscribed(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.sock.poll(100, zmq.POLLIN) and self.sock.recv() == b"\x01" + P.TOPIC_PREFIX:
                return self
        raise AssertionError("the receiver did not subscribe within %s s" % timeout)

    def send_frames(self, frames, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.sock.send_multipart(frames, zmq.NOBLOCK)
            except zmq.Again:
                assert time.monotonic() < deadline, "the receiver stopped taking messages"
                time.sleep(0.005)

    def send(self, kind, body=b"", /, **fields):
        """Send one valid message of this student (no class code)."""
        header = {"student": self.student, "login": self.login, "seq": self.seq,
                  "ts": int(time.time() * 1000)}
        header.update(fields)
        self.seq += 1
        self.send_frames(P.encode(kind, header, body))

    def close(self):
        self.sock.close(linger=2000)
        self.ctx.term()


# ---- the store ----

def store_files(store):
    """Relative paths of every file in the store outside `.pracownia/`."""
    out = []
    for dirpath, dirnames, filenames in os.walk(store):
        rel = os.path.relpath(dirpath, store)
        if rel == ".pracownia" or rel.startswith(".pracownia" + os.sep):
            continue
        out.extend(os.path.normpath(os.path.join(rel, f)) for f in filenames)
    return sorted(out)


def by_student(timeline):
    out = {}
    for e in timeline:
        out.setdefault(e["student"], []).append(e)
    return out


def sha256(data):
    return hashlib.sha256(data).hexdigest()


# ---- content ----

def make_png(width, height, seed=0):
    """A real RGB PNG built with zlib and struct only."""
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter type None
        for x in range(width):
            row += bytes(((x * 7 + seed * 40) & 255, (y * 5 + x) & 255, (x * y + seed) & 255))
        rows.append(bytes(row))

    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


def make_blend(size):
    """`size` bytes that look like a Blender 4.5 file: the magic, then random bytes."""
    return b"BLENDER-v405" + os.urandom(size - 12)


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)
