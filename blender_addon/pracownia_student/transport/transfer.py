"""One file on its way to the lecturer, advanced a step at a time by the sender thread.

Hashing and reading happen in small steps (one chunk each) so that the sender thread keeps
reading subscriptions, sending chat and heartbeats, and honouring stop() while a multi-gigabyte
.blend is being sent. Errors come out as TransferError with a sentence a student understands.
"""

import hashlib
import os

from .chunking import chunk_count, read_chunk
from .protocol import MAX_FILE_SIZE

__all__ = ["Transfer", "TransferError"]


class TransferError(Exception):
    """The file cannot be sent; str(error) is a plain sentence for the student."""


def _mib(n):
    return "%.1f MiB" % (n / float(1 << 20))


class Transfer:
    """State of one file: open -> hash step by step -> chunks in order (restartable)."""

    def __init__(self, transfer_id, path, kind, name, chunk_size, delete_after=False,
                 sha256=None):
        """sha256: the digest when the caller has just read the whole file for it (the add-on's
        session does, to skip a copy the lecturer has): then it is not read a second time. The
        receiver checks it against the bytes anyway."""
        self.id = transfer_id
        self.path = path
        self.kind = kind
        self.name = name
        self.chunk_size = chunk_size
        self.delete_after = delete_after
        self.size = 0
        self.count = 0
        self.sha256 = None
        self._known = sha256
        self.next_index = 0
        self.sent = 0
        self._file = None
        self._hasher = None
        self._hashed = 0
        self.sent_once = False

    def info(self):
        return {"id": self.id, "kind": self.kind, "name": self.name, "sent": self.sent,
                "size": self.size}

    def open(self):
        """Open the file and check its size; TransferError if it cannot be sent."""
        try:
            self._file = open(self.path, "rb")
            self.size = os.fstat(self._file.fileno()).st_size
        except OSError as e:
            self.close()
            raise TransferError("The file %s cannot be read: %s." % (self.name, e.strerror or e))
        limit = MAX_FILE_SIZE[self.kind]
        if self.size == 0:
            self.close()
            raise TransferError("The file %s is empty, so it was not sent." % self.name)
        if self.size > limit:
            self.close()
            raise TransferError("The file %s is too large to send: %s, at most %s."
                                % (self.name, _mib(self.size), _mib(limit)))
        self.count = chunk_count(self.size, self.chunk_size)
        if self._known is not None:
            self.sha256 = self._known
        else:
            self._hasher = hashlib.sha256()

    @property
    def opened(self):
        return self._file is not None

    @property
    def hashed(self):
        return self.sha256 is not None

    def hash_step(self):
        """Hash one more chunk-sized block; returns True once the digest is known."""
        if self.sha256 is not None:
            return True
        n = min(self.chunk_size, self.size - self._hashed)
        self._hasher.update(self._read(self._hashed, n))
        self._hashed += n
        if self._hashed >= self.size:
            self.sha256 = self._hasher.hexdigest()
            self._hasher = None
        return self.sha256 is not None

    @property
    def done(self):
        return self.sha256 is not None and self.next_index >= self.count

    def next_chunk(self):
        """(header fields, body) of the next chunk; call advance() once it is really sent."""
        offset = self.next_index * self.chunk_size
        length = min(self.chunk_size, self.size - offset)
        fields = {"transfer": self.id, "kind": self.kind, "name": self.name, "size": self.size,
                  "sha256": self.sha256, "offset": offset, "index": self.next_index,
                  "count": self.count}
        return fields, self._read(offset, length)

    def advance(self):
        self.sent = min(self.size, (self.next_index + 1) * self.chunk_size)
        self.next_index += 1

    def restart(self):
        """Send again from the first chunk (same transfer id): the lecturer went away."""
        self.next_index = 0
        self.sent = 0

    def _read(self, offset, length):
        try:
            return read_chunk(self._file, offset, length)
        except OSError as e:
            raise TransferError("The file %s could not be read while sending: %s."
                                % (self.name, e.strerror or e))

    def close(self, finished=True):
        """Close the file; remove it when delete_after was asked and the transfer is over."""
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass
            self._file = None
        if finished and self.delete_after:
            try:
                os.remove(self.path)
            except OSError:
                pass
