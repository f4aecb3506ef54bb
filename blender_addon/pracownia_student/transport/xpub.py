"""The XPUB socket's set-up, teardown and subscription frames, apart from the sender's logic.

Options and why: XPUB_NODROP so a full queue pushes back (EAGAIN) instead of dropping chunks;
IMMEDIATE so the pipe exists only while connected and a broken connection shows up as an
unsubscription; TCP keepalive and ZMTP heartbeats so a lecturer machine that vanished without
closing TCP is noticed; a small SNDHWM so heartbeats and chat are not stuck behind many chunks.
"""

import zmq

from .curve import apply_curve
from .protocol import TOPIC_PREFIX

__all__ = ["open_xpub", "close_xpub", "parse_subscription"]


def _opt(sock, name, value):
    if hasattr(zmq, name):  # older libzmq/pyzmq may lack an option; each is only a refinement
        try:
            sock.setsockopt(getattr(zmq, name), value)
        except zmq.ZMQError:
            pass


def open_xpub(endpoint, sndhwm, curve=None, before_connect=None):
    """(context, socket) connected to endpoint; ZMQError for an invalid endpoint. curve: the
    checked keys (curve.check_curve) of an encrypted class, or None. before_connect(sock): e.g.
    the handshake monitor, which must see the first attempt too."""
    ctx = zmq.Context()
    sock = ctx.socket(zmq.XPUB)
    try:
        sock.setsockopt(zmq.XPUB_NODROP, 1)
        sock.setsockopt(zmq.SNDHWM, sndhwm)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.IMMEDIATE, 1)
        sock.setsockopt(zmq.TCP_KEEPALIVE, 1)
        _opt(sock, "TCP_KEEPALIVE_IDLE", 30)
        _opt(sock, "TCP_KEEPALIVE_INTVL", 10)
        _opt(sock, "RECONNECT_IVL", 200)
        _opt(sock, "RECONNECT_IVL_MAX", 2000)
        _opt(sock, "IPV6", 1)
        _opt(sock, "HEARTBEAT_IVL", 5000)
        _opt(sock, "HEARTBEAT_TIMEOUT", 30000)
        apply_curve(sock, curve)
        if before_connect is not None:
            before_connect(sock)
        sock.connect(endpoint)
    except zmq.ZMQError:
        ctx.destroy(linger=0)  # every socket of this context, a handshake monitor's included
        raise
    return ctx, sock


def close_xpub(ctx, sock, linger_ms):
    """Close with a bounded linger, then end the context (bounded by that linger)."""
    try:
        sock.close(linger=max(0, int(linger_ms)))
    except zmq.ZMQError:
        pass
    ctx.term()


def parse_subscription(frame):
    """True/False for a (un)subscription that covers every pracownia/1/ topic, else None."""
    if not frame or frame[0] not in (0, 1) or not TOPIC_PREFIX.startswith(frame[1:]):
        return None
    return frame[0] == 1
