"""Scheduling, digest skip, the student id file and address parsing: pure Python, no Blender."""

import os

import pytest

import support  # noqa: F401  (the add-on on sys.path)
from pracownia_student import identity
from pracownia_student.controller import ChatHistory, parse_address
from pracownia_student.schedule import DigestGate, Schedule


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_first_captures_are_due_at_once_one_per_tick():
    c = Clock()
    s = Schedule(60, 300, clock=c)
    assert s.next_due() is None  # not started
    s.start()
    first = s.next_due()
    assert first in ("screenshot", "blend")
    s.captured(first, 1)
    second = s.next_due()
    assert second not in (None, first)
    s.captured(second, 2)
    assert s.next_due() is None


def test_intervals_and_pending_files_block_until_finished():
    c = Clock()
    s = Schedule(60, 300, clock=c)
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
    s = Schedule(60, 300, clock=c)
    s.start()
    assert s.next_due(paused=True) is None
    s.request("blend")
    assert s.next_due(paused=True) == "blend"
    s.captured("blend", 1)
    assert s.next_due(paused=True) is None


def test_without_a_window_only_blend_copies_are_due():
    c = Clock()
    s = Schedule(60, 300, clock=c)
    s.start()
    s.request("screenshot")
    assert s.next_due(can_screenshot=False) == "blend"
    s.captured("blend", 1)
    assert s.next_due(can_screenshot=False) is None


def test_capture_failure_retries_after_the_interval_and_stop_resets():
    c = Clock()
    s = Schedule(30, 300, clock=c)
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
    assert g.skipped == {"screenshot": 0, "blend": 1}
    g.forget()
    assert g.should_send("blend", "a")


def test_student_id_is_created_once_kept_and_reset(tmp_path):
    path = str(tmp_path / "cfg" / "pracownia" / "student_id")
    first = identity.load_or_create(path)
    assert len(first) == 36 and first == first.lower()
    assert identity.load_or_create(path) == first
    with open(path, "w") as f:
        f.write("not a uuid")
    repaired = identity.load_or_create(path)
    assert repaired != first and identity.load_or_create(path) == repaired
    new = identity.reset(path)
    assert new != repaired and identity.load_or_create(path) == new
    assert not os.path.exists(path + ".tmp")


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
