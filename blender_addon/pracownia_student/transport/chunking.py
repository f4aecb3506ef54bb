"""How a file is cut into `chunk` messages, with bounded memory.

A .blend can be gigabytes: nothing here holds more than one chunk in memory. The plan follows
docs/PROTOCOL.md exactly (chunk i starts at i * chunk_size, count = ceil(size / chunk_size)) and
is checked against tests/vectors/chunks.json.
"""

import hashlib

from .protocol import CHUNK_SIZE

__all__ = ["plan", "chunk_count", "file_digest", "iter_chunks", "read_chunk"]

_HASH_BLOCK = 1 << 20


def chunk_count(size, chunk_size=CHUNK_SIZE):
    """ceil(size / chunk_size); a file must have at least one byte."""
    if size < 1 or chunk_size < 1:
        raise ValueError("size and chunk_size must be at least 1")
    return -(-size // chunk_size)


def plan(size, chunk_size=CHUNK_SIZE):
    """[(index, offset, length), ...] covering [0, size) in order."""
    return [(i, i * chunk_size, min(chunk_size, size - i * chunk_size))
            for i in range(chunk_count(size, chunk_size))]


def file_digest(path, block=_HASH_BLOCK):
    """Lowercase hex SHA-256 of a file, read block by block."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            data = f.read(block)
            if not data:
                break
            h.update(data)
    return h.hexdigest()


def read_chunk(f, offset, length):
    """Exactly `length` bytes at `offset` of an open binary file; OSError if the file got shorter."""
    f.seek(offset)
    parts = []
    missing = length
    while missing:
        data = f.read(missing)
        if not data:
            raise OSError("the file became shorter while it was being sent")
        parts.append(data)
        missing -= len(data)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def iter_chunks(path, chunk_size=CHUNK_SIZE):
    """Yield (index, offset, bytes) one chunk at a time; the size is taken when it starts."""
    with open(path, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        for index, offset, length in plan(size, chunk_size):
            yield index, offset, read_chunk(f, offset, length)
