"""Wire format of Pracownia protocol v1 and 1.1 (docs/PROTOCOL.md), as the student add-on uses it.

Kept apart from the socket code so that the exact bytes (topic, compact JSON header, body and
the optional HMAC frame) can be tested against tests/vectors/ without a network, and so the
add-on's UI can use the same login/chat rules the receiver enforces before anything is sent.
"""

import hashlib
import hmac
import json
import re
import struct
import unicodedata
import uuid

__all__ = [
    "PROTOCOL_VERSION", "TOPIC_PREFIX", "DEFAULT_PORT", "CHUNK_SIZE", "MAX_CHAT_BYTES",
    "MAX_HEADER_BYTES", "MAX_INFO_CHARS", "MAX_LOGIN_CHARS", "MAX_NAME_CHARS", "ADDON_VERSION",
    "KINDS", "HELLO", "HEARTBEAT", "CHAT", "HAND", "CHUNK", "BYE", "FILE_KINDS", "MAX_FILE_SIZE",
    "topic", "header_bytes", "mac", "encode", "validate_login", "validate_name", "info_text", "validate_chat",
    "validate_student_id", "REGISTER", "ACK", "READ", "ANSWER", "RETURN_KINDS", "WELCOME",
    "REPLY", "BROADCAST", "REQUEST", "RECEIPT", "LECTURER_KINDS", "ANSWER_STATUSES", "MAX_IDS",
    "MAX_ANSWER_CHARS", "return_endpoint", "validate_ids", "Ignored", "decode_lecturer",
]

PROTOCOL_VERSION = 1
TOPIC_PREFIX = b"pracownia/1/"
DEFAULT_PORT = 5570
CHUNK_SIZE = 1 << 20
MAX_CHAT_BYTES = 4096
MAX_HEADER_BYTES = 16 * 1024
MAX_INFO_CHARS = 256
MAX_LOGIN_CHARS = 64
MAX_NAME_CHARS = 255
ADDON_VERSION = "0.1.0"

HELLO, HEARTBEAT, CHAT, HAND, CHUNK, BYE = "hello", "heartbeat", "chat", "hand", "chunk", "bye"
KINDS = (HELLO, HEARTBEAT, CHAT, HAND, CHUNK, BYE)
FILE_KINDS = ("screenshot", "blend")

# Version 1.1, the return path: what the student sends on its DEALER, what the lecturer sends back.
REGISTER, ACK, READ, ANSWER = "register", "ack", "read", "answer"
RETURN_KINDS = (REGISTER, ACK, READ, ANSWER)
WELCOME, REPLY, BROADCAST, REQUEST, RECEIPT = "welcome", "reply", "broadcast", "request", "receipt"
LECTURER_KINDS = (WELCOME, REPLY, BROADCAST, REQUEST, HAND, RECEIPT)
ANSWER_STATUSES = ("capturing", "paused", "failed")
HAND_STATES = ("acknowledged", "lowered")
MAX_IDS = 256
MAX_ANSWER_CHARS = 256
_ALL_KINDS = frozenset(KINDS + RETURN_KINDS + LECTURER_KINDS)
# The receiver's default limits (too_large); a bigger file would only be refused after upload.
MAX_FILE_SIZE = {"screenshot": 64 << 20, "blend": 4 << 30}

# Windows counts the superscript digits as digits (COM¹ is a device too).
_RESERVED = frozenset(["con", "prn", "aux", "nul"]
                      + [p + d for p in ("com", "lpt") for d in "123456789\u00b9\u00b2\u00b3"])
_UUID_RE = re.compile(r"\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def topic(kind):
    """The topic frame for a message kind, e.g. b"pracownia/1/chat"."""
    if kind not in _ALL_KINDS:
        raise ValueError("unknown message kind %r" % (kind,))
    return TOPIC_PREFIX + kind.encode("ascii")


def header_bytes(header):
    """Compact UTF-8 JSON with sorted keys: the same dict always gives the same bytes."""
    return json.dumps(header, separators=(",", ":"), ensure_ascii=False, sort_keys=True,
                      allow_nan=False).encode("utf-8")


def mac(class_code, topic, header, body):
    """HMAC-SHA256 keyed with utf8(class_code) over the length-prefixed topic, header and body."""
    h = hmac.new(class_code.encode("utf-8"), digestmod=hashlib.sha256)
    for part in (topic, header, body):
        h.update(struct.pack(">I", len(part)))
        h.update(part)
    return h.digest()


def encode(kind, header, body=b"", class_code=None):
    """The frames of one message: [topic, header, body] plus the MAC when a class code is set."""
    t = topic(kind)
    h = header_bytes(header)
    if len(h) > MAX_HEADER_BYTES:
        raise ValueError("the message header is larger than 16 KiB")
    body = bytes(body)
    frames = [t, h, body]
    if class_code:
        frames.append(mac(class_code, t, h, body))
    return frames


def _has_control(text):
    return any(unicodedata.category(c) == "Cc" for c in text)


# Invisible or text-direction characters: a login holding one could pass for another student's,
# so the receiver refuses it (deceptive_login in docs/PROTOCOL.md).
_HIDDEN = ({0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2028, 0x2029, 0x3164, 0xFFA0, 0xFEFF}
           | set(range(0x180B, 0x1810)) | set(range(0x200B, 0x2010)) | set(range(0x202A, 0x202F))
           | set(range(0x2060, 0x2070)) | set(range(0xFFF9, 0xFFFC)) | set(range(0x1D173, 0x1D17B))
           | set(range(0xE0000, 0xE0080)))


def info_text(value):
    """An optional hello/heartbeat string as the receiver accepts it: one line, at most
    MAX_INFO_CHARS characters (a control character would get the whole message refused)."""
    return "".join(c for c in str(value) if unicodedata.category(c) != "Cc")[:MAX_INFO_CHARS]


def _is_reserved(text):
    """The receiver's rule (protocol/fields.rs, tests/vectors/reserved.json): the part before the
    first dot, trailing white space ignored (as Windows does: "CON .txt"), case-insensitive."""
    base = text.split(".")[0].rstrip()
    return base.lower() in _RESERVED and base[:3].isascii()


def validate_login(login):
    """None when the login is acceptable, else a plain sentence saying what is wrong."""
    if not isinstance(login, str) or login == "":
        return "Please type your login."
    if len(login) > MAX_LOGIN_CHARS:
        return "The login is too long: at most %d characters." % MAX_LOGIN_CHARS
    if _has_control(login):
        return "The login must not contain control characters such as a line break or a tab."
    if "/" in login or "\\" in login:
        return "The login must not contain a slash (/) or a backslash (\\)."
    if login != login.strip():
        return "The login must not start or end with a space."
    if login.strip(".") == "":
        return "The login must not consist only of dots."
    if _is_reserved(login):
        return "%r is a name reserved by Windows; please choose another login." % login
    if any(ord(c) in _HIDDEN for c in login):
        return "The login must not contain invisible or text-direction characters."
    return None


def validate_name(name):
    """None when a file name may be sent as a chunk's `name`, else a plain sentence."""
    if not isinstance(name, str) or name == "":
        return "The file name is empty."
    if len(name) > MAX_NAME_CHARS:
        return "The file name is too long: at most %d characters." % MAX_NAME_CHARS
    if _has_control(name):
        return "The file name must not contain control characters."
    if "/" in name or "\\" in name:
        return "The file name must not contain a slash (/) or a backslash (\\)."
    if name in (".", ".."):
        return "The file name must not be '.' or '..'."
    if _is_reserved(name):
        return "%r is a name reserved by Windows; please rename the file." % name
    return None


def validate_chat(text):
    """None when the text can be sent as a chat message, else a plain sentence."""
    if not isinstance(text, str) or text.strip() == "":
        return "The message is empty."
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        return "The message contains characters that cannot be sent."
    if size > MAX_CHAT_BYTES:
        return ("The message is too long: %d bytes, at most %d (letters such as ą or ż count as "
                "two)." % (size, MAX_CHAT_BYTES))
    return None


def validate_student_id(student_id):
    """The id in lowercase hyphenated form; ValueError unless it is a non-nil UUID."""
    if not isinstance(student_id, str) or not _UUID_RE.match(student_id):
        raise ValueError("The student id must be a UUID such as %s." % uuid.UUID(int=1))
    if int(student_id.replace("-", ""), 16) == 0:
        raise ValueError("The student id must not be the nil UUID.")
    return student_id.lower()


# ---- version 1.1: the return path ----

def return_endpoint(endpoint):
    """The lecturer's return port on the same host: the v1 port + 1; None when there is none."""
    head, sep, port = endpoint.rpartition(":")
    if not sep or not port.isdigit() or not head.startswith("tcp://") or int(port) >= 65535:
        return None
    return "%s:%d" % (head, int(port) + 1)


def _uuid_ok(value):
    return (isinstance(value, str) and bool(_UUID_RE.match(value))
            and int(value.replace("-", ""), 16) != 0)


def validate_ids(ids):
    """The ids as a list of lowercase UUIDs (any number; callers send them 256 at a time);
    ValueError with a sentence when one is not a message id."""
    out = []
    for i in ids:
        if not _uuid_ok(i):
            raise ValueError("%r is not a message id." % (i,))
        out.append(i.lower())
    return out


class Ignored(Exception):
    """A lecturer message the add-on ignores; str() is the reason (a version 1 refusal code where
    one fits, `not_for_us` for another student's message)."""


_LECTURER_REQUIRED = {WELCOME: ("protocol",), REPLY: ("id",), BROADCAST: ("id",),
                      REQUEST: ("id", "what"), HAND: ("id", "state"),
                      RECEIPT: ("stored", "read")}


def _int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def decode_lecturer(frames, student_id, class_code=None):
    """Check one lecturer message (frames without the ROUTER envelope) as docs/PROTOCOL.md 1.1
    says, in the version 1 order. Returns a dict: kind, seq, ts and, by kind, id, protocol, text
    (reply, broadcast), what (request), state (hand), stored and read (receipt). Raises Ignored.
    `student_id` is our own id in lowercase."""
    if len(frames) not in (3, 4):
        raise Ignored("frame_count")
    t, h, body = (bytes(f) for f in frames[:3])
    if not t.startswith(TOPIC_PREFIX) or len(t) == len(TOPIC_PREFIX) or not t.isascii():
        raise Ignored("bad_topic")
    kind = t[len(TOPIC_PREFIX):].decode("ascii")
    if kind not in LECTURER_KINDS:
        raise Ignored("unknown_kind")
    if len(h) > MAX_HEADER_BYTES:
        raise Ignored("header_too_large")
    if class_code:
        # Constant-time: a classmate must not learn the MAC byte by byte from timing.
        if len(frames) != 4 or len(frames[3]) != 32 or not hmac.compare_digest(
                mac(class_code, t, h, body), bytes(frames[3])):
            raise Ignored("bad_mac")
    try:
        header = json.loads(h.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError is a ValueError too
        raise Ignored("bad_json")
    if not isinstance(header, dict):
        raise Ignored("bad_json")
    required = ("student", "seq", "ts") + _LECTURER_REQUIRED[kind]
    if any(f not in header for f in required):
        raise Ignored("missing_field")
    uuids = [header["student"]] + ([header["id"]] if "id" in _LECTURER_REQUIRED[kind] else [])
    if kind == RECEIPT:
        for f in ("stored", "read"):
            if not isinstance(header[f], list) or len(header[f]) > MAX_IDS:
                raise Ignored("bad_field")
            uuids += header[f]
    if not all(_uuid_ok(u) for u in uuids):
        raise Ignored("bad_uuid")
    if header["student"].lower() != student_id:
        raise Ignored("not_for_us")
    if not (_int(header["seq"]) and header["seq"] >= 0 and _int(header["ts"])):
        raise Ignored("bad_field")
    out = {"kind": kind, "seq": header["seq"], "ts": header["ts"]}
    if "id" in _LECTURER_REQUIRED[kind]:
        out["id"] = header["id"].lower()
    if kind == WELCOME:
        if not isinstance(header["protocol"], str) or len(header["protocol"]) > MAX_INFO_CHARS:
            raise Ignored("bad_field")
        out["protocol"] = header["protocol"]
    elif kind == REQUEST:
        if header["what"] not in FILE_KINDS:
            raise Ignored("bad_field")
        out["what"] = header["what"]
    elif kind == HAND:
        if header["state"] not in HAND_STATES:
            raise Ignored("bad_field")
        out["state"] = header["state"]
    elif kind == RECEIPT:
        out["stored"] = [u.lower() for u in header["stored"]]
        out["read"] = [u.lower() for u in header["read"]]
    if kind in (REPLY, BROADCAST):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Ignored("bad_body")
        if not 1 <= len(body) <= MAX_CHAT_BYTES:
            raise Ignored("bad_body")
        out["text"] = text
    elif body:
        raise Ignored("bad_body")
    return out
