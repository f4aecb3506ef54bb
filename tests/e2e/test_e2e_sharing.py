"""A student who pauses sharing is shown as such: the add-on's Controller says so in its
heartbeats (at once when it changes), the real `pracownia serve` reports each change. On 127.0.0.1."""

import uuid

import pytest

from .e2e_support import COURIER_CONNECT_S, wait_for


def _lines(serve, text):
    return serve.stderr.count(text)


@pytest.mark.timeout_s(120)
@pytest.mark.parametrize("courier", [True, False], ids=["courier", "in-process"])
def test_pausing_and_resuming_reach_the_lecturer_within_a_moment(start_serve, courier):
    from pracownia_student.controller import Controller

    serve = start_serve()
    ctl = Controller(courier=courier)
    # Heartbeats every 60 s: only the heartbeat sent at once on a change can arrive in time.
    ctl.paused = True  # paused before connecting: the very first heartbeat says so
    ctl.connect("127.0.0.1:%d" % serve.port, "hania", str(uuid.uuid4()), screenshot_every_s=600,
                blend_every_s=600, heartbeat_every=60.0)
    assert ctl.fallback is None, ctl.fallback  # the courier (when asked for) really carries it
    try:
        wait_for(lambda: _lines(serve, "hania paused sharing") == 1, COURIER_CONNECT_S, "the first pause")
        ctl.paused = False
        wait_for(lambda: _lines(serve, "hania is sharing again") == 1, 3, "the resume at once")
        ctl.paused = True
        wait_for(lambda: _lines(serve, "hania paused sharing") == 2, 3, "the second pause at once")
        ctl.paused = True  # no change: nothing new
    finally:
        ctl.disconnect()
    wait_for(lambda: "hania left" in serve.stderr, 10, "the bye")
    assert _lines(serve, "hania paused sharing") == 2
    assert _lines(serve, "hania is sharing again") == 1
    serve.finish()


@pytest.mark.timeout_s(60)
def test_an_older_add_on_without_paused_is_never_shown_paused(start_serve, raw_student):
    """Heartbeats without `paused` (add-ons from before the field) change nothing; a malformed
    `paused` is refused as bad_field."""
    serve = start_serve()
    raw = raw_student(serve.endpoint, login="stary")
    raw.send("hello")
    raw.send("heartbeat")
    raw.send("heartbeat", file="a.blend")
    raw.send("heartbeat", paused="yes")
    wait_for(lambda: "bad_field" in serve.stderr, 10, "the malformed heartbeat refused")
    assert "stary joined" in serve.stderr
    assert "paused sharing" not in serve.stderr
    raw.send("heartbeat", paused=False)  # sharing, as assumed: nothing to report
    raw.send("heartbeat", paused=True)
    wait_for(lambda: "stary paused sharing" in serve.stderr, 10, "the pause")
    assert "sharing again" not in serve.stderr
    serve.finish()
