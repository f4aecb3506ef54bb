"""Network transport of the student add-on, free of bpy so it can be tested without Blender.

protocol: exact wire format and the login/chat/name rules; chunking: cutting files into chunks;
transfer: one file in flight; xpub: socket options; return_path: the 1.1 DEALER (the lecturer
answers); worker: the sender thread's loop, polling both sockets;
sender: the thread-safe Sender.
"""

from .protocol import (CHUNK_SIZE, DEFAULT_PORT, MAX_CHAT_BYTES, PROTOCOL_VERSION, TOPIC_PREFIX,
                       encode, mac, validate_chat, validate_login, validate_name)
from .chunking import file_digest, iter_chunks, plan
from .sender import STATES, Sender, make_endpoint

__all__ = ["CHUNK_SIZE", "DEFAULT_PORT", "MAX_CHAT_BYTES", "PROTOCOL_VERSION", "TOPIC_PREFIX",
           "encode", "mac", "validate_chat", "validate_login", "validate_name", "file_digest",
           "iter_chunks", "plan", "STATES", "Sender", "make_endpoint"]
