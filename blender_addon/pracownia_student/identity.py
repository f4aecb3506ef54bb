"""Who the student is to the lecturer (bpy-free): one id per login on this Blender configuration.

Lab machines often share one account, so one Blender configuration serves many students. The
`student` id on the wire is therefore per login: a small JSON map login -> id in the config
folder (addon.py passes the path). Logins match case-insensitively, as on the lecturer's side.
The map also holds this configuration's seat id, sent as hello's `seat` so the lecturer can tell
which seat a student used.

Migration: add-ons before this kept one id per configuration in a file of its own; that id stays
with the login that used it last (the login in the preferences), so that student's history goes
on. If no login is known yet, it goes to the first login that connects.
"""

import json
import os
import uuid

__all__ = ["id_for_login", "peek", "seat_id", "reset", "load_or_create"]

_VERSION = 1


def _valid(text):
    try:
        u = uuid.UUID(text)
    except (ValueError, TypeError, AttributeError):
        return None
    if u.int == 0 or str(u) != text.lower():
        return None
    return str(u)


def _key(login):
    return (login or "").strip().lower()


def _write_text(path, text):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)  # atomic: never a half-written file


def _read_legacy(legacy_path):
    if not legacy_path:
        return None
    try:
        with open(legacy_path, encoding="ascii") as f:
            return _valid(f.read().strip())
    except (OSError, UnicodeDecodeError):
        return None


def _load(path, legacy_path=None, last_login=""):
    """The map at path (created, with the migrated legacy id, when absent or unreadable)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        ids = {k: v for k, v in (data.get("ids") or {}).items()
               if isinstance(k, str) and _valid(v)}
        seat = _valid(data.get("seat"))
        unclaimed = _valid(data.get("unclaimed"))
        if seat:
            return {"version": _VERSION, "seat": seat, "ids": ids, "unclaimed": unclaimed}
    except (OSError, ValueError, UnicodeDecodeError):
        pass
    # First run of this version (or a damaged map): start one, keeping the old install id.
    legacy = _read_legacy(legacy_path)
    data = {"version": _VERSION, "seat": str(uuid.uuid4()), "ids": {}, "unclaimed": None}
    if legacy and _key(last_login):
        data["ids"][_key(last_login)] = legacy
    elif legacy:
        data["unclaimed"] = legacy
    _save(path, data)
    return data


def _save(path, data):
    out = {"version": _VERSION, "seat": data["seat"], "ids": data["ids"]}
    if data.get("unclaimed"):
        out["unclaimed"] = data["unclaimed"]
    _write_text(path, json.dumps(out, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def id_for_login(path, login, legacy_path=None, last_login=""):
    """The id of login on this configuration, created (and stored) the first time it is used."""
    key = _key(login)
    if not key:
        raise ValueError("Type your login first.")
    data = _load(path, legacy_path, last_login)
    found = data["ids"].get(key)
    if found:
        return found
    value = data.get("unclaimed") or str(uuid.uuid4())
    data["unclaimed"] = None
    data["ids"][key] = value
    _save(path, data)
    return value


def peek(path, login, legacy_path=None, last_login=""):
    """The id login would use, without creating one (None when it has none yet)."""
    data = _load(path, legacy_path, last_login)
    return data["ids"].get(_key(login)) or (data.get("unclaimed") if _key(login) else None)


def seat_id(path, legacy_path=None, last_login=""):
    """This configuration's seat id (made once)."""
    return _load(path, legacy_path, last_login)["seat"]


def reset(path, login):
    """A new id for login (the lecturer will then see this login here as a new student)."""
    key = _key(login)
    if not key:
        raise ValueError("Type your login first.")
    data = _load(path)
    value = str(uuid.uuid4())
    data["ids"][key] = value
    _save(path, data)
    return value


def load_or_create(path):
    """The single id stored at path (the format before ids per login; kept for older callers)."""
    found = _read_legacy(path)
    if found:
        return found
    value = str(uuid.uuid4())
    _write_text(path, value + "\n")
    return value
