"""Blender's side of the courier (bpy-free): a Session whose network work runs in another process.

CourierSession has the interface of session.Session that Controller uses (events, sender,
new_path, submit, start, stop), but its Sender is a proxy: each call becomes one command line on
the courier's stdin (courier_protocol.py), and status() returns the last snapshot the courier
reported. Blender keeps only what must happen in its process: writing captures into the spool
folder (a screenshot's PNG is encoded by the `pracownia-writer` thread here: the pixels are in
Blender's memory) and three threads that wait almost all the time (the pipe's reader and writer,
and that writer), so Blender's main thread never waits on the pipe either.

The courier is started with Blender's own Python (deps.courier_python(): the interpreter under
sys.prefix, else sys.executable, which is Blender's Python since bpy.app.binary_path_python
was deprecated in 2.91 and removed in 2.92), without installing anything, and Blender's
module folders are passed in PRACOWNIA_SYS_PATH so it finds the same pyzmq. start() waits until
the courier says `ready` (pyzmq loaded) and raises CourierUnavailable with a sentence otherwise;
the Controller then falls back to the in-process Session and says so in the panel.
"""

import collections
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from . import courier_protocol as CP

__all__ = ["CourierSession", "CourierUnavailable", "COURIER_SCRIPT", "READY_TIMEOUT_S"]

COURIER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "courier.py")
READY_TIMEOUT_S = 10.0  # a cold start on a busy Windows seat with an antivirus can take seconds
_STATUS0 = {"state": "waiting", "error": None, "transfer": None, "parked": None, "queued": 0,
            "sent_messages": 0, "sent_files": 0, "two_way": False, "ignored": {},
            "encrypted": False, "handshake": None}


class CourierUnavailable(RuntimeError):
    """The courier could not be started; str() is a sentence (the reason)."""


class _SenderProxy:
    """The calls Controller makes on a Sender, as commands to the courier. They check their
    arguments here, so a wrong one is still a ValueError at the call."""

    def __init__(self, session):
        self._s = session
        self._open_file = object()

    def send_chat(self, text):
        from .transport.protocol import validate_chat

        problem = validate_chat(text)
        if problem:
            raise ValueError(problem)
        msg_id = str(uuid.uuid4())
        self._s.post("chat", id=msg_id, text=text)
        return msg_id

    def send_hand(self, raised):
        self._s.post("hand", raised=bool(raised))

    def mark_read(self, ids):
        from .transport.protocol import validate_ids

        ids = validate_ids(ids)
        if ids:
            self._s.post("read", ids=ids)

    def answer_request(self, request_id, status, text=None):
        self._s.post("answer", id=str(request_id), status=str(status),
                     text=None if text is None else str(text))

    def cancel_file(self, transfer_id):
        self._s.post("cancel", id=str(transfer_id))

    def set_open_file(self, name):
        if name != self._open_file:  # called at every tick: only a change is a command
            self._open_file = name
            self._s.post("open_file", name=name)

    def set_paused(self, paused):
        self._s.post("paused", paused=bool(paused))

    def status(self):
        return dict(self._s.status)


class CourierSession:
    """One connection to the lecturer through a courier process. python: the interpreter to run
    it with (default: Blender's); curve: the keys of an encrypted class (as for Sender), checked
    here so that a pyzmq without CURVE refuses at once; sender_kw: Sender arguments (tests
    shorten heartbeats)."""

    def __init__(self, endpoint, student_id, login, gate, class_code=None, hello_info=None,
                 python=None, ready_timeout=READY_TIMEOUT_S, curve=None, **sender_kw):
        from .transport.curve import check_curve
        from .transport.protocol import validate_login, validate_student_id

        problem = validate_login(login)
        if problem:
            raise ValueError(problem)
        validate_student_id(student_id)
        curve = check_curve(curve)
        if python is None:
            from .deps import courier_python
            python = courier_python()
        self.python = python
        self.ready_timeout = ready_timeout
        self.events = collections.deque()
        self.gate = gate
        self.sender = _SenderProxy(self)
        self.status = dict(_STATUS0, encrypted=curve is not None)
        self.proc = None
        self.spool = tempfile.mkdtemp(prefix="pracownia-")
        self._connect = CP.command("connect", endpoint=endpoint, student_id=student_id,
                                   login=login, class_code=class_code or None,
                                   hello_info=dict(hello_info or {}), sender=sender_kw,
                                   last=dict(gate.last), spool=self.spool, curve=curve)
        self._pipe = queue.Queue()     # lines for the courier's stdin; None closes it
        self._captures = queue.Queue()  # (kind, path, name, marker, write); None ends
        self._ready = threading.Event()
        self._stopped = threading.Event()
        self._stopping = False
        self._fatal = None
        self._log = None
        self._threads = []

    # ---- lifecycle ----

    def start(self):
        """Start the courier and connect; CourierUnavailable (everything cleaned up) when the
        courier does not start or does not say `ready` within ready_timeout."""
        log_path = os.path.join(self.spool, "courier.log")
        env = dict(os.environ, PRACOWNIA_SYS_PATH=json.dumps([p for p in sys.path if p]))
        # Windows: no console window, and below Blender's priority (POSIX: the courier nices itself).
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) | getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0)
        try:
            self._log = open(log_path, "wb")
            self.proc = subprocess.Popen(
                [self.python, "-s", "-u", COURIER_SCRIPT, "--parent", str(os.getpid())],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, env=env,
                creationflags=flags, close_fds=True)
        except (OSError, ValueError) as e:
            self._cleanup()
            raise CourierUnavailable("the helper process could not be started (%s)"
                                     % (getattr(e, "strerror", None) or e)) from None
        self._spawn(self._read_loop, "pracownia-courier-read")
        self._spawn(self._pipe_loop, "pracownia-courier-pipe")
        if not self._ready.wait(self.ready_timeout) or self._fatal:
            reason = self._fatal or self._exit_reason() or (
                "it did not answer within %d s" % self.ready_timeout)
            self._abort()
            raise CourierUnavailable("the helper process did not start: %s"
                                     % reason.rstrip("."))
        self._pipe.put(CP.encode(self._connect))
        self._spawn(self._capture_loop, "pracownia-writer")

    def stop(self, timeout=2.0):
        """disconnect (bye, bounded), close the courier's stdin, wait for it to exit (killed if
        it does not within the time left), remove the spool folder. True when all ended in time."""
        deadline = time.monotonic() + max(0.0, timeout)
        self._stopping = True
        self._captures.put(None)
        clean = True
        if self.proc is not None and self.proc.poll() is None:
            self.post("disconnect", timeout=max(0.1, timeout - 0.5))
            clean = self._stopped.wait(max(0.0, deadline - time.monotonic()))
        self._pipe.put(None)
        for t in self._threads:
            if t.name != "pracownia-courier-read":
                t.join(max(0.0, deadline - time.monotonic()))
        if self.proc is not None:
            try:
                self.proc.wait(max(0.5, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                clean = False
                self._kill()
        for t in self._threads:
            t.join(max(0.1, deadline - time.monotonic()))
            clean = clean and not t.is_alive()
        self._cleanup()
        return clean

    def new_path(self, file_name):
        """A fresh path in the spool folder for a capture (the name is kept for the lecturer)."""
        return os.path.join(tempfile.mkdtemp(dir=self.spool), file_name)

    def submit(self, kind, path, name, marker, write=None):
        """write: None (the file at path is finished) or a callable that writes it (the writer
        thread runs it, then tells the courier)."""
        if write is None:
            self.post("file", kind=kind, path=path, name=name, marker=marker)
        else:
            self._captures.put((kind, path, name, marker, write))

    def post(self, name, /, **fields):
        """Queue one command for the courier (any thread; never waits)."""
        self._pipe.put(CP.encode(CP.command(name, **fields)))

    # ---- threads ----

    def _spawn(self, target, name):
        t = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(t)
        t.start()

    def _pipe_loop(self):
        stdin = self.proc.stdin
        try:
            while True:
                line = self._pipe.get()
                if line is None:
                    break
                stdin.write(line)
                stdin.flush()
        except (OSError, ValueError):
            pass  # the courier is gone: the reader reports it
        finally:
            try:
                stdin.close()  # EOF: the courier stops its Session and exits
            except (OSError, ValueError):
                pass

    def _read_loop(self):
        stdout = self.proc.stdout
        try:
            for line in iter(stdout.readline, b""):
                try:
                    self._on_line(CP.decode_event(line))
                except CP.PipeError as e:
                    self.events.append({"type": "error", "error": str(e)})
        except (OSError, ValueError):
            pass
        if not self._stopping:
            self._died()

    def _on_line(self, msg):
        ev = msg["ev"]
        if ev == "status":
            self.status = msg["status"]
        elif ev == "event":
            self.events.append(msg["event"])
        elif ev == "error":
            self.events.append({"type": "error", "error": msg["error"]})
        elif ev == "ready":
            self._ready.set()
        elif ev == "stopped":
            self._stopped.set()
        elif ev == "fatal":
            self._fatal = msg["error"]
            self._ready.set()

    def _died(self):
        """The courier ended without being asked: the panel says so; Disconnect, then Connect
        starts a new one."""
        try:
            self.proc.wait(2.0)
        except subprocess.TimeoutExpired:
            pass
        reason = self._fatal or self._exit_reason() or "it ended"
        sentence = ("The helper process that sends your work stopped (%s). Disconnect and "
                    "connect again." % reason.rstrip("."))
        self.status = dict(_STATUS0, state="error", error=sentence)
        self._ready.set()

    def _capture_loop(self):
        while True:
            item = self._captures.get()
            if item is None:
                return
            kind, path, name, marker, write = item
            try:
                write()
            except Exception as e:  # the same sentence the in-process hashing thread gives
                _remove(path)
                self.events.append({"type": "capture_failed", "kind": kind, "marker": marker,
                                    "name": name, "error": "The %s could not be prepared: the "
                                    "file could not be written (%s)" % (
                                        "screenshot" if kind == "screenshot" else ".blend copy",
                                        e)})
                continue
            if not self._stopping:
                self.post("file", kind=kind, path=path, name=name, marker=marker)

    # ---- helpers ----

    def _exit_reason(self):
        code = self.proc.poll() if self.proc is not None else None
        tail = _log_tail(os.path.join(self.spool, "courier.log"))
        if code is None:
            return tail
        return "exit code %d%s" % (code, ": " + tail if tail else "")

    def _abort(self):
        self._stopping = True
        self._pipe.put(None)
        self._kill()
        for t in self._threads:
            t.join(2.0)
        self._cleanup()

    def _kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(2.0)
            except subprocess.TimeoutExpired:
                pass

    def _cleanup(self):
        for f in (self._log, getattr(self.proc, "stdout", None)):
            try:
                if f is not None:
                    f.close()
            except OSError:
                pass
        shutil.rmtree(self.spool, ignore_errors=True)


def _log_tail(path):
    """The last line of the courier's stderr (e.g. an exception), or ''."""
    try:
        with open(path, "rb") as f:
            lines = [l.strip() for l in f.read()[-2000:].decode("utf-8", "replace").splitlines()]
    except OSError:
        return ""
    lines = [l for l in lines if l]
    return lines[-1][:300] if lines else ""


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass
