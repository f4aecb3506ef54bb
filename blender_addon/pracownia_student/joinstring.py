"""The lecturer's join string, `pracownia://192.168.1.10:5570/KOT-LAS-42`: address, port and class
code in one line the student pastes into the Lecturer field (docs/PROTOCOL.md, "Join string").
Stdlib only; the same vectors as the receiver (tests/vectors/join.json)."""

from urllib.parse import unquote_to_bytes

__all__ = ["SCHEME", "parse_join", "is_join", "lecturer_field"]

SCHEME = "pracownia://"
_DEFAULT_PORT = 5570  # protocol.DEFAULT_PORT; repeated so this module needs no zmq


def is_join(text):
    return (text or "").strip()[:len(SCHEME)].lower() == SCHEME


def parse_join(text):
    """(host, port, class_code) from a join string; ValueError with a sentence for the student."""
    text = (text or "").strip()
    if not is_join(text):
        raise ValueError("The join text does not start with pracownia://")
    rest = text[len(SCHEME):].split("?", 1)[0].split("#", 1)[0]
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
        port = _DEFAULT_PORT
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
    return host, port, code


def lecturer_field(text, class_code):
    """(address, class_code) for connecting, from the Lecturer field and the Class code field: a
    join string gives both (its code, when it has one, wins over what was typed); anything else
    is a plain address, returned as it is."""
    if not is_join(text):
        return text, class_code
    host, port, code = parse_join(text)
    address = "%s:%d" % ("[%s]" % host if ":" in host else host, port)
    return address, code or class_code
