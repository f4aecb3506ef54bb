"""Scheduling, digest skip and address parsing: pure Python, no Blender."""

import pytest

from pracownia_student.controller import ChatHistory, parse_address
from pracownia_student.schedule import MIN_INTERVAL_S, DigestGate, Schedule


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def mid(): return 0.5  # f = 1.0 exactly; the first blend halfway into its window


class Rand:
    """A scripted random source: the given values in turn, then the last one again."""

    def __init__(self, *values):
        self.values = list(values)

    def __call__(self):
        return self.values.pop(0) if len(self.values) > 1 else self.values[0]


def test_first_screenshot_at_once_first_blend_later_one_per_tick():
    c = Clock()
    s = Schedule(60, 300, clock=c, rand=Rand(0.0, 0.5, 0.5))
    assert s.next_due() is None  # not started
    s.start()
    assert s.next_due() == "blend"  # rand 0: the first blend is due at once too
    s.captured("blend", 1)
    assert s.next_due() == "screenshot"  # one per tick
    s.captured("screenshot", 2)
    assert s.next_due() is None


def test_intervals_and_pending_files_block_until_finished():
    c = Clock()
    s = Schedule(60, 300, clock=c, rand=mid)
    s.start()
    s.captured("screenshot", 1)
    s.captured("blend", 2)
    c.t += 59
    assert s.next_due() is None
    c.t += 1
    assert s.next_due() is None  # the last screenshot is still pending
    s.finished("screenshot", 999)  # another marker: not ours
    assert s.next_due() is None
    s.finished("screenshot", 1)
    assert s.next_due() == "screenshot"
    s.captured("screenshot", 3)
    s.finished("blend", 2)
    c.t += 240
    assert s.next_due() == "blend"
    assert s.seconds_until("screenshot") == pytest.approx(0.0)


def test_pause_stops_automatic_captures_but_not_requests():
    c = Clock()
    s = Schedule(60, 300, clock=c, rand=mid)
    s.start()
    assert s.next_due(paused=True) is None
    s.request("blend")
    assert s.next_due(paused=True) == "blend"
    s.captured("blend", 1)
    assert s.next_due(paused=True) is None


def test_without_a_window_only_blend_copies_are_due():
    c = Clock()
    s = Schedule(60, 300, clock=c, rand=Rand(0.0))  # first blend at once
    s.start()
    s.request("screenshot")
    assert s.next_due(can_screenshot=False) == "blend"
    s.captured("blend", 1)
    assert s.next_due(can_screenshot=False) is None


def test_capture_failure_retries_after_the_interval_and_stop_resets():
    c = Clock()
    s = Schedule(30, 300, clock=c, rand=mid)
    s.start()
    s.capture_failed("screenshot")
    assert s.pending["screenshot"] is None
    assert s.seconds_until("screenshot") == pytest.approx(30)
    s.set_intervals(10, 300)  # a shorter interval takes effect now
    assert s.seconds_until("screenshot") == pytest.approx(10)
    s.set_intervals(1, 1)
    assert s.every == {"screenshot": 5.0, "blend": 5.0}  # floor
    s.stop()
    assert s.next_due() is None and not s.running


def test_digest_gate_skips_only_the_same_digest_as_the_last_sent():
    g = DigestGate()
    assert g.should_send("blend", "a")
    g.sent("blend", "a")
    assert not g.should_send("blend", "a")
    assert g.should_send("screenshot", "a")  # per kind
    assert g.should_send("blend", "b")
    assert g.skipped == {"screenshot": 0, "blend": 0}  # the Controller counts capture_skipped
    g.forget()
    assert g.should_send("blend", "a")


@pytest.mark.parametrize("text,expected", [
    ("10.0.0.5", ("10.0.0.5", 5570)), (" lab-pc:6000 ", ("lab-pc", 6000)),
    ("[::1]", ("::1", 5570)), ("[fe80::1]:7000", ("fe80::1", 7000)),
])
def test_parse_address(text, expected):
    assert parse_address(text) == expected


@pytest.mark.parametrize("text", ["", "  ", "host:0", "host:99999", "host:abc", "[::1]x",
                                  "two words"])
def test_parse_address_refuses_with_a_sentence(text):
    with pytest.raises(ValueError) as e:
        parse_address(text)
    assert str(e.value).endswith(".")


def test_chat_history_keeps_times_and_a_bounded_length():
    h = ChatHistory(limit=3)
    for i in range(5):
        h.add("m%d" % i, when=0)
    assert [t for _, t in h] == ["m2", "m3", "m4"]
    assert all(len(when) == 8 for when, _ in h)


# ---- jitter: seats that connected together drift apart ----

@pytest.mark.parametrize("every,r,due", [(300, 0.999, 29.97), (300, 0.0, 0.0), (10, 0.5, 5.0),
                                          (10, 0.999, 9.99)])
def test_first_blend_is_due_within_min_of_interval_and_30_s(every, r, due):
    c = Clock()
    s = Schedule(60, every, clock=c, rand=Rand(r))
    s.start()
    assert s.seconds_until("blend") == pytest.approx(due)
    assert s.next_due() == ("blend" if due == 0 else "screenshot")  # the screenshot at once
    s.captured("screenshot", 1)
    c.t += max(0.0, due - 0.01)
    assert s.next_due() == ("blend" if due == 0 else None)
    c.t += 0.02
    assert s.next_due() == "blend"


def test_manual_request_and_save_come_before_the_first_automatic_blend():
    c = Clock()
    s = Schedule(60, 300, clock=c, rand=Rand(0.9, 0.5))
    s.start()
    s.captured("screenshot", 1)
    assert s.next_due() is None and s.seconds_until("blend") == pytest.approx(27)
    s.request("blend")
    assert s.next_due() == "blend"  # immediate, not at 27 s
    s.captured("blend", 2)
    s.finished("blend", 2)
    assert s.seconds_until("blend") == pytest.approx(300)  # the manual copy counts as this period


@pytest.mark.parametrize("r,f", [(0.0, 0.9), (0.25, 0.95), (0.5, 1.0), (0.999999, 1.1)])
def test_next_capture_is_every_times_f_with_f_from_0_9_to_1_1(r, f):
    c = Clock()
    s = Schedule(60, 600, clock=c, rand=Rand(0.0, r, r))
    s.start()
    s.captured("screenshot", 1)
    s.captured("blend", 2)
    assert s.seconds_until("screenshot") == pytest.approx(60 * f, abs=1e-3)
    assert s.seconds_until("blend") == pytest.approx(600 * f, abs=1e-3)


def test_jitter_never_goes_under_the_minimum_interval():
    c = Clock()
    s = Schedule(1, 1, clock=c, rand=Rand(0.0, 0.0))
    s.start()
    s.captured("screenshot", 1)
    assert s.every["screenshot"] == MIN_INTERVAL_S
    assert s.seconds_until("screenshot") == pytest.approx(MIN_INTERVAL_S)  # not 4.5


def test_jitter_is_deterministic_with_a_seeded_source_and_spreads_a_class():
    import random

    def class_of(seed):
        firsts, gaps = [], []
        rng = random.Random(seed)
        for _ in range(30):
            c = Clock()
            s = Schedule(60, 300, clock=c, rand=rng.random)
            s.start()
            firsts.append(s.seconds_until("blend"))
            s.captured("blend", 1)
            gaps.append(s.seconds_until("blend"))
        return firsts, gaps

    firsts, gaps = class_of(7)
    assert (firsts, gaps) == class_of(7)
    assert all(0 <= t < 30 for t in firsts) and max(firsts) - min(firsts) > 15
    assert all(270 <= g <= 330 for g in gaps) and max(gaps) - min(gaps) > 20
    assert len({round(t, 6) for t in firsts}) == 30  # no two seats at the same moment


def test_gate_skips_a_blend_when_blenders_change_count_is_the_one_sent():
    """Blender 4+ writes different bytes for unchanged data, so the change count decides."""
    g = DigestGate()
    assert not g.unchanged("blend", 7)  # nothing sent yet
    g.sent("blend", "a" * 64, changes=7)
    assert g.unchanged("blend", 7) and g.skipped["blend"] == 1
    assert not g.unchanged("blend", 8)
    assert not g.unchanged("blend", None)  # unknown count (no Blender): the digest decides
    g.forget()  # another lecturer lacks the file
    assert not g.unchanged("blend", 7)
