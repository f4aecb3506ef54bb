"""The pipe between Blender and its courier process (bpy-free, stdlib only): JSON lines.

Blender writes commands to the courier's stdin, one JSON object a line: {"cmd": name, ...}.
The courier writes to its stdout {"ev": name, ...}. Both sides check every line against the
tables below, so a mistake on either side is one sentence in the panel, never a traceback.
Fields not in a table are ignored (a newer add-on may add some); a missing or mistyped field is
refused. Lines are ASCII (ensure_ascii), so neither side depends on the console's encoding.

Commands (Blender -> courier):
  connect     start the Session (hashing thread + Sender) for one lecturer; `last` holds the
              digests of the last files that lecturer got ({kind: sha256 or null}), `spool` the
              folder Blender writes its captures into, `sender` optional Sender arguments,
              `curve` null (an unencrypted class) or {"server": the lecturer's public key,
              "public", "secret": the student's pair}, each 40 characters of Z85
  chat        a chat message with the id Blender already shows in the conversation
  hand        raise (true) or lower (false) the hand
  file        a capture is finished on disk (a .blend copy or a screenshot): hash it, send it
              unless the lecturer has these bytes already, delete it once sent
  cancel      stop sending a file (its transfer id)
  read        lecturer messages the student has read (ids)
  answer      the answer to a lecturer's request (capturing, paused, failed)
  open_file   the name of the .blend Blender has open (heartbeats carry it), or null
  disconnect  send bye and stop the Session (bounded by `timeout` seconds); answered by `stopped`
  quit        exit (closing stdin does the same)

Events (courier -> Blender):
  ready       the courier runs and has loaded pyzmq: pid, python, the interpreter's path
  status      the Sender's status snapshot (state, error, transfer, parked, queued...)
  event       one Session event as the in-process thread reports it (see session.py, sender.py)
  error       a command could not be carried out: a sentence for the panel
  stopped     the answer to disconnect: clean is true when the threads ended in time
  fatal       the courier cannot work (e.g. pyzmq does not load): a sentence; it exits next
"""

import json

__all__ = ["PipeError", "COMMANDS", "EVENTS", "MAX_LINE", "encode", "command", "event",
           "decode_command", "decode_event"]

# A line longer than this is refused (a chat is at most 2000 characters; a status is small).
MAX_LINE = 1 << 20

_OPT_STR = (str, type(None))
_OPT_DICT = (dict, type(None))
_NUMBER = (int, float)

COMMANDS = {
    "connect": {"endpoint": str, "student_id": str, "login": str, "class_code": _OPT_STR,
                "hello_info": dict, "sender": dict, "last": dict, "spool": str,
                "curve": _OPT_DICT},
    "chat": {"id": str, "text": str},
    "hand": {"raised": bool},
    "file": {"kind": str, "path": str, "name": str, "marker": int},
    "cancel": {"id": str},
    "read": {"ids": list},
    "answer": {"id": str, "status": str, "text": _OPT_STR},
    "open_file": {"name": _OPT_STR},
    "paused": {"paused": bool},
    "disconnect": {"timeout": _NUMBER},
    "quit": {},
}

EVENTS = {
    "ready": {"pid": int, "python": str},
    "status": {"status": dict},
    "event": {"event": dict},
    "error": {"error": str},
    "stopped": {"clean": bool},
    "fatal": {"error": str},
}


class PipeError(ValueError):
    """A line that is not a valid command or event; str() is a sentence."""


def encode(message):
    """One line of ASCII JSON bytes, newline included."""
    line = json.dumps(message, ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n"
    if len(line) > MAX_LINE:
        raise PipeError("The message for the helper process is too long (%d bytes)." % len(line))
    return line


def command(name, /, **fields):
    """A checked command dict: PipeError for an unknown name or a wrong field."""
    message = dict(fields, cmd=name)
    _check(message, "cmd", COMMANDS, "command")
    return message


def event(name, /, **fields):
    message = dict(fields, ev=name)
    _check(message, "ev", EVENTS, "event")
    return message


def decode_command(line):
    return _check(_parse(line), "cmd", COMMANDS, "command")


def decode_event(line):
    return _check(_parse(line), "ev", EVENTS, "event")


def _parse(line):
    if isinstance(line, (bytes, bytearray)):
        if len(line) > MAX_LINE:
            raise PipeError("A line from the other process is too long (%d bytes)." % len(line))
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError:
            raise PipeError("A line from the other process is not text.") from None
    try:
        message = json.loads(line)
    except ValueError:
        raise PipeError("A line from the other process is not JSON: %r." % line[:80]) from None
    if not isinstance(message, dict):
        raise PipeError("A line from the other process is not a JSON object.")
    return message


def _check(message, key, table, what):
    name = message.get(key)
    fields = table.get(name) if isinstance(name, str) else None
    if fields is None:
        raise PipeError("Unknown %s %r." % (what, name))
    for field, kind in fields.items():
        value = message.get(field, _MISSING)
        if value is _MISSING:
            raise PipeError("The %s %r lacks the field %r." % (what, name, field))
        # bool is an int in Python: a flag is never accepted as a number, nor a number as a flag.
        wrong_bool = isinstance(value, bool) and bool not in _as_tuple(kind)
        if wrong_bool or not isinstance(value, kind):
            raise PipeError("The field %r of the %s %r has the wrong type." % (field, what, name))
    return message


def _as_tuple(kind):
    return kind if isinstance(kind, tuple) else (kind,)


_MISSING = object()
