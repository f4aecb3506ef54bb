"""Helpers shared by the add-on's tests (pure Python, bpy module and real Blender).

The binary, `pracownia serve` and the CLI are the end-to-end tests' (tests/e2e/e2e_fixtures.py,
through tests/blender/conftest.py); ROOT and wait_for are re-exported from tests/e2e/e2e_support.py.
"""

import struct
import threading
import time
import zlib

from tests.e2e.e2e_support import ROOT, wait_for  # noqa: F401 (re-exported)


def png_bytes(width=4, height=3, seed=0):
    """A small valid PNG (RGB), different for each seed."""
    rows = b"".join(b"\x00" + b"".join(bytes([(x * 40 + seed) % 256, (y * 60) % 256, seed % 256])
                                       for x in range(width)) for y in range(height))

    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def our_threads():
    return [t.name for t in threading.enumerate() if t.name.startswith("pracownia-")]


def entries(timeline, kind):
    return [e for e in timeline if e.get("kind") == kind]


def tick_report(label, tick_times):
    """Print main-thread time per tick (what pytest -s / the summary shows) and return stats."""
    by = {}
    for what, seconds in tick_times:
        by.setdefault(what, []).append(seconds)
    stats = {k: (len(v), max(v), sum(v) / len(v)) for k, v in by.items()}
    for k, (n, mx, mean) in sorted(stats.items()):
        print("TICK %s %-10s n=%-4d mean=%.2f ms max=%.2f ms" % (label, k, n, mean * 1e3,
                                                                 mx * 1e3))
    return stats


class FakeCapture:
    """Writes a PNG or fake .blend bytes; `blend` can be changed to simulate edits. deferred:
    screenshot() returns a callable that writes the PNG (as capture.py does), noting the thread
    it ran on in `written_on`; with `fail_write` set that callable raises."""

    def __init__(self, window=True, deferred=False):
        self.window = window
        self.deferred = deferred
        self.fail_write = False
        self.written_on = []
        self.blend = b"BLENDER-v300" + b"\0" * 4000
        self.shots = 0
        self.blends = 0

    def can_screenshot(self):
        return self.window

    def no_screenshot_reason(self):
        return "no window"

    def open_file_name(self):
        return "scene.blend"

    def screenshot(self, path):
        self.shots += 1
        data = png_bytes(seed=self.shots)

        def write():
            self.written_on.append(threading.current_thread().name)
            if self.fail_write:
                raise MemoryError("fake")
            with open(path, "wb") as f:
                f.write(data)
        if self.deferred:
            return write
        write()
        self.written_on.pop()
        return None

    def blend_copy(self, path):
        self.blends += 1
        with open(path, "wb") as f:
            f.write(self.blend)


def welcome_until_two_way(ctl, lec, cap, student, timeout=15.0):
    """Tick `ctl` and welcome every `register` the reference lecturer gets until the controller is
    two-way and connected. Every one: a register left queued by an earlier controller (a refresh
    after the lecturer's subscription arrived) names a connection that is gone."""
    import zmq
    deadline = time.monotonic() + timeout
    while not (ctl.status()["two_way"] and ctl.status()["state"] == "connected"):
        assert time.monotonic() < deadline, "timed out; status %r" % (ctl.status(),)
        ctl.tick(cap)
        got = lec.next(("register",), 0.05)
        if got is not None:
            try:
                lec.welcome(student, got[0])
            except zmq.ZMQError:  # ROUTER_MANDATORY: that connection has closed
                pass
