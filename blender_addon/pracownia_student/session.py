"""One connection to the lecturer (bpy-free): a Sender, a hashing thread and a spool folder.

Captured files (made on Blender's main thread) are handed to submit(); a capture may leave the
writing of its file to the hashing thread (submit's `write`: a screenshot's PNG encoding, so that
it does not hold up Blender's main thread). The hashing thread then reads the finished file,
drops it when its digest equals the last one sent (DigestGate), else queues it on the Sender,
which deletes it once sent. Threads report only by appending plain dicts to `events` (a deque:
append and popleft are thread-safe); the main thread drains it.
"""

import collections
import hashlib
import os
import queue
import shutil
import tempfile
import threading

__all__ = ["Session"]

_BLOCK = 1 << 20


class Session:
    def __init__(self, endpoint, student_id, login, gate, class_code=None, hello_info=None,
                 spool=None, **sender_kw):
        """spool: the folder captures are written to; None makes one (removed by stop()). The
        courier gets Blender's folder, which Blender removes."""
        from .transport import Sender  # imports zmq: only once the student connects

        self.events = collections.deque()
        self.gate = gate
        self.sender = Sender(endpoint, student_id, login, class_code=class_code or None,
                             hello_info=hello_info, on_event=self.events.append, **sender_kw)
        self._own_spool = spool is None
        self.spool = tempfile.mkdtemp(prefix="pracownia-") if spool is None else spool
        self._queue = queue.Queue()
        self._stopping = threading.Event()
        self._hasher = threading.Thread(target=self._hash_loop, name="pracownia-hasher",
                                        daemon=True)

    def start(self):
        self.sender.start()
        self._hasher.start()

    def stop(self, timeout=2.0):
        """Stop both threads (bounded), remove the spool folder. True when both ended."""
        self._stopping.set()
        self._queue.put(None)
        if self._hasher.ident is not None:
            self._hasher.join(timeout)
        ended = self.sender.stop(timeout)
        if self._own_spool:
            shutil.rmtree(self.spool, ignore_errors=True)
        return ended and not self._hasher.is_alive()

    def new_path(self, file_name):
        """A fresh path in the spool folder for a capture (the name is kept for the lecturer)."""
        folder = tempfile.mkdtemp(dir=self.spool)
        return os.path.join(folder, file_name)

    def submit(self, kind, path, name, marker, write=None):
        """write: None (the file at path is finished) or a callable that writes it (this thread)."""
        self._queue.put((kind, path, name, marker, write))

    # ---- hashing thread: plain files only, no bpy ----

    def _digest(self, path):
        h = hashlib.sha256()
        with open(path, "rb") as f:
            while not self._stopping.is_set():
                block = f.read(_BLOCK)
                if not block:
                    return h.hexdigest()
                h.update(block)
        return None

    def _hash_loop(self):
        while True:
            item = self._queue.get()
            if item is None or self._stopping.is_set():
                return
            kind, path, name, marker, write = item
            base = {"kind": kind, "marker": marker, "name": name}
            try:
                if write is not None:
                    try:
                        write()
                    except Exception as e:  # reported as the capture's failure below
                        raise OSError("the file could not be written (%s)" % e) from e
                digest = self._digest(path)
                if digest is None:
                    return
                if not self.gate.should_send(kind, digest):
                    _remove(path)
                    self.events.append(dict(base, type="capture_skipped"))
                    continue
                # already hashed here for the skip: the sender does not read it twice
                tid = self.sender.send_file(path, kind, name, delete_after=True, sha256=digest)
            except (OSError, ValueError) as e:
                _remove(path)
                self.events.append(dict(base, type="capture_failed",
                                        error="The %s could not be prepared: %s" % (
                                            "screenshot" if kind == "screenshot" else ".blend copy",
                                            getattr(e, "strerror", None) or e)))
                continue
            self.events.append(dict(base, type="capture_queued", id=tid, sha256=digest))


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass
