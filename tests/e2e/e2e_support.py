"""Processes of the end-to-end tests: finding the binary, time limits, `pracownia serve`, the CLI.

The binary comes from $PRACOWNIA_BIN (scripts/test.sh sets it), else <repo>/target/debug/pracownia;
a missing binary FAILS every test here (build it with `cargo build -p pracownia-cli`).
Every wait is bounded, and every test has a timeout (marker `timeout_s`, default 60 s).
"""

import contextlib
import faulthandler
import json
import os
import queue
import re
import signal
import subprocess
import threading
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VECTORS = os.path.join(ROOT, "tests", "vectors")


DEFAULT_TIMEOUT_S = 60
STARTUP_S = 20
# The add-on's courier connects at the lowest priority (issue 11): on a busy machine (four busy
# processes on two cores) it was welcomed after 6-20 s; in-process, 0.2 s.
COURIER_CONNECT_S = 60
STOP_S = 20
MIB = 1 << 20
RFC3339_MS = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")


def find_binary():
    """Absolute path of the pracownia binary, or None."""
    given = os.environ.get("PRACOWNIA_BIN")
    if not given:
        candidates = [os.path.join(ROOT, "target", "debug", "pracownia")]
    elif os.path.isabs(given):
        candidates = [given]
    else:  # relative: to the working directory, else to the repository
        candidates = [os.path.abspath(given), os.path.join(ROOT, given)]
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def require_binary():
    path = find_binary()
    if path is None:
        pytest.fail("The pracownia binary was not found (PRACOWNIA_BIN=%r; when it is not set, "
                    "%s is used). Build it with `cargo build -p pracownia-cli`."
                    % (os.environ.get("PRACOWNIA_BIN"),
                       os.path.join(ROOT, "target", "debug", "pracownia")), pytrace=False)
    return path


# ---- time limits ----

class TestTimeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds, what="test"):
    """Raise TestTimeout in the main thread after `seconds`; dump stacks and exit 30 s later.

    Inside another time limit (a module fixture set up during a test), the outer one governs.
    """
    use_alarm = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if use_alarm and signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        yield
        return
    if use_alarm:
        def on_alarm(signum, frame):
            raise TestTimeout("%s ran longer than %s s" % (what, seconds))
        old = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    faulthandler.dump_traceback_later(seconds + 30, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


def free_port(pair=True):
    """A free port on 127.0.0.1 (and its neighbour, the receiver's return path, when `pair`), for
    a receiver started later. Taken below Linux's ephemeral range (32768+): a client that keeps
    reconnecting to a free ephemeral port on localhost can end up connected to itself (TCP
    simultaneous open) and hold the port, so the receiver started afterwards finds it in use."""
    import random
    import socket
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(20000, 32000)
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                if pair:
                    b.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port between 20000 and 32000")


def wait_for(predicate, timeout, what="a condition", interval=0.1):
    """Poll until predicate() is truthy and return its value; AssertionError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(interval)


# ---- the receiver process ----

class Serve:
    """`pracownia serve` on 127.0.0.1 as a subprocess; stdout and stderr drained by threads."""

    def __init__(self, binary, store, port=0, class_code=None, extra=()):
        self.store = str(store)
        args = [binary, "serve", "--bind", "127.0.0.1", "--port", str(port), "--store", self.store,
                "--free-disk-floor-mib", "0"]
        if class_code is not None:
            args += ["--class-code", class_code]
        self.extra = list(extra)
        args += self.extra
        env = dict(os.environ, RUST_BACKTRACE="1")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)
        self.returncode = None
        self._lines = queue.Queue()
        self._out, self._err = [], []
        self._readers = [threading.Thread(target=self._drain, args=(self.proc.stdout, self._out,
                                                                    self._lines), daemon=True),
                         threading.Thread(target=self._drain, args=(self.proc.stderr, self._err,
                                                                    None), daemon=True)]
        for t in self._readers:
            t.start()
        try:
            first = self._lines.get(timeout=STARTUP_S)
        except queue.Empty:
            first = None
        m = first and re.fullmatch(r"listening on tcp://127\.0\.0\.1:(\d+)\n", first)
        if not m:
            self.proc.kill()
            self.proc.wait(STOP_S)
            pytest.fail("serve did not print `listening on tcp://127.0.0.1:PORT` (got %r); "
                        "stderr:\n%s" % (first, self.stderr))
        self.port = int(m.group(1))
        self.endpoint = "tcp://127.0.0.1:%d" % self.port

    @staticmethod
    def _drain(pipe, sink, lines):
        for raw in iter(pipe.readline, b""):
            text = raw.decode("utf-8", "replace")
            sink.append(text)
            if lines is not None:
                lines.put(text)
        pipe.close()

    @property
    def stderr(self):
        return "".join(self._err)

    def stdout_line(self, prefix, timeout=10):
        """The first stdout line starting with `prefix` (e.g. `join: ` of an encrypted class)."""
        return wait_for(lambda: next((line.strip() for line in list(self._out) if line.startswith(prefix)), None),
                        timeout, "serve to print %r" % prefix)

    @property
    def return_endpoint(self):
        """The return path (protocol 1.1), from serve's log line (it follows the stdout line)."""
        pattern = r"return path \(the lecturer's answers\) on tcp://[^:\s]+:(\d+)"
        m = wait_for(lambda: re.search(pattern, self.stderr), STARTUP_S, "serve's return path")
        return "tcp://127.0.0.1:%s" % m.group(1)

    def tell(self, *args, ok=True):
        """`pracownia say|announce|request|hand --store STORE ARGS`: (exit code, stdout, stderr)."""
        cmd, rest = args[0], args[1:]
        r = subprocess.run([self.proc.args[0], cmd, "--store", self.store] + list(rest),
                           capture_output=True, text=True, timeout=30)
        if ok:
            assert r.returncode == 0, "pracownia %s failed: %s" % (" ".join(args), r.stderr)
        return r.returncode, r.stdout, r.stderr

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        """SIGTERM and the exit code (bounded wait). Idempotent."""
        if self.returncode is None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.returncode = self.proc.wait(STOP_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(STOP_S)
                self.returncode = "no exit within %d s of SIGTERM" % STOP_S
            for t in self._readers:
                t.join(5)
        return self.returncode

    def problems(self):
        """Sentences about a bad stop: exit code, a panic, more than one stdout line."""
        out = []
        if self.stop() != 0:
            out.append("serve exited with %r" % (self.returncode,))
        if "panicked" in self.stderr:
            out.append("serve panicked")
        # One line; an encrypted class adds `server key: …` and `join: …` (README).
        expected = 3 if "--encrypt" in self.extra else 1
        if len(self._out) != expected:
            out.append("serve printed %d stdout lines, not %d: %r" % (len(self._out), expected, self._out))
        return ["%s (store %s); stderr:\n%s" % (p, self.store, self.stderr[-4000:]) for p in out]

    def finish(self):
        """Stop and assert the clean exit: code 0, no panic, one stdout line."""
        problems = self.problems()
        assert not problems, "\n".join(problems)


@contextlib.contextmanager
def serve_factory(binary, default_store):
    started = []

    def start(store=None, **kw):
        s = Serve(binary, default_store if store is None else store, **kw)
        started.append(s)
        return s

    try:
        yield start
    except BaseException:
        for s in started:
            s.stop()
        raise
    problems = [p for s in started for p in s.problems()]
    assert not problems, "\n".join(problems)


# ---- the CLI's queries ----

class Cli:
    def __init__(self, binary):
        self.binary = binary

    def run(self, *args, timeout=30):
        r = subprocess.run([self.binary] + [str(a) for a in args], capture_output=True,
                           timeout=timeout)
        assert r.returncode == 0, "pracownia %s failed (%d): %s" % (
            " ".join(map(str, args)), r.returncode, r.stderr.decode("utf-8", "replace"))
        return r.stdout.decode("utf-8")

    def json_lines(self, *args):
        return [json.loads(line) for line in self.run(*args).splitlines()]

    def timeline(self, store, student=None):
        extra = ["--student", student] if student else []
        return self.json_lines("timeline", "--store", store, "--json", *extra)

    def students(self, store):
        return self.json_lines("students", "--store", store, "--json")

    def wait_timeline(self, store, predicate, timeout, what):
        """The timeline once predicate(timeline) holds (polled; AssertionError after timeout)."""
        seen = []

        def check():
            seen[:] = [self.timeline(store)]
            return predicate(seen[0])

        wait_for(check, timeout, what)
        return seen[0]
