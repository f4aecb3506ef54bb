"""When to capture what (bpy-free): intervals, manual requests, and the digest skip.

The main-thread timer asks Schedule.next_due() for at most one capture per tick, so one tick never
does both a screenshot and a .blend copy. A kind is not captured again while its previous file is
still pending (being hashed or sent), so files never pile up behind a slow network. DigestGate
remembers the digest of the last file of each kind that reached the lecturer: an identical copy is
dropped instead of sent.

Jitter: a class connects at about the same moment, so without it every seat would send its
.blend copy in the same second each period. Each next capture is due after `every * f`, f
uniform in [0.9, 1.1] (never under MIN_INTERVAL_S), and the first automatic blend at a random
point in the first min(every, 30 s).
"""

import random
import time

__all__ = ["Schedule", "DigestGate", "KINDS"]

KINDS = ("screenshot", "blend")
MIN_INTERVAL_S = 5.0
JITTER = 0.1             # f in [1 - JITTER, 1 + JITTER]
FIRST_BLEND_WINDOW_S = 30.0


class Schedule:
    """`rand()` returns a float in [0, 1) (random.random); injected so tests are deterministic."""

    def __init__(self, screenshot_every_s=60.0, blend_every_s=300.0, clock=time.monotonic,
                 rand=random.random):
        self.clock = clock
        self.rand = rand
        self.every = {}
        self.next_at = {k: None for k in KINDS}   # None: not started
        self.requested = {k: False for k in KINDS}
        self.pending = {k: None for k in KINDS}    # transfer id / marker of the file in flight
        self.set_intervals(screenshot_every_s, blend_every_s)

    def set_intervals(self, screenshot_every_s, blend_every_s):
        new = {"screenshot": max(MIN_INTERVAL_S, float(screenshot_every_s)),
               "blend": max(MIN_INTERVAL_S, float(blend_every_s))}
        now = self.clock()
        for k in KINDS:  # a shorter interval takes effect now, not after the old one ends
            if self.next_at[k] is not None and k in self.every:
                self.next_at[k] = min(self.next_at[k], now + new[k])
        self.every = new

    def start(self, now=None):
        """Sharing begins: the first screenshot is due at once (the lecturer sees something), the
        first automatic blend at a random point within min(every, 30 s), so that seats connected
        together do not all upload at once. A request() still makes it due at the next tick."""
        now = self.clock() if now is None else now
        self.next_at["screenshot"] = now
        window = min(self.every["blend"], FIRST_BLEND_WINDOW_S)
        self.next_at["blend"] = now + self.rand() * window

    def stop(self):
        for k in KINDS:
            self.next_at[k] = None
            self.requested[k] = False
            self.pending[k] = None

    @property
    def running(self):
        return self.next_at["blend"] is not None

    def request(self, kind):
        """A manual "send now" or a save: capture at the next tick (even while paused)."""
        self.requested[kind] = True

    def next_due(self, now=None, paused=False, can_screenshot=True):
        """The one kind to capture now, or None. Requests first, then the most overdue kind."""
        now = self.clock() if now is None else now
        allowed = [k for k in KINDS if self.pending[k] is None
                   and (k != "screenshot" or can_screenshot)]
        for k in allowed:
            if self.requested[k]:
                return k
        if paused or not self.running:
            return None
        overdue = [(self.next_at[k], k) for k in allowed if self.next_at[k] <= now]
        return min(overdue)[1] if overdue else None

    def captured(self, kind, marker, now=None):
        """The capture of `kind` was made and handed on; `marker` identifies it until finished.
        The next one is due after every * f, f uniform in [0.9, 1.1], at least MIN_INTERVAL_S."""
        now = self.clock() if now is None else now
        self.requested[kind] = False
        self.pending[kind] = marker
        if self.next_at[kind] is not None:
            f = 1.0 + JITTER * (2.0 * self.rand() - 1.0)
            self.next_at[kind] = now + max(MIN_INTERVAL_S, self.every[kind] * f)

    def capture_failed(self, kind, now=None):
        """No file came out (e.g. no window): retry after the interval, drop a manual request."""
        self.captured(kind, None, now)

    def finished(self, kind, marker=None):
        """The pending file of `kind` was sent, skipped, failed or cancelled."""
        if marker is None or self.pending[kind] == marker:
            self.pending[kind] = None

    def seconds_until(self, kind, now=None):
        now = self.clock() if now is None else now
        at = self.next_at[kind]
        return None if at is None else max(0.0, at - now)


class DigestGate:
    """Last digest sent per kind; a file with the same digest is skipped.

    Blender 4 and later do not write the same bytes twice for unchanged data (a partial write
    numbers its copies anew), so for .blend copies the gate also keeps Blender's change count at
    the last copy sent (`unchanged()`): no change since, no copy at all, and no main-thread time.
    """

    def __init__(self):
        self.last = {k: None for k in KINDS}
        self.skipped = {k: 0 for k in KINDS}
        self.changes_sent = {k: None for k in KINDS}

    def unchanged(self, kind, changes):
        """True (and counted as a skip) when `changes` equals the count at the last file sent."""
        if changes is not None and changes == self.changes_sent[kind]:
            self.skipped[kind] += 1
            return True
        return False

    def should_send(self, kind, digest):
        """False for the digest of the last file sent. Not counted here: the hashing thread may
        run in the courier process; Controller counts the `capture_skipped` event."""
        return digest is None or digest != self.last[kind]

    def sent(self, kind, digest, changes=None):
        self.last[kind] = digest
        self.changes_sent[kind] = changes

    def forget(self):
        """After a reconnect the lecturer may lack the last file (e.g. another class): resend."""
        for k in KINDS:
            self.last[k] = None
            self.changes_sent[k] = None
