"""The lecturer's join string, `pracownia://192.168.1.10:5570/KOT-LAS-42?key=KEY`: address, port,
class code and, for an encrypted class, the lecturer's CURVE public key (base64url without padding,
43 characters) in one line the student pastes into the Lecturer field (docs/PROTOCOL.md, "Join
string"). Stdlib only; the same vectors as the receiver (tests/vectors/join.json)."""

import base64
import collections
from urllib.parse import unquote_to_bytes

from .transport.protocol import DEFAULT_PORT

__all__ = ["SCHEME", "Join", "read_join", "parse_join", "parse_key", "is_join", "lecturer_field",
           "BAD_KEY"]

SCHEME = "pracownia://"
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
BAD_KEY = ("The server key in the join text is damaged; copy the whole join text from the "
           "lecturer again.")

# server_key: the lecturer's 32-byte CURVE public key, or None (an unencrypted class).
Join = collections.namedtuple("Join", "host port class_code server_key")


def is_join(text):
    return (text or "").strip()[:len(SCHEME)].lower() == SCHEME


def parse_key(text):
    """The 32 bytes of a server key written as base64url without padding (43 characters);
    ValueError(BAD_KEY) for anything else, a non-canonical last character included (the
    receiver's decoder refuses it too)."""
    if len(text) != 43 or not set(text) <= _KEY_CHARS:
        raise ValueError(BAD_KEY)
    key = base64.urlsafe_b64decode(text + "=")
    if base64.urlsafe_b64encode(key).decode("ascii").rstrip("=") != text:
        raise ValueError(BAD_KEY)  # stray low bits in the last character
    return key


def _query_key(query):
    """The key field of the query (`name=value` pairs joined by &; others are ignored)."""
    keys = set()
    for field in query.split("&"):
        name, eq, value = field.partition("=")
        if name == "key":
            keys.add(value if eq else "")
    if len(keys) > 1:  # two different keys: which one is the lecturer's cannot be told
        raise ValueError(BAD_KEY)
    return parse_key(keys.pop()) if keys else None


def parse_join(text):
    """(host, port, class_code) from a join string; ValueError with a sentence for the student."""
    return tuple(read_join(text)[:3])


def read_join(text):
    """Join(host, port, class_code, server_key) from a join string; ValueError with a sentence."""
    text = (text or "").strip()
    if not is_join(text):
        raise ValueError("The join text does not start with pracownia://")
    rest, _, query = text[len(SCHEME):].split("#", 1)[0].partition("?")
    authority, _, code = rest.partition("/")
    port = None
    if authority.startswith("["):
        host, closed, after = authority[1:].partition("]")
        if not closed:
            raise ValueError("The join text has no address before the class code.")
        if after.startswith(":"):
            port = after[1:]
    elif ":" in authority:
        host, _, port = authority.rpartition(":")
    else:
        host = authority
    if not host or any(c in host for c in " /@"):
        raise ValueError("The join text has no address before the class code.")
    if port is None:
        port = DEFAULT_PORT
    elif port.isascii() and port.isdigit() and 0 < int(port) < 65536:
        port = int(port)
    else:
        raise ValueError("The port in the join text must be a number from 1 to 65535.")
    code = code.rstrip("/")
    bad_code = ValueError("The class code in the join text is not properly written.")
    # unquote_to_bytes leaves a malformed %xx as it is; the receiver refuses it, so do we.
    i = code.find("%")
    while i != -1:
        pair = code[i + 1:i + 3]
        if len(pair) != 2 or any(c not in "0123456789abcdefABCDEF" for c in pair):
            raise bad_code
        i = code.find("%", i + 3)
    try:
        code = unquote_to_bytes(code).decode("utf-8")
    except UnicodeDecodeError:
        raise bad_code from None
    return Join(host, port, code, _query_key(query))


def lecturer_field(text, class_code):
    """(address, class_code, server_key) for connecting, from the Lecturer field and the Class
    code field: a join string gives all three (its code, when it has one, wins over what was
    typed; server_key is None for an unencrypted class); anything else is a plain address,
    returned as it is, without a server key."""
    if not is_join(text):
        return text, class_code, None
    host, port, code, key = read_join(text)
    address = "%s:%d" % ("[%s]" % host if ":" in host else host, port)
    return address, code or class_code, key
