"""Helpers of the transport tests (tests/python): the vectors, wait_until, decode, a SUB
lecturer."""

import json
import os
import time

import zmq

from pracownia_student.transport import protocol as P
from tests.e2e.e2e_support import VECTORS, free_port  # noqa: F401  (one port rule for all)


def load_vectors(name):
    with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
        return json.load(f)


def wait_until(predicate, timeout=10.0, interval=0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def decode(frames, class_code=None):
    """(kind, header dict, body) of a received message, checking the MAC when a code is set."""
    assert len(frames) in (3, 4)
    topic, header, body = frames[:3]
    assert topic.startswith(P.TOPIC_PREFIX)
    if class_code is not None:
        assert len(frames) == 4 and frames[3] == P.mac(class_code, topic, header, body)
    return topic[len(P.TOPIC_PREFIX):].decode(), json.loads(header.decode("utf-8")), body


class Lecturer:
    """A minimal receiver: a SUB bound on 127.0.0.1 subscribed to pracownia/1/."""

    def __init__(self, port=0, rcvhwm=None, rcvbuf=None):
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.SUB)
        self.sock.setsockopt(zmq.LINGER, 0)
        if rcvhwm is not None:
            self.sock.setsockopt(zmq.RCVHWM, rcvhwm)
        if rcvbuf is not None:  # a fixed SO_RCVBUF: loopback autotuning could buffer 32 MiB
            self.sock.setsockopt(zmq.RCVBUF, rcvbuf)
        self.sock.setsockopt(zmq.SUBSCRIBE, P.TOPIC_PREFIX)
        if port:
            self.sock.bind("tcp://127.0.0.1:%d" % port)
            self.port = port
        else:
            self.sock.bind("tcp://127.0.0.1:*")
            self.port = int(self.sock.getsockopt_string(zmq.LAST_ENDPOINT).rsplit(":", 1)[1])
        self.endpoint = "tcp://127.0.0.1:%d" % self.port

    def recv(self, timeout=5.0):
        if self.sock.poll(int(timeout * 1000), zmq.POLLIN):
            return self.sock.recv_multipart()
        return None

    def next(self, kinds=None, timeout=5.0, class_code=None, skip=("heartbeat",)):
        """The next decoded message whose kind is not skipped, or None on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            frames = self.recv(left)
            if frames is None:
                return None
            msg = decode(frames, class_code)
            if msg[0] in skip:
                continue
            if kinds is None or msg[0] in kinds:
                return msg

    def close(self):
        self.sock.close(linger=0)
        self.ctx.term()
