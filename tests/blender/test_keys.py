"""The student's CURVE key pair (keys.py): made once per student id, kept owner-only, replaced when
damaged, forgotten by Reset student id."""

import json
import os
import stat

import pytest
import zmq

from pracownia_student import keys

SID = "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
SID2 = "0b6f8c1e-2d3a-4b5c-9d8e-7f6a5b4c3d2e"


def test_pyzmq_can_encrypt():
    assert zmq.has("curve")


def test_a_pair_is_made_once_and_reloaded(tmp_path):
    folder = str(tmp_path / "pracownia")  # made when missing
    public, secret = keys.load_or_create(folder, SID)
    assert len(public) == len(secret) == 40 and zmq.curve_public(secret) == public
    path = keys.key_path(folder, SID)
    assert os.path.dirname(path) == folder
    assert keys.load_or_create(folder, SID) == (public, secret)
    data = json.load(open(path, encoding="ascii"))
    assert data == {"student": SID, "public": public.decode(), "secret": secret.decode()}
    assert sorted(os.listdir(folder)) == [os.path.basename(path)]  # no temporary file left
    # One pair per student id: another id on this seat has its own.
    other = keys.load_or_create(folder, SID2)
    assert other != (public, secret) and keys.load_or_create(folder, SID) == (public, secret)


def test_the_key_file_is_owner_only(tmp_path):
    old = os.umask(0)  # even with a permissive umask
    try:
        keys.load_or_create(str(tmp_path), SID)
    finally:
        os.umask(old)
    path = keys.key_path(str(tmp_path), SID)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    os.chmod(path, 0o644)  # loosened by someone: tightened again at the next load
    pair = keys.load_or_create(str(tmp_path), SID)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert keys.load_or_create(str(tmp_path), SID) == pair


@pytest.mark.parametrize("damage", [
    lambda d: "",
    lambda d: "{not json",
    lambda d: json.dumps(dict(d, secret=d["secret"][:-1] + ("A" if d["secret"][-1] != "A"
                                                            else "B"))),
    lambda d: json.dumps(dict(d, public=zmq.curve_keypair()[0].decode())),  # not its pair
    lambda d: json.dumps(dict(d, student=SID2)),  # another student's file copied over
    lambda d: json.dumps(dict(d, secret="\"" * 40)),
    lambda d: json.dumps([d]),
])
def test_a_damaged_file_is_replaced_by_a_new_pair(tmp_path, damage):
    folder = str(tmp_path)
    first = keys.load_or_create(folder, SID)
    path = keys.key_path(folder, SID)
    data = json.load(open(path, encoding="ascii"))
    with open(path, "w", encoding="ascii") as f:
        f.write(damage(data))
    public, secret = keys.load_or_create(folder, SID)
    assert (public, secret) != first and zmq.curve_public(secret) == public
    assert keys.load_or_create(folder, SID) == (public, secret)  # and it is stored


def test_a_leftover_temporary_file_does_not_stop_a_new_pair(tmp_path):
    path = keys.key_path(str(tmp_path), SID)
    with open(path + ".tmp", "w") as f:
        f.write("half")
    pair = keys.load_or_create(str(tmp_path), SID)
    assert keys.load_or_create(str(tmp_path), SID) == pair
    assert not os.path.exists(path + ".tmp")


def test_forget_makes_the_next_pair_new_and_ids_must_be_uuids(tmp_path):
    folder = str(tmp_path)
    first = keys.load_or_create(folder, SID)
    assert keys.forget(folder, SID) is True
    assert keys.forget(folder, SID) is False
    assert keys.load_or_create(folder, SID) != first
    with pytest.raises(ValueError):
        keys.load_or_create(folder, "../../etc/passwd")
    assert keys.forget(folder, "../x") is False
