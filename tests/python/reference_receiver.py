"""A deliberately plain, test-only reading of the receiver's message checks (docs/PROTOCOL.md).

It exists to check the vectors themselves: every case in invalid.json must fail exactly at the
check its `reason` names (and not earlier), and every case in frames.json must pass. It is the
executable form of the check order, not production code.
"""

import hashlib
import hmac
import json
import re
import struct
import unicodedata

KINDS = ("hello", "heartbeat", "chat", "hand", "chunk", "bye")
REQUIRED = {"hello": (), "heartbeat": (), "chat": ("id",), "hand": ("raised",),
            "chunk": ("transfer", "kind", "name", "size", "sha256", "offset", "index", "count"),
            "bye": ()}
UUID_RE = re.compile(r"\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
HEX64 = re.compile(r"\A[0-9a-fA-F]{64}\Z")
RESERVED = {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)} | {f"lpt{i}" for i in range(1, 10)}


class Refused(Exception):
    pass


def _uuid_ok(v):
    return isinstance(v, str) and bool(UUID_RE.match(v)) and v.replace("-", "").strip("0") != ""


def _reserved(s):
    base = s.split(".")[0]
    return base.isascii() and base.lower() in RESERVED


def _common_name_ok(s, max_len):
    return (isinstance(s, str) and 1 <= len(s) <= max_len
            and not any(unicodedata.category(c) == "Cc" for c in s)
            and "/" not in s and "\\" not in s and not _reserved(s))


def login_ok(s):
    return (_common_name_ok(s, 64) and s == s.strip() and s.strip(".") != "")


# Invisible or text-direction characters (docs/PROTOCOL.md, deceptive_login).
HIDDEN = ({0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2028, 0x2029, 0x3164, 0xFFA0, 0xFEFF}
          | set(range(0x180B, 0x1810)) | set(range(0x200B, 0x2010)) | set(range(0x202A, 0x202F))
          | set(range(0x2060, 0x2070)) | set(range(0xFFF9, 0xFFFC)) | set(range(0x1D173, 0x1D17B))
          | set(range(0xE0000, 0xE0080)))


def login_deceptive(s):
    return any(ord(c) in HIDDEN for c in s)


def name_ok(s):
    return _common_name_ok(s, 255) and s not in (".", "..")


def _int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check(frames, class_code=None, max_header=16 * 1024):
    """Return None when accepted, else the refusal code."""
    try:
        _check(frames, class_code, max_header)
    except Refused as e:
        return str(e)
    return None


def _check(frames, class_code, max_header):
    if len(frames) not in (3, 4):
        raise Refused("frame_count")
    topic, header, body = frames[:3]
    if not topic.isascii() or not topic.startswith(b"pracownia/1/") or len(topic) == len(b"pracownia/1/"):
        raise Refused("bad_topic")
    kind = topic[len(b"pracownia/1/"):].decode()
    if kind not in KINDS:
        raise Refused("unknown_kind")
    if len(header) > max_header:
        raise Refused("header_too_large")
    if class_code is not None:
        if len(frames) != 4 or len(frames[3]) != 32:
            raise Refused("bad_mac")
        msg = b"".join(struct.pack(">I", len(p)) + p for p in (topic, header, body))
        want = hmac.new(class_code.encode(), msg, hashlib.sha256).digest()
        if not hmac.compare_digest(want, frames[3]):
            raise Refused("bad_mac")
    try:
        h = json.loads(header.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refused("bad_json")
    if not isinstance(h, dict):
        raise Refused("bad_json")
    for f in ("student", "login", "seq", "ts") + REQUIRED[kind]:
        if f not in h:
            raise Refused("missing_field")
    for f in ("student", "id", "transfer"):
        if (f == "student" or f in REQUIRED[kind]) and not _uuid_ok(h[f]):
            raise Refused("bad_uuid")
    if h.get("boot") is not None and not _uuid_ok(h["boot"]):  # optional (Freshness)
        raise Refused("bad_uuid")
    if not login_ok(h["login"]):
        raise Refused("bad_login")
    if login_deceptive(h["login"]):
        raise Refused("deceptive_login")
    if kind == "chunk" and not name_ok(h["name"]):
        raise Refused("bad_name")
    bad = not (_int(h["seq"]) and h["seq"] >= 0 and _int(h["ts"]))
    opt = {"hello": ("blender", "addon", "host"), "heartbeat": ("file",)}.get(kind, ())
    for f in opt:
        if f in h and not (isinstance(h[f], str) and len(h[f]) <= 256
                           and not any(unicodedata.category(c) == "Cc" for c in h[f])):
            bad = True
    if kind == "hand" and not isinstance(h["raised"], bool):
        bad = True
    if kind == "heartbeat" and "paused" in h and not isinstance(h["paused"], bool):
        bad = True
    if kind == "chunk":
        bad = bad or h["kind"] not in ("screenshot", "blend") or not (
            isinstance(h["sha256"], str) and HEX64.match(h["sha256"]))
        bad = bad or not all(_int(h[f]) and h[f] >= 0 for f in ("size", "offset", "index", "count"))
    if bad:
        raise Refused("bad_field")
    if kind in ("hello", "heartbeat", "hand", "bye") and body:
        raise Refused("bad_body")
    if kind == "chat":
        if not 1 <= len(body) <= 4096:
            raise Refused("bad_body")
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("bad_body")
    if kind == "chunk":
        if (h["size"] == 0 or h["count"] == 0 or h["index"] >= h["count"] or not body
                or h["offset"] + len(body) > h["size"]):
            raise Refused("bad_chunk")
