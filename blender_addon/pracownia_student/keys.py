"""The student's CURVE key pair for an encrypted class (bpy-free; stdlib and pyzmq only).

One pair per student id, created once with zmq.curve_keypair() and kept in a small JSON file in
Blender's user config folder beside the student id file (addon.py passes the folder), readable by
its owner only (0600, written to a temporary file and moved into place, so a crash never leaves
half a key). The lecturer pins the first key it sees for a student: a new pair (a new id, or
"Reset student id") makes the lecturer's app see a new key, which it flags for a pinned student.
A file that is missing, damaged or whose public key does not belong to its secret key is replaced
by a new pair.
"""

import json
import os
import uuid

__all__ = ["load_or_create", "reset", "forget", "key_path"]


def key_path(folder, student_id):
    """The file for this student id's pair (the id must be a UUID: it becomes a file name)."""
    sid = str(uuid.UUID(student_id))
    return os.path.join(folder, "curve-%s.json" % sid)


def _valid(data, student_id):
    """(public, secret) as Z85 bytes when data is a good pair for student_id, else None."""
    import zmq

    if not isinstance(data, dict) or data.get("student") != student_id:
        return None
    public, secret = data.get("public"), data.get("secret")
    if not (isinstance(public, str) and isinstance(secret, str)
            and len(public) == 40 and len(secret) == 40):
        return None
    try:
        public, secret = public.encode("ascii"), secret.encode("ascii")
        if zmq.curve_public(secret) != public:  # damaged, or not the pair it claims to be
            return None
    except (ValueError, UnicodeEncodeError, zmq.ZMQError):
        return None
    return public, secret


def load_or_create(folder, student_id):
    """(public, secret): the Z85-encoded key pair stored for student_id in folder, made (and
    stored) when there is none or the stored one is damaged."""
    path = key_path(folder, student_id)
    try:
        with open(path, encoding="ascii") as f:
            found = _valid(json.load(f), student_id)
    except (OSError, ValueError):
        found = None
    if found is None:
        return reset(folder, student_id)
    if os.name == "posix" and os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o600)  # someone loosened it: the secret stays the owner's
    return found


def reset(folder, student_id):
    """Store and return a new pair for student_id (the lecturer sees a new key)."""
    import zmq

    path = key_path(folder, student_id)
    public, secret = zmq.curve_keypair()
    text = json.dumps({"student": student_id, "public": public.decode("ascii"),
                       "secret": secret.decode("ascii")})
    os.makedirs(folder, exist_ok=True)
    tmp = path + ".tmp"
    try:
        os.remove(tmp)  # a leftover from a crash may have other permissions
    except FileNotFoundError:
        pass
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(text + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return public, secret


def forget(folder, student_id):
    """Remove student_id's pair (Reset student id): the next encrypted connect makes a new one.
    Stdlib only, so it works while pyzmq is missing. True when a file was removed."""
    try:
        os.remove(key_path(folder, student_id))
    except (FileNotFoundError, ValueError, TypeError):
        return False
    return True
