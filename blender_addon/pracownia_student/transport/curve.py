"""CurveZMQ for an encrypted class: the student's sockets are CURVE clients of the lecturer.

Both sockets (the v1 XPUB and the 1.1 DEALER) get the lecturer's public key (from the join
string) and the student's own pair (keys.py), before they connect: a wrong server key or an
unencrypted lecturer then fails the handshake and nothing is ever sent in clear. Keys travel as
Z85 text (40 characters; what zmq.curve_keypair() makes and the courier's JSON pipe carries).
"""

import zmq
from zmq.utils import z85 as _z85

__all__ = ["NO_CURVE", "HANDSHAKE_RESULTS", "HandshakeWatch", "check_curve", "apply_curve", "z85"]

# HandshakeWatch.result after a failure (controller.py has the sentences the student reads):
# a CURVE client's wrong_key, not_encrypted or refused; a plain client's encrypted_class.
HANDSHAKE_RESULTS = ("wrong_key", "not_encrypted", "refused", "encrypted_class")
_MECHANISM_MISMATCH = 0x11000002  # ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH (libzmq 4.3)

NO_CURVE = ("This class is encrypted, but the pyzmq in this Blender cannot encrypt (it was built "
            "without CURVE). Install pyzmq again from the Pracownia panel or ask the lecturer.")


def z85(key):
    """A 32-byte key as Z85 text; Z85 text (str or bytes) is checked and returned as str."""
    if isinstance(key, str):
        key = key.encode("ascii")
    if len(key) == 32:
        return _z85.encode(key).decode("ascii")
    if len(key) == 40:
        try:
            if len(_z85.decode(key)) == 32:
                return key.decode("ascii")
        except Exception:  # a character outside Z85, or a group over 2**32
            pass
    raise ValueError("A CURVE key must be 32 bytes or 40 characters of Z85.")


def check_curve(curve):
    """None, or {"server", "public", "secret"} as Z85 text; ValueError with a sentence when this
    pyzmq has no CURVE or a key is malformed."""
    if not curve:
        return None
    if not zmq.has("curve"):
        raise ValueError(NO_CURVE)
    try:
        return {k: z85(curve[k]) for k in ("server", "public", "secret")}
    except (KeyError, TypeError, UnicodeEncodeError):
        raise ValueError("A CURVE key must be 32 bytes or 40 characters of Z85.") from None


def apply_curve(sock, curve):
    """Make sock a CURVE client (before connect); nothing for None."""
    if not curve:
        return
    sock.setsockopt(zmq.CURVE_SERVERKEY, curve["server"].encode("ascii"))
    sock.setsockopt(zmq.CURVE_PUBLICKEY, curve["public"].encode("ascii"))
    sock.setsockopt(zmq.CURVE_SECRETKEY, curve["secret"].encode("ascii"))


class HandshakeWatch:
    """A monitor of the student's socket: what its last handshake did. `result` is None (none
    finished yet), "ok", or one of HANDSHAKE_RESULTS. A failed handshake is otherwise
    silent (libzmq retries), so this is how the student learns why nothing connects: with keys,
    why the lecturer did not take them; without (an address typed by hand, an older join text),
    that the class is encrypted. Used by the sender thread only; None from watch() when this
    libzmq has no handshake events."""

    def __init__(self, sock, mon, curve):
        self.sock, self.mon, self.curve = sock, mon, curve
        self.result = None

    @classmethod
    def watch(cls, sock, curve=True):
        names = ("EVENT_HANDSHAKE_SUCCEEDED", "EVENT_HANDSHAKE_FAILED_NO_DETAIL",
                 "EVENT_HANDSHAKE_FAILED_PROTOCOL", "EVENT_HANDSHAKE_FAILED_AUTH")
        if not all(hasattr(zmq, n) for n in names):  # libzmq before 4.3
            return None
        mask = 0
        for n in names:
            mask |= int(getattr(zmq, n))
        try:
            return cls(sock, sock.get_monitor_socket(mask), curve)
        except zmq.ZMQError:
            return None

    def read(self):
        """Take the events waiting (NOBLOCK); returns result."""
        from zmq.utils.monitor import parse_monitor_message

        while True:
            try:
                frames = self.mon.recv_multipart(zmq.NOBLOCK)
            except zmq.ZMQError:  # Again: nothing more (or the monitor is gone)
                return self.result
            try:
                msg = parse_monitor_message(frames)
                event, value = msg["event"], int(msg["value"])
            except Exception:  # not a monitor message we understand: ignore it
                continue
            mismatch = (event == zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
                        and value == _MECHANISM_MISMATCH)
            if event == zmq.EVENT_HANDSHAKE_SUCCEEDED:
                self.result = "ok"
            elif not self.curve:
                if mismatch:  # we speak plain, the lecturer CURVE
                    self.result = "encrypted_class"
            elif mismatch:
                self.result = "not_encrypted"  # we speak CURVE, the lecturer plain
            elif event == zmq.EVENT_HANDSHAKE_FAILED_AUTH:
                self.result = "refused"        # the lecturer's ZAP handler said no
            elif event in (zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL,
                           zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL):
                self.result = "wrong_key"      # the lecturer could not read our HELLO

    def close(self):
        try:
            self.sock.disable_monitor()
        except zmq.ZMQError:
            pass
        self.mon.close(linger=0)
