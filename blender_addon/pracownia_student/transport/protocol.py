"""Wire format of Pracownia protocol v1 (docs/PROTOCOL.md), as the student add-on sends it.

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
    "topic", "header_bytes", "mac", "encode", "validate_login", "validate_name", "validate_chat",
    "validate_student_id",
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
# The receiver's default limits (too_large); a bigger file would only be refused after upload.
MAX_FILE_SIZE = {"screenshot": 64 << 20, "blend": 4 << 30}

_RESERVED = frozenset(["con", "prn", "aux", "nul"] + ["com%d" % i for i in range(1, 10)]
                      + ["lpt%d" % i for i in range(1, 10)])
_UUID_RE = re.compile(r"\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def topic(kind):
    """The topic frame for a message kind, e.g. b"pracownia/1/chat"."""
    if kind not in KINDS:
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


def _is_reserved(text):
    # Windows ignores trailing white space in the device part ("CON .txt"), and so does the receiver.
    base = text.split(".")[0].rstrip()
    return base.isascii() and base.lower() in _RESERVED


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
