#!/usr/bin/env python3
"""Rebuild the Pracownia wire-protocol test vectors (docs/PROTOCOL.md).

Uses nothing but Python's standard library and deliberately shares no code with the add-on's
transport, so that the Rust receiver and the Python sender are both checked against an
independent reading of the protocol. Output is deterministic (fixed UUIDs, ts and seq, sorted
keys): running it twice gives identical files.

    python3 tests/vectors/generate.py [--out DIR]
"""

import argparse
import hashlib
import hmac
import json
import os
import struct
import uuid

PREFIX = "pracownia/1/"
STUDENT = str(uuid.UUID("3f2b8c1e-9a4d-4c6b-8e1f-2a7d5c9b0e14"))
STUDENT2 = str(uuid.UUID("a0c1d2e3-f405-4617-8829-3a4b5c6d7e8f"))
CHAT_ID = str(uuid.UUID("5d0e2a4c-7b1f-4e3a-9c8d-6f5a4b3c2d1e"))
CHAT_ID2 = str(uuid.UUID("c9e8d7f6-a5b4-4c3d-8e2f-1a0b9c8d7e6f"))
BOOT = str(uuid.UUID("0b1e2c3d-4f5a-4b6c-9d7e-8f9a0b1c2d3e"))
BOOT2 = str(uuid.UUID("e1d2c3b4-a5f6-4718-8a9b-0c1d2e3f4a5b"))
TRANSFER = str(uuid.UUID("7e6d5c4b-3a29-4817-9f6e-5d4c3b2a1908"))
LOGIN = "anna.kowalska"
TS0 = 1764061200000  # 2025-11-25T09:00:00Z
CODE = "Kod-ąę"
CODE_ASCII = "LAB-204"
WRONG_CODE = "Kod-ae"
MAX_HEADER = 16 * 1024
DATA_RULE = "byte[i] = (i * 31 + 7) % 251"


def data(size):
    """The file bytes used by every chunk vector: byte[i] = (i * 31 + 7) % 251 (period 251)."""
    period = bytes((i * 31 + 7) % 251 for i in range(251))
    reps = size // 251 + 1
    return (period * reps)[:size]


def header_bytes(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode("utf-8")


def mac(code, topic, header, body):
    msg = b"".join(struct.pack(">I", len(p)) + p for p in (topic, header, body))
    return hmac.new(code.encode("utf-8"), msg, hashlib.sha256).digest()


def frames(topic, header, body, code=None, mac_frame=None):
    """topic/header/body may be str/dict/bytes; a MAC frame is added when code is given."""
    t = topic.encode("utf-8") if isinstance(topic, str) else topic
    h = header_bytes(header) if isinstance(header, dict) else header
    out = [t, h, body]
    if mac_frame is not None:
        out.append(mac_frame)
    elif code is not None:
        out.append(mac(code, t, h, body))
    return out


class Seq:
    def __init__(self):
        self.n = 0

    def common(self, **extra):
        self.n += 1
        h = {"student": STUDENT, "login": LOGIN, "seq": self.n, "ts": TS0 + 250 * self.n}
        h.update(extra)
        return h


def chunk_header(seq, size, index, count, chunk_size, name="scena.blend", kind="blend"):
    return seq.common(transfer=TRANSFER, kind=kind, name=name, size=size,
                      sha256=hashlib.sha256(data(size)).hexdigest(),
                      offset=index * chunk_size, index=index, count=count)


def chunk_body(size, index, chunk_size):
    return data(size)[index * chunk_size:min(size, (index + 1) * chunk_size)]


def valid_messages():
    """(name, kind, header, body) for every kind; each becomes a case without and with a code."""
    s = Seq()
    polish = "Zażółć gęślą jaźń".encode("utf-8")
    out = [
        ("hello_minimal", "hello", s.common(), b""),
        ("hello_full", "hello", s.common(blender="3.6.5", addon="0.1.0", host="pc-lab-07"), b""),
        ("hello_uppercase_student", "hello", dict(s.common(), student=STUDENT.upper()), b""),
        ("hello_unknown_field_ignored", "hello", s.common(future={"x": [1, 2]}, theme="ciemny"), b""),
        ("hello_login_64_polish_chars", "hello", dict(s.common(), login="ż" * 64), b""),
        ("hello_strings_256_chars", "hello",
         s.common(blender="b" * 256, addon="ą" * 256, host="h" * 256), b""),
        ("heartbeat", "heartbeat", s.common(), b""),
        ("heartbeat_file", "heartbeat", s.common(file="scena_końcowa.blend"), b""),
        ("chat_polish", "chat", s.common(id=CHAT_ID), polish),
        ("chat_1_byte", "chat", s.common(id=CHAT_ID2), b"?"),
        ("chat_4096_bytes", "chat", s.common(id=CHAT_ID), "ż".encode("utf-8") * 2048),
        ("hand_raised", "hand", s.common(raised=True), b""),
        ("hand_lowered", "hand", s.common(raised=False), b""),
        ("chunk_first_of_3", "chunk", chunk_header(s, 2500, 0, 3, 1000), chunk_body(2500, 0, 1000)),
        ("chunk_last_of_3", "chunk", chunk_header(s, 2500, 2, 3, 1000), chunk_body(2500, 2, 1000)),
        ("chunk_single_screenshot", "chunk",
         chunk_header(s, 1, 0, 1, 1 << 20, name="zrzut ekranu 1.png", kind="screenshot"), data(1)),
        ("bye", "bye", s.common(), b""),
    ]
    # A header of exactly 16 KiB is still accepted.
    h = s.common(pad="")
    h["pad"] = "x" * (MAX_HEADER - len(header_bytes(h)))
    assert len(header_bytes(h)) == MAX_HEADER
    out.append(("heartbeat_header_exactly_16KiB", "heartbeat", h, b""))
    # Optional `paused` (added compatibly after 1.1; appended so the older vectors keep their seq).
    out.append(("heartbeat_paused", "heartbeat", s.common(file="scena_końcowa.blend", paused=True), b""))
    out.append(("heartbeat_sharing", "heartbeat", s.common(paused=False), b""))
    # Optional `boot` (replay refusal, "Freshness"; appended so the older vectors keep their seq).
    out.append(("hello_with_boot", "hello", s.common(boot=BOOT, host="lab-204-12"), b""))
    out.append(("hand_with_boot", "hand", s.common(boot=BOOT, raised=True), b""))
    return out


def build_frames():
    cases = []
    for code_name, code in (("", None), ("_code", CODE), ("_ascii_code", CODE_ASCII)):
        for name, kind, header, body in valid_messages():
            if code == CODE_ASCII and kind not in ("hello", "chat"):
                continue
            fr = frames(PREFIX + kind, header, body, code)
            cases.append({"name": name + code_name, "class_code": code,
                          "frames_hex": [f.hex() for f in fr], "topic": PREFIX + kind,
                          "header": header, "body_hex": body.hex()})
    # A receiver without a class code ignores a fourth frame (student typed a code nobody set).
    s = Seq()
    header = s.common(id=CHAT_ID)
    body = "Dzień dobry".encode("utf-8")
    fr = frames(PREFIX + "chat", header, body, CODE)
    cases.append({"name": "chat_mac_ignored_by_receiver_without_code", "class_code": None,
                  "sender_class_code": CODE, "frames_hex": [f.hex() for f in fr],
                  "topic": PREFIX + "chat", "header": header, "body_hex": body.hex()})
    return {"description": "Valid Pracownia v1 messages. frames_hex is exactly what a sender "
                           "with class_code (or sender_class_code, when present) puts on the wire; "
                           "a receiver configured with class_code must accept each one.",
            "cases": cases}


def build_invalid():
    cases = []
    s = Seq()

    def add(name, reason, fr, code=None):
        cases.append({"name": name, "class_code": code, "reason": reason,
                      "frames_hex": [f.hex() for f in fr]})

    def ok(kind, body=b"", code=None, **extra):
        return frames(PREFIX + kind, s.common(**extra), body, code)

    def without(kind, field, body=b"", code=None, **extra):
        h = s.common(**extra)
        del h[field]
        return frames(PREFIX + kind, h, body, code)

    def replaced(kind, body=b"", code=None, **fields):
        h = s.common()
        h.update(fields)
        return frames(PREFIX + kind, h, body, code)

    def chunk(code=None, body=None, drop=None, **fields):
        h = chunk_header(s, 2500, 1, 3, 1000)
        h.update(fields)
        if drop:
            del h[drop]
        return frames(PREFIX + "chunk", h, chunk_body(2500, 1, 1000) if body is None else body, code)

    # frame_count
    add("one_frame", "frame_count", ok("hello")[:1])
    add("two_frames", "frame_count", ok("hello")[:2])
    add("five_frames", "frame_count", ok("hello", code=CODE) + [b"extra"], CODE)
    add("five_frames_no_code", "frame_count", ok("hello") + [b"", b""])
    # bad_topic
    add("other_prefix", "bad_topic", frames("pracownik/1/chat", s.common(id=CHAT_ID), b"hej"))
    add("version_2", "bad_topic", frames("pracownia/2/chat", s.common(id=CHAT_ID), b"hej"))
    add("non_ascii_topic", "bad_topic", frames("pracownia/1/czat-ż", s.common(), b""))
    add("invalid_utf8_topic", "bad_topic", frames(b"pracownia/1/\xff", s.common(), b""))
    add("uppercase_prefix", "bad_topic", frames("Pracownia/1/hello", s.common(), b""))
    add("no_slash_after_version", "bad_topic", frames("pracownia/1", s.common(), b""))
    add("bad_topic_before_mac", "bad_topic", frames("pracownia/2/hello", s.common(), b""), CODE)
    # unknown_kind
    add("kind_video", "unknown_kind", frames(PREFIX + "video", s.common(), b""))
    add("kind_uppercase", "unknown_kind", frames(PREFIX + "CHAT", s.common(id=CHAT_ID), b"hej"))
    add("kind_with_suffix", "unknown_kind", frames(PREFIX + "chat/x", s.common(id=CHAT_ID), b"hej"))
    add("unknown_kind_before_mac", "unknown_kind", frames(PREFIX + "file", s.common(), b""), CODE)
    # header_too_large: 16 KiB + 1 byte
    h = s.common(pad="")
    h["pad"] = "x" * (MAX_HEADER + 1 - len(header_bytes(h)))
    big = header_bytes(h)
    assert len(big) == MAX_HEADER + 1
    add("header_16KiB_plus_1", "header_too_large", frames(PREFIX + "heartbeat", big, b""))
    add("header_too_large_before_mac", "header_too_large", frames(PREFIX + "heartbeat", big, b""), CODE)
    add("header_too_large_with_valid_mac", "header_too_large",
        frames(PREFIX + "heartbeat", big, b"", CODE), CODE)
    add("header_too_large_not_json", "header_too_large",
        frames(PREFIX + "hello", b"[" * (MAX_HEADER + 1), b""))
    # bad_mac
    add("mac_missing", "bad_mac", ok("hello"), CODE)
    m = ok("chat", b"hej", CODE, id=CHAT_ID)
    add("mac_31_bytes", "bad_mac", m[:3] + [m[3][:31]], CODE)
    add("mac_33_bytes", "bad_mac", m[:3] + [m[3] + b"\x00"], CODE)
    add("mac_wrong_key", "bad_mac", ok("chat", b"hej", WRONG_CODE, id=CHAT_ID), CODE)
    m = ok("chat", b"hej", CODE, id=CHAT_ID)
    add("mac_over_other_body", "bad_mac", m[:2] + [b"hey"] + m[3:], CODE)
    m = ok("hand", code=CODE, raised=True)
    add("mac_over_other_header", "bad_mac", [m[0], m[1].replace(b"true", b"false"), m[2], m[3]], CODE)
    add("mac_key_case_differs", "bad_mac", ok("hello", code=CODE.lower()), CODE)
    add("mac_checked_before_json", "bad_mac", frames(PREFIX + "hello", b"not json", b"", WRONG_CODE), CODE)
    # bad_json
    add("not_json", "bad_json", frames(PREFIX + "hello", b"hello", b""))
    add("json_array", "bad_json", frames(PREFIX + "hello", b'["student"]', b""))
    add("json_string", "bad_json", frames(PREFIX + "hello", b'"{}"', b""))
    add("invalid_utf8", "bad_json",
        frames(PREFIX + "hello", header_bytes(s.common()).replace(b"anna", b"ann\xff"), b""))
    add("empty_header", "bad_json", frames(PREFIX + "hello", b"", b""))
    add("trailing_garbage", "bad_json", frames(PREFIX + "hello", header_bytes(s.common()) + b"}", b""))
    add("bad_json_with_valid_mac", "bad_json", frames(PREFIX + "hello", b"{", b"", CODE), CODE)
    # missing_field (common fields first, in table order, then the kind's)
    add("no_student", "missing_field", without("hello", "student"))
    add("no_login", "missing_field", without("hello", "login"))
    add("no_seq", "missing_field", without("heartbeat", "seq"))
    add("no_ts", "missing_field", without("bye", "ts"))
    add("empty_object", "missing_field", frames(PREFIX + "hello", b"{}", b""))
    add("chat_without_id", "missing_field", frames(PREFIX + "chat", s.common(), b"hej"))
    add("hand_without_raised", "missing_field", frames(PREFIX + "hand", s.common(), b""))
    for f in ("transfer", "kind", "name", "size", "sha256", "offset", "index", "count"):
        add("chunk_without_" + f, "missing_field", chunk(drop=f))
    add("missing_before_bad_uuid", "missing_field", without("hello", "ts", student="nope"))
    add("missing_chunk_field_before_bad_login", "missing_field", chunk(drop="count", login="a/b"))
    add("missing_field_with_valid_mac", "missing_field", without("hello", "seq", code=CODE), CODE)
    # bad_uuid
    add("student_not_uuid", "bad_uuid", replaced("hello", student="anna"))
    add("student_nil", "bad_uuid", replaced("hello", student="00000000-0000-0000-0000-000000000000"))
    add("student_32_hex", "bad_uuid", replaced("hello", student=STUDENT.replace("-", "")))
    add("student_braced", "bad_uuid", replaced("hello", student="{" + STUDENT + "}"))
    add("student_urn", "bad_uuid", replaced("hello", student="urn:uuid:" + STUDENT))
    add("student_hyphens_misplaced", "bad_uuid",
        replaced("hello", student="3f2b8c1e9-a4d-4c6b-8e1f-2a7d5c9b0e14"))
    add("student_non_hex", "bad_uuid", replaced("hello", student="3f2b8c1e-9a4d-4c6b-8e1f-2a7d5c9b0e1g"))
    add("student_number", "bad_uuid", replaced("hello", student=42))
    add("chat_id_bad", "bad_uuid", replaced("chat", b"hej", id="msg-1"))
    add("chat_id_nil", "bad_uuid", replaced("chat", b"hej", id="00000000-0000-0000-0000-000000000000"))
    add("transfer_bad", "bad_uuid", chunk(transfer=TRANSFER[:-1]))
    add("bad_uuid_before_bad_login", "bad_uuid", replaced("hello", student="x", login="../x"))
    # bad_login
    for nm, login in (("dotdot_path", "../../etc"), ("slash", "a/b"), ("backslash", "a\\b"),
                      ("con", "CON"), ("nul_txt", "nul.txt"), ("lpt9", "lpt9"), ("com1_ext", "Com1.tar.gz"),
                      ("aux", "aux"), ("prn", "prn"), ("nul_char", "an\x00na"), ("newline", "an\nna"),
                      ("tab", "an\tna"), ("del_char", "anna\x7f"), ("c1_control", "anna\x85"),
                      ("65_chars", "a" * 65), ("65_polish_chars", "ż" * 65), ("empty", ""),
                      ("leading_space", " anna"), ("trailing_space", "anna "),
                      ("trailing_nbsp", "anna\u00a0"), ("only_dots", "..."), ("single_dot", "."),
                      ("not_string", 7), ("null", None)):
        add("login_" + nm, "bad_login", replaced("hello", login=login))
    add("bad_login_before_bad_name", "bad_login", chunk(login="CON", name="../x"))
    add("bad_login_before_deceptive_login", "bad_login", replaced("hello", login="a/\u200bb"))
    # deceptive_login: passes bad_login's rules, but holds an invisible or text-direction character
    for nm, login in (("rlo", "abc\u202egpj.exe"), ("zero_width_space", "an\u200bna"),
                      ("zwj", "an\u200dna"), ("bom", "\ufeffanna"), ("tag", "anna\U000e0041"),
                      ("line_separator", "an\u2028na"), ("isolate", "\u2066anna\u2069"),
                      ("soft_hyphen", "an\u00adna")):
        add("login_" + nm, "deceptive_login", replaced("hello", login=login))
    add("deceptive_login_before_bad_name", "deceptive_login", chunk(login="an\u200bna", name="../x"))
    # bad_name
    for nm, name in (("dotdot_path", "../x.blend"), ("absolute", "/etc/passwd"), ("windows_path", "C:\\x"),
                     ("nul_char", "a\x00.blend"), ("newline", "a\n.png"), ("dot", "."), ("dotdot", ".."),
                     ("aux_png", "aux.png"), ("com9", "COM9"), ("256_chars", "a" * 252 + ".png"),
                     ("empty", ""), ("not_string", 5)):
        add("name_" + nm, "bad_name", chunk(name=name))
    add("bad_name_before_bad_field", "bad_name", chunk(name="a/b", sha256="zz"))
    # bad_field
    add("seq_negative", "bad_field", replaced("hello", seq=-1))
    add("seq_string", "bad_field", replaced("hello", seq="1"))
    add("seq_float", "bad_field", replaced("hello", seq=1.0))
    add("seq_bool", "bad_field", replaced("hello", seq=True))
    add("ts_float", "bad_field", replaced("heartbeat", ts=1.5))
    add("ts_string", "bad_field", replaced("heartbeat", ts="1764061200000"))
    add("chunk_kind_video", "bad_field", chunk(kind="video"))
    add("sha256_63_chars", "bad_field", chunk(sha256="a" * 63))
    add("sha256_65_chars", "bad_field", chunk(sha256="a" * 65))
    add("sha256_non_hex", "bad_field", chunk(sha256="g" * 64))
    add("size_string", "bad_field", chunk(size="2500"))
    add("size_negative", "bad_field", chunk(size=-1))
    add("offset_negative", "bad_field", chunk(offset=-1000))
    add("index_float", "bad_field", chunk(index=1.5))
    add("count_null", "bad_field", chunk(count=None))
    add("hand_raised_string", "bad_field", replaced("hand", raised="yes"))
    add("hand_raised_number", "bad_field", replaced("hand", raised=1))
    add("hello_blender_300_chars", "bad_field", replaced("hello", blender="3" * 300))
    add("hello_host_number", "bad_field", replaced("hello", host=7))
    add("heartbeat_file_257_chars", "bad_field", replaced("heartbeat", file="f" * 253 + ".blend"))
    add("hello_host_escape", "bad_field", replaced("hello", host="pc\x1b]0;pwned\x07"))
    add("hello_blender_newline", "bad_field", replaced("hello", blender="4.2\nforged"))
    add("heartbeat_file_cr", "bad_field", replaced("heartbeat", file="a\r.blend"))
    add("bad_field_before_bad_body", "bad_field", replaced("hand", b"x", raised="yes"))
    add("bad_field_before_bad_chunk", "bad_field", chunk(sha256="x", size=0))
    # bad_body
    add("hello_with_body", "bad_body", ok("hello", b"x"))
    add("heartbeat_with_body", "bad_body", ok("heartbeat", b"\x00"))
    add("hand_with_body", "bad_body", ok("hand", b"up", raised=True))
    add("bye_with_body", "bad_body", ok("bye", b"bye"))
    add("chat_empty", "bad_body", ok("chat", b"", id=CHAT_ID))
    add("chat_4097_bytes", "bad_body", ok("chat", b"a" + "ż".encode("utf-8") * 2048, id=CHAT_ID))
    add("chat_invalid_utf8", "bad_body", ok("chat", b"za\xbf\xf3\xb3\xe6", id=CHAT_ID))
    add("chat_truncated_utf8", "bad_body", ok("chat", "ż".encode("utf-8")[:1], id=CHAT_ID))
    add("bad_body_with_valid_mac", "bad_body", ok("bye", b"x", CODE), CODE)
    # bad_chunk
    add("chunk_size_0", "bad_chunk", chunk(size=0))
    add("chunk_count_0", "bad_chunk", chunk(count=0))
    add("chunk_index_equals_count", "bad_chunk", chunk(index=3))
    add("chunk_index_over_count", "bad_chunk", chunk(index=9))
    add("chunk_empty_body", "bad_chunk", chunk(body=b""))
    add("chunk_past_size", "bad_chunk", chunk(offset=2000, body=data(1000)))
    add("chunk_offset_at_size", "bad_chunk", chunk(offset=2500, body=b"x"))
    add("chunk_bad_with_valid_mac", "bad_chunk", chunk(code=CODE, count=0), CODE)
    # The optional heartbeat `paused`, when present, is a boolean (appended: older cases keep their seq).
    add("heartbeat_paused_string", "bad_field", replaced("heartbeat", paused="yes"))
    add("heartbeat_paused_null", "bad_field", replaced("heartbeat", paused=None))
    # The optional `boot`, when present, is a UUID like the other ids (appended as above).
    add("hello_boot_not_uuid", "bad_uuid", replaced("hello", boot="1"))
    add("hello_boot_nil", "bad_uuid", replaced("hello", boot="00000000-0000-0000-0000-000000000000"))
    add("hello_boot_number", "bad_uuid", replaced("hello", boot=7))

    codes = ["frame_count", "bad_topic", "unknown_kind", "header_too_large", "bad_mac", "bad_json",
             "missing_field", "bad_uuid", "bad_login", "deceptive_login", "bad_name", "bad_field", "bad_body",
             "bad_chunk"]
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    return {"description": "Hostile messages and the refusal code a receiver configured with "
                           "class_code must give, following the check order of docs/PROTOCOL.md.",
            "codes": codes, "cases": cases}


def build_chunks():
    cases = []
    mib = 1 << 20
    for name, size, cs in (("size_1", 1, mib), ("size_equals_chunk_size", mib, mib),
                           ("chunk_size_plus_1", mib + 1, mib), ("three_and_a_half", 3 * mib + mib // 2, mib),
                           ("ten_chunks_exactly", 10 * mib, mib), ("odd_12345_by_1000", 12345, 1000),
                           ("odd_50_by_7", 50, 7), ("one_byte_short", 4095, 4096),
                           ("prime_sizes", 1000003, 65537), ("chunk_size_1", 5, 1)):
        count = -(-size // cs)
        cases.append({"name": name, "size": size, "chunk_size": cs, "count": count,
                      "sha256": hashlib.sha256(data(size)).hexdigest(),
                      "chunks": [{"index": i, "offset": i * cs, "len": min(cs, size - i * cs)}
                                 for i in range(count)]})
    return {"data": "The file's bytes are " + DATA_RULE + " for 0 <= i < size.", "cases": cases}


# Protocol 1.1, the return path (docs/PROTOCOL.md, "Version 1.1").
REPLY_ID = str(uuid.UUID("1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7081"))
BROADCAST_ID = str(uuid.UUID("2c3d4e5f-6071-4829-8b3c-4d5e6f708192"))
REQUEST_ID = str(uuid.UUID("3d4e5f60-7182-493a-9c4d-5e6f708192a3"))
HAND_ID = str(uuid.UUID("4e5f6071-8293-4a4b-8d5e-6f708192a3b4"))
LECTURER_TS0 = TS0 + 60000


def student_return_messages():
    """(name, kind, header) of student -> lecturer return-path messages (bodies are empty)."""
    s = Seq()
    return [
        ("register_minimal", "register", s.common()),
        ("register_addon", "register", s.common(addon="0.2.0")),
        ("ack_one", "ack", s.common(ids=[REPLY_ID])),
        ("ack_four", "ack", s.common(ids=[REPLY_ID, BROADCAST_ID, REQUEST_ID, HAND_ID])),
        ("ack_256_ids", "ack", s.common(ids=[REPLY_ID] * 256)),
        ("read_one", "read", s.common(ids=[BROADCAST_ID])),
        ("answer_capturing", "answer", s.common(id=REQUEST_ID, status="capturing")),
        ("answer_paused", "answer", s.common(id=REQUEST_ID, status="paused")),
        ("answer_failed_text", "answer", s.common(id=REQUEST_ID, status="failed", text="Brak okna 3D")),
    ]


def lecturer_messages():
    """(name, kind, header, body) of lecturer -> student messages."""
    n = [0]

    def h(**extra):
        n[0] += 1
        out = {"student": STUDENT, "seq": n[0], "ts": LECTURER_TS0 + 250 * n[0]}
        out.update(extra)
        return out

    return [
        ("welcome", "welcome", h(protocol="1.1"), b""),
        ("reply_polish", "reply", h(id=REPLY_ID), "Proszę zapisać plik, zaraz podejdę.".encode("utf-8")),
        ("reply_4096_bytes", "reply", h(id=REPLY_ID), "ż".encode("utf-8") * 2048),
        ("broadcast", "broadcast", h(id=BROADCAST_ID), "Przerwa do 10:15.".encode("utf-8")),
        ("request_screenshot", "request", h(id=REQUEST_ID, what="screenshot"), b""),
        ("request_blend", "request", h(id=REQUEST_ID, what="blend"), b""),
        ("hand_acknowledged", "hand", h(id=HAND_ID, state="acknowledged"), b""),
        ("hand_lowered", "hand", h(id=HAND_ID, state="lowered"), b""),
        ("receipt_stored", "receipt", h(stored=[CHAT_ID], read=[]), b""),
        ("receipt_both", "receipt", h(stored=[CHAT_ID, CHAT_ID2], read=[CHAT_ID]), b""),
        ("receipt_empty", "receipt", h(stored=[], read=[]), b""),
    ]


def build_return():
    def case(name, kind, header, body, code):
        fr = frames(PREFIX + kind, header, body, code)
        return {"name": name, "class_code": code, "frames_hex": [f.hex() for f in fr],
                "topic": PREFIX + kind, "header": header, "body_hex": body.hex()}

    student, lecturer = [], []
    for suffix, code in (("", None), ("_code", CODE)):
        for name, kind, header in student_return_messages():
            student.append(case(name + suffix, kind, header, b"", code))
        for name, kind, header, body in lecturer_messages():
            lecturer.append(case(name + suffix, kind, header, body, code))

    invalid = []
    s = Seq()

    def add(name, reason, fr, code=None, direction="student"):
        invalid.append({"name": name, "direction": direction, "class_code": code, "reason": reason,
                        "frames_hex": [f.hex() for f in fr]})

    def st(kind, body=b"", code=None, **extra):
        return frames(PREFIX + kind, s.common(**extra), body, code)

    add("register_unsigned_with_code", "bad_mac", st("register"), CODE)
    add("register_wrong_code", "bad_mac", st("register", code=WRONG_CODE), CODE)
    add("ack_unsigned_with_code", "bad_mac", st("ack", ids=[REPLY_ID]), CODE)
    add("register_unknown_kind", "unknown_kind", st("welcome"))
    add("ack_missing_ids", "missing_field", st("ack"))
    add("answer_missing_status", "missing_field", st("answer", id=REQUEST_ID))
    add("ack_bad_uuid_element", "bad_uuid", st("ack", ids=[REPLY_ID, "nie-uuid"]))
    add("ack_nil_uuid_element", "bad_uuid", st("ack", ids=["00000000-0000-0000-0000-000000000000"]))
    add("answer_bad_id", "bad_uuid", st("answer", id="x", status="paused"))
    add("ack_empty_ids", "bad_field", st("ack", ids=[]))
    add("ack_257_ids", "bad_field", st("ack", ids=[REPLY_ID] * 257))
    add("read_ids_not_array", "bad_field", st("read", ids=REPLY_ID))
    add("answer_unknown_status", "bad_field", st("answer", id=REQUEST_ID, status="done"))
    add("answer_text_257_chars", "bad_field", st("answer", id=REQUEST_ID, status="failed", text="t" * 257))
    add("register_addon_257_chars", "bad_field", st("register", addon="a" * 257))
    add("register_with_body", "bad_body", st("register", body=b"x"))
    add("register_bad_login", "bad_login", st("register", login="a/b"))

    n = [100]

    def lec(kind, body=b"", code=None, **extra):
        n[0] += 1
        h = {"student": STUDENT, "seq": n[0], "ts": LECTURER_TS0 + n[0]}
        h.update(extra)
        return frames(PREFIX + kind, h, body, code)

    add("reply_unsigned_with_code", "bad_mac", lec("reply", b"hej", id=REPLY_ID), CODE, "lecturer")
    add("reply_empty_body", "bad_body", lec("reply", b"", id=REPLY_ID), None, "lecturer")
    add("reply_4097_bytes", "bad_body", lec("reply", b"x" * 4097, id=REPLY_ID), None, "lecturer")
    add("request_unknown_what", "bad_field", lec("request", what="video", id=REQUEST_ID), None, "lecturer")
    add("hand_unknown_state", "bad_field", lec("hand", state="raised", id=HAND_ID), None, "lecturer")
    add("receipt_missing_read", "missing_field", lec("receipt", stored=[]), None, "lecturer")
    add("lecturer_unknown_kind", "unknown_kind", lec("chat", id=REPLY_ID), None, "lecturer")

    names = [c["name"] for c in student + lecturer + invalid]
    assert len(names) == len(set(names)), "duplicate case names"
    return {"description": "Protocol 1.1 return-path messages. student_to_lecturer and "
                           "lecturer_to_student hold valid frames exactly as a sender with class_code "
                           "puts them on the wire (without the ROUTER's routing-id frame); invalid "
                           "holds messages a receiver (direction student) or an add-on (direction "
                           "lecturer) configured with class_code must refuse for reason. The "
                           "'unregistered' refusal depends on the connection, so it has no vector.",
            "student_to_lecturer": student, "lecturer_to_student": lecturer, "invalid": invalid}


def build_freshness():
    """Steps one receiver sees in order, and whether each is accepted or refused as `replay`."""
    steps = []

    def step(note, boot, seq, expect, route="v1", kind="heartbeat", student=STUDENT):
        steps.append({"note": note, "student": student, "boot": boot, "route": route, "kind": kind,
                      "seq": seq, "expect": expect})

    step("first message of a process", BOOT, 0, "accept", kind="hello")
    step("seq grows", BOOT, 1, "accept")
    step("the same seq again", BOOT, 1, "replay")
    step("an older seq", BOOT, 0, "replay", kind="hello")
    step("the return path counts apart", BOOT, 1, "accept", route="return", kind="register")
    step("seq may skip", BOOT, 9, "accept")
    step("another student's numbers are theirs", BOOT, 0, "accept", student=STUDENT2)
    step("no boot: not checked", None, 1, "accept")
    step("no boot again: not checked", None, 1, "accept")
    step("bye ends the process", BOOT, 10, "accept", kind="bye")
    step("an ended process stays ended", BOOT, 11, "replay")
    step("an ended process on the return path too", BOOT, 2, "replay", route="return", kind="register")
    step("Blender restarted: a new boot starts again", BOOT2, 0, "accept", kind="hello")
    step("the new process goes on", BOOT2, 1, "accept")
    return {"description": "Replay refusal (docs/PROTOCOL.md, Freshness): per student id, each `boot` "
                           "(sender process) must send increasing seq per route (v1 or return); a "
                           "boot that sent bye is ended; messages without boot are not checked.",
            "steps": steps}


def write(path, obj):
    text = json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    write(os.path.join(args.out, "frames.json"), build_frames())
    write(os.path.join(args.out, "invalid.json"), build_invalid())
    write(os.path.join(args.out, "chunks.json"), build_chunks())
    write(os.path.join(args.out, "return.json"), build_return())
    write(os.path.join(args.out, "freshness.json"), build_freshness())


if __name__ == "__main__":
    main()
