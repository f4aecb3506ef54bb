"""The student's install id: a UUID4 created once and kept in a small file (bpy-free).

The file lives in Blender's user config folder (addon.py passes the path), so the id survives
restarts and updates of the add-on without depending on whether the preferences get saved.
"""

import os
import uuid

__all__ = ["load_or_create", "reset"]


def _valid(text):
    try:
        u = uuid.UUID(text)
    except (ValueError, TypeError):
        return None
    if u.int == 0 or str(u) != text.lower():
        return None
    return str(u)


def _write(path, value):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(value + "\n")
    os.replace(tmp, path)  # atomic: never a half-written id


def load_or_create(path):
    """The id stored at path; a new UUID4 is created (and stored) when none or a broken one is."""
    try:
        with open(path, encoding="ascii") as f:
            found = _valid(f.read().strip())
    except (OSError, UnicodeDecodeError):
        found = None
    if found:
        return found
    return reset(path)


def reset(path):
    """Store and return a new UUID4 (the lecturer will then see this computer as a new student)."""
    value = str(uuid.uuid4())
    _write(path, value)
    return value
