"""Network transport of the student add-on, free of bpy so it can be tested without Blender.

protocol: exact wire format and the login/chat/name rules; chunking: cutting files into chunks;
transfer: one file in flight; xpub: socket options; return_path: the 1.1 DEALER (the lecturer
answers); worker: the sender thread's loop, polling both sockets;
sender: the thread-safe Sender.

Importing this package (and so `transport.protocol`, `chunking`, `transfer`) needs the standard
library only: the Sender's names, which need pyzmq, load on first use (PEP 562), so the UI, the
courier's pipe and the join text can use the protocol's rules where pyzmq is missing.
"""

from .protocol import (CHUNK_SIZE, DEFAULT_PORT, MAX_CHAT_BYTES, PROTOCOL_VERSION, TOPIC_PREFIX,
                       encode, mac, validate_chat, validate_login, validate_name)
from .chunking import file_digest, iter_chunks, plan

_FROM_SENDER = ("STATES", "Sender", "make_endpoint")

__all__ = ["CHUNK_SIZE", "DEFAULT_PORT", "MAX_CHAT_BYTES", "PROTOCOL_VERSION", "TOPIC_PREFIX",
           "encode", "mac", "validate_chat", "validate_login", "validate_name", "file_digest",
           "iter_chunks", "plan", *_FROM_SENDER]


def __getattr__(name):
    if name in _FROM_SENDER:
        from . import sender  # imports zmq: an ImportError here names the missing pyzmq

        return getattr(sender, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
