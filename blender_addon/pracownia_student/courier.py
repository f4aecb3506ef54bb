"""The courier: a small process that does the add-on's network work outside Blender (bpy-free).

A Python thread inside Blender that hashes, frames and sends 1 MiB chunks holds the same
interpreter lock as Blender's UI and roughly doubled the 3D view's redraw time (issue 11). So the
add-on starts this script with Blender's own Python (courier_client.py) and it runs the same
Session as the in-process fallback (session.py: a hashing thread and the Sender's sockets),
reading the captures Blender wrote into the spool folder. Blender and the courier talk over the
courier's stdin and stdout, one JSON object a line (courier_protocol.py).

It never outlives Blender: it exits when stdin ends (Blender closed the pipe, quit, or died: the
operating system closes a dead process's pipes, SIGKILL included), on `quit`, and when the parent
process is gone (checked every PARENT_CHECK_S, in case a grandchild kept the pipe open). Before
exiting it stops the Session, which says bye to the lecturer when it can (bounded).

Run as a script: `python -s courier.py --parent PID` (no `-m`: the add-on's folder has another
name inside an extension). stderr is Blender's log file for this courier; nothing else is written
there unless Python itself fails.
"""

import os
import queue
import sys
import threading
import time

PARENT_CHECK_S = 0.5
STATUS_EVERY_S = 0.1   # the panel redraws twice a second; 1 MiB chunks can finish 100 times
POLL_S = 0.05

_EOF = object()
# Session arguments Blender may set (tests shorten heartbeats); anything else is refused.
_SENDER_KW = ("heartbeat_every", "chunk_size", "sndhwm", "resend_window", "return_endpoint")


class ParentWatch:
    """Is the process that started us still there? POSIX: our parent pid changes when it dies (we
    are adopted); a given pid is probed with signal 0. Windows: a handle to the process, which
    becomes signalled when it exits (and keeps its pid from being reused while we hold it)."""

    def __init__(self, pid):
        self.pid = pid
        self.ppid = os.getppid()
        self._handle = None
        if os.name == "nt" and pid:
            import ctypes
            self._k32 = ctypes.WinDLL("kernel32", use_last_error=True)
            self._k32.OpenProcess.restype = ctypes.c_void_p
            self._k32.WaitForSingleObject.argtypes = (ctypes.c_void_p, ctypes.c_uint32)
            self._handle = self._k32.OpenProcess(0x00100000, False, pid)  # SYNCHRONIZE

    def gone(self):
        if os.name == "nt":
            # WAIT_OBJECT_0 (0): the process ended. No handle: it was gone before we looked.
            return self._handle is None or self._k32.WaitForSingleObject(self._handle, 0) == 0
        if os.getppid() != self.ppid:
            return True
        if self.pid:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return True
            except PermissionError:
                return False
        return False


class Courier:
    """The main thread's loop: commands in, Session events and status out."""

    def __init__(self, out, parent_pid=None):
        from . import courier_protocol as CP

        self.CP = CP
        self.out = out
        self.lock = threading.Lock()
        self.session = None
        self.gate = None
        self.parent = ParentWatch(parent_pid)
        self._status = None
        self._status_at = 0.0

    # ---- output ----

    def send(self, name, /, **fields):
        """One event line; OSError when Blender is gone (the pipe broke): the caller exits."""
        line = self.CP.encode(self.CP.event(name, **fields))
        with self.lock:
            self.out.write(line)
            self.out.flush()

    # ---- commands ----

    def handle(self, cmd):
        """Carry out one command; False for quit. A ValueError is a sentence for the panel."""
        name = cmd["cmd"]
        if name == "quit":
            return False
        try:
            if name == "connect":
                self._connect(cmd)
            elif name == "disconnect":
                clean = self._stop(cmd["timeout"])
                self.send("stopped", clean=clean)
            elif self.session is None:
                raise ValueError("Connect to the lecturer first.")
            else:
                self._session_command(name, cmd)
        except ValueError as e:
            self.send("error", error=str(e))
        return True

    def _connect(self, cmd):
        from .schedule import DigestGate
        from .session import Session

        self._stop(1.0)
        extra = {k: v for k, v in cmd["sender"].items() if k in _SENDER_KW}
        self.gate = DigestGate()
        for kind, digest in cmd["last"].items():
            if kind in self.gate.last and (digest is None or isinstance(digest, str)):
                self.gate.last[kind] = digest
        session = Session(cmd["endpoint"], cmd["student_id"], cmd["login"], self.gate,
                          class_code=cmd["class_code"], hello_info=cmd["hello_info"],
                          spool=cmd["spool"], curve=cmd["curve"], **extra)
        session.start()
        self.session = session

    def _session_command(self, name, cmd):
        sender = self.session.sender
        if name == "chat":
            sender.send_chat(cmd["text"], msg_id=cmd["id"])
        elif name == "hand":
            sender.send_hand(cmd["raised"])
        elif name == "file":
            self.session.submit(cmd["kind"], cmd["path"], cmd["name"], cmd["marker"])
        elif name == "cancel":
            sender.cancel_file(cmd["id"])
        elif name == "read":
            sender.mark_read(cmd["ids"])
        elif name == "answer":
            sender.answer_request(cmd["id"], cmd["status"], cmd["text"])
        elif name == "open_file":
            sender.set_open_file(cmd["name"])
        elif name == "paused":
            sender.set_paused(cmd["paused"])

    def _stop(self, timeout):
        session, self.session = self.session, None
        if session is None:
            return True
        clean = session.stop(timeout)
        self._forward(session)
        return clean

    # ---- events and status ----

    def _forward(self, session):
        events = session.events
        while events:
            e = events.popleft()
            if e.get("type") == "progress":  # the status snapshot carries it, rate-limited
                continue
            if e.get("type") == "file_sent" and e.get("kind") in self.gate.last:
                self.gate.sent(e["kind"], e["sha256"])  # the next identical capture is skipped
            self.send("event", event=e)

    def pump(self, now):
        session = self.session
        if session is None:
            return
        self._forward(session)
        status = session.sender.status()
        changed = status != self._status
        first_or_new_state = self._status is None or status["state"] != self._status["state"]
        if changed and (first_or_new_state or now - self._status_at >= STATUS_EVERY_S):
            self._status, self._status_at = status, now
            self.send("status", status=status)

    # ---- the loop ----

    def run(self, commands):
        """commands: a queue of command dicts, PipeError sentences, or _EOF. Returns when stdin
        ended, on quit, or when the parent is gone; stops the Session first."""
        next_check = 0.0
        try:
            while True:
                try:
                    item = commands.get(timeout=POLL_S)
                except queue.Empty:
                    item = None
                if item is _EOF:
                    break
                if isinstance(item, str):
                    self.send("error", error=item)
                elif item is not None and not self.handle(item):
                    break
                now = time.monotonic()
                self.pump(now)
                if now >= next_check:
                    next_check = now + PARENT_CHECK_S
                    if self.parent.gone():
                        break
        except OSError:
            pass  # stdout broke: Blender is gone
        finally:
            self._stop_quietly()

    def _stop_quietly(self):
        try:
            self._stop(1.0)
        except Exception:
            pass


def read_commands(stream, commands, decode):
    """The stdin thread: decoded commands (or a PipeError's sentence) into the queue, then _EOF."""
    try:
        for line in iter(stream.readline, b""):
            if not line.strip():
                continue
            try:
                commands.put(decode(line))
            except ValueError as e:
                commands.put(str(e))
    except (OSError, ValueError):
        pass
    finally:
        commands.put(_EOF)


def lower_priority():
    """The courier's hashing and sending must not take the CPU from Blender's drawing (software
    OpenGL draws on every core): on a busy computer it waits instead, and an upload takes a
    little longer. Windows gets the same from the client's creation flags (from the start: its
    imports then wait too)."""
    try:
        if hasattr(os, "nice"):
            os.nice(19)
    except OSError:
        pass


def main(argv=None, stdin=None, stdout=None):
    """Returns the exit code: 0 after a normal end, 2 when the network side cannot load."""
    argv = sys.argv[1:] if argv is None else argv
    parent = int(argv[argv.index("--parent") + 1]) if "--parent" in argv else None
    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout.buffer
    from . import courier_protocol as CP

    courier = Courier(stdout, parent)
    try:
        from .transport import sender  # noqa: F401  (pyzmq: fail here, with a sentence, not later)
    except ImportError as e:
        try:
            courier.send("fatal", error="The helper process cannot load pyzmq (%s)." % e)
        except OSError:
            pass
        return 2
    from . import schedule, session  # noqa: F401  (what `start` needs, loaded at full priority)
    # After the imports, before `ready`: loading modules is most of the CPU a connection needs,
    # and at the lowest priority behind four busy processes it took 6-20 s.
    if "--parent" in argv:  # started as the helper process (tests call main() in-process too)
        lower_priority()
    commands = queue.Queue()
    reader = threading.Thread(target=read_commands, args=(stdin, commands, CP.decode_command),
                              name="courier-stdin", daemon=True)
    reader.start()
    try:
        courier.send("ready", pid=os.getpid(), python=sys.executable or "")
    except OSError:
        return 0
    courier.run(commands)
    return 0


def _bootstrap():
    """Script start: import this folder as a package (its name differs in an extension), with the
    module folders Blender's Python had (pyzmq bundled or installed by the add-on) appended."""
    import importlib
    import json

    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or os.curdir) == here:
        sys.path.pop(0)  # the package's own folder must not make its modules top-level
    sys.path.insert(0, os.path.dirname(here))
    try:
        extra = json.loads(os.environ.get("PRACOWNIA_SYS_PATH") or "[]")
    except ValueError:
        extra = []
    sys.path.extend(p for p in extra if isinstance(p, str) and p not in sys.path)
    module = importlib.import_module(os.path.basename(here) + ".courier")
    code = module.main()
    sys.stdout.flush()
    # Daemon threads may sit in a blocking read of stdin; do not wait for the interpreter to
    # notice. The Session has been stopped and the last line flushed.
    os._exit(code)


if __name__ == "__main__":
    _bootstrap()
