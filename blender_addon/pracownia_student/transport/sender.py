"""The student's connection to the lecturer: one background thread owning the XPUB socket (v1)
and the DEALER of the return path (1.1, transport/return_path.py), on which the lecturer answers.

Blender's UI thread must never wait on the network, and ZeroMQ sockets must stay in one thread.
So every public method of Sender only puts a command in a locked queue or copies a status
snapshot; the thread does all socket work. The XPUB socket tells us when the lecturer's SUB is
there (subscription frames); nothing is sent while it is not, because PUB/SUB would drop it.

on_event callbacks run IN THE SENDER THREAD. Blender code must only store the dicts (e.g. append
to a list) and read them from a bpy.app.timers callback: no bpy calls from the callback.
"""

import collections
import os
import re
import socket
import threading
import time
import uuid

from . import protocol as P
from .curve import check_curve
from .transfer import Transfer
from .worker import Worker

__all__ = ["Sender", "make_endpoint", "STATES", "RESEND_WINDOW"]

# Chat/hand messages and whole files whose sending ended this many seconds before the lecturer
# left are sent again with the same ids: they may have still been in socket buffers and lost.
RESEND_WINDOW = 10.0
STATES = ("not_connected", "waiting", "connected", "sending", "error")
_SHA256_RE = re.compile(r"\A[0-9a-f]{64}\Z")


def make_endpoint(host, port=P.DEFAULT_PORT):
    """tcp://host:port, with brackets around an IPv6 address."""
    host = host.strip()
    if ":" in host and not host.startswith("["):
        host = "[%s]" % host
    return "tcp://%s:%d" % (host, int(port))


def _now_ms():
    return int(time.time() * 1000)


class Sender:
    """Thread-safe, non-blocking sender of hello/heartbeat/chat/hand/chunk/bye messages, and the
    student's side of the return path (register, ack, read, answer).

    return_endpoint: the lecturer's ROUTER; None means the v1 port + 1 on the same host.
    curve: an encrypted class: {"server": the lecturer's public key, "public"/"secret": the
    student's pair} (32 bytes or Z85 each); both sockets are then CURVE clients (transport/curve.py).
    ValueError with a sentence when this pyzmq cannot encrypt."""

    def __init__(self, endpoint, student_id, login, class_code=None, chunk_size=P.CHUNK_SIZE,
                 heartbeat_every=2.0, hello_info=None, on_event=None, sndhwm=4,
                 resend_window=RESEND_WINDOW, return_endpoint=None, curve=None):
        problem = P.validate_login(login)
        if problem:
            raise ValueError(problem)
        self.curve = check_curve(curve)
        self.endpoint = endpoint
        self.return_endpoint = return_endpoint or P.return_endpoint(endpoint)
        self.student_id = P.validate_student_id(student_id)
        self.login = login
        self.class_code = class_code or None
        self.chunk_size = int(chunk_size)
        if self.chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        self.heartbeat_every = float(heartbeat_every)
        self.sndhwm = int(sndhwm)  # 4 x 1 MiB ahead of a new chat/screenshot; 16 was no faster
        self.resend_window = float(resend_window)
        info = dict(hello_info or {})
        info.setdefault("addon", P.ADDON_VERSION)
        info.setdefault("host", socket.gethostname())
        self._hello = {k: P.info_text(info[k]) for k in ("blender", "addon", "host")
                       if info.get(k) is not None}
        self._on_event = on_event
        self._lock = threading.Lock()
        self._commands = collections.deque()   # from callers, guarded by _lock
        self._stopping = threading.Event()
        self._thread = None
        self._stop_deadline = None
        self._status = {"state": "not_connected", "error": None, "transfer": None, "parked": None,
                        "queued": 0, "sent_messages": 0, "sent_files": 0, "two_way": False,
                        "ignored": {}, "encrypted": self.curve is not None,
                        "handshake": None}
        self._open_file = None
        self._paused = False
        self._heartbeat_now = False  # the paused state changed: tell the lecturer at once
        self._worker = Worker(self)

    # ---- public API (any thread; never blocks on the network) ----

    def start(self):
        if self._thread is not None:
            raise RuntimeError("Sender.start() may be called only once")
        self._thread = threading.Thread(target=self._run, name="pracownia-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout=2.0):
        """Send bye if the lecturer is there, close the socket, join. True if the thread ended."""
        if self._thread is None:
            return True
        self._stop_deadline = time.monotonic() + max(0.0, timeout)
        self._stopping.set()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def send_chat(self, text, msg_id=None):
        """Queue a chat message; returns its id (msg_id: one the caller made, e.g. the add-on's
        courier, whose Blender side shows the message before the courier has it)."""
        problem = P.validate_chat(text)
        if problem:
            raise ValueError(problem)
        msg_id = str(uuid.uuid4()) if msg_id is None else P.validate_ids([msg_id])[0]
        self._command(("message", {"kind": P.CHAT, "fields": {"id": msg_id},
                                   "body": text.encode("utf-8"), "ts": _now_ms()}))
        return msg_id

    def send_hand(self, raised):
        self._command(("message", {"kind": P.HAND, "fields": {"raised": bool(raised)},
                                   "body": b"", "ts": _now_ms()}))

    def send_file(self, path, kind, name=None, delete_after=False, sha256=None):
        """Queue a file; returns its transfer id. The file is read in the thread, chunk by chunk.
        sha256: its digest, when the caller has just computed it (then it is not hashed again)."""
        if kind not in P.FILE_KINDS:
            raise ValueError("The file kind must be one of: %s." % ", ".join(P.FILE_KINDS))
        path = os.fspath(path)
        name = os.path.basename(path) if name is None else name
        problem = P.validate_name(name)
        if problem:
            raise ValueError(problem)
        if sha256 is not None and not _SHA256_RE.match(sha256):
            raise ValueError("%r is not a SHA-256 digest in lowercase hex." % (sha256,))
        transfer_id = str(uuid.uuid4())
        self._command(("file", Transfer(transfer_id, path, kind, name, self.chunk_size,
                                        delete_after, sha256)))
        return transfer_id

    def cancel_file(self, transfer_id):
        self._command(("cancel", transfer_id))

    def mark_read(self, ids):
        """Tell the lecturer the student has seen these lecturer messages (reply/broadcast ids)."""
        ids = P.validate_ids(ids)
        if ids:
            self._command(("read", ids))

    def answer_request(self, request_id, status, text=None):
        """Say what was done with a lecturer's request: capturing, paused or failed."""
        request_id, = P.validate_ids([request_id])
        if status not in P.ANSWER_STATUSES:
            raise ValueError("The answer must be one of: %s." % ", ".join(P.ANSWER_STATUSES))
        fields = {"id": request_id, "status": status}
        if text:
            fields["text"] = str(text)[:P.MAX_ANSWER_CHARS]
        self._command(("answer", fields))

    def set_open_file(self, name):
        with self._lock:
            self._open_file = None if name is None else P.info_text(name)

    def set_paused(self, paused):
        """Whether the student paused sharing: every heartbeat says so, and a change sends a
        heartbeat at once so the lecturer's tile shows it within a moment."""
        paused = bool(paused)
        with self._lock:
            if paused != self._paused:
                self._paused = paused
                self._heartbeat_now = True

    def clear_error(self):
        with self._lock:
            self._status["error"] = None

    def status(self):
        """state, error, transfer (the file being sent), parked (a blend waiting behind a
        screenshot, or None), queued, sent_messages, sent_files, two_way (the lecturer's receiver
        answered register with welcome: it can reply), ignored ({reason: count} of lecturer
        messages ignored, e.g. bad_mac, not_for_us), encrypted (the sockets are CURVE clients:
        whatever reaches the lecturer went encrypted), handshake (None until a handshake
        finished, then "ok" or why the last one failed: curve.HANDSHAKE_RESULTS)."""
        with self._lock:
            snap = dict(self._status)
            snap["queued"] += sum(1 for c in self._commands if c[0] in ("message", "file"))
            snap["ignored"] = dict(snap["ignored"])
        for key in ("transfer", "parked"):
            if snap[key] is not None:
                snap[key] = dict(snap[key])
        return snap

    def _command(self, cmd):
        with self._lock:
            self._commands.append(cmd)

    # ---- used by the sender thread (worker.py) ----

    def _take_commands(self):
        """The queued commands, and the heartbeat's state: (open file, paused, send it now)."""
        with self._lock:
            cmds = list(self._commands)
            self._commands.clear()
            now, self._heartbeat_now = self._heartbeat_now, False
            return cmds, (self._open_file, self._paused, now)

    def _publish(self, **changes):
        """Update the status snapshot; emit a state event when the state changed."""
        with self._lock:
            old = self._status["state"]
            self._status.update(changes)
            event = {"type": "state", "state": self._status["state"], "error": self._status["error"]}
        if event["state"] != old:
            self._emit(event)

    def _error(self):
        with self._lock:
            return self._status["error"]

    def _emit(self, event):
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:  # a broken callback must not break the connection
                pass

    def _run(self):
        self._worker.run()
