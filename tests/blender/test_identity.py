"""identity.py: one student id per login on a Blender configuration that a lab shares."""

import json
import os
import uuid

import pytest

from pracownia_student import identity


@pytest.fixture
def paths(tmp_path):
    cfg = tmp_path / "config" / "pracownia"
    return str(cfg / "student_ids.json"), str(cfg / "student_id")


def test_two_logins_one_after_the_other_get_two_ids_and_the_first_keeps_its_own(paths):
    path, legacy = paths
    anna = identity.id_for_login(path, "anna", legacy)
    bartek = identity.id_for_login(path, "bartek", legacy)
    assert anna != bartek
    assert str(uuid.UUID(anna)) == anna and str(uuid.UUID(bartek)) == bartek
    assert identity.id_for_login(path, "anna", legacy) == anna  # back to the first login
    assert identity.id_for_login(path, " Anna ", legacy) == anna  # as the lecturer matches logins
    assert identity.peek(path, "bartek") == bartek
    assert identity.peek(path, "celina") is None  # not created by looking
    assert not os.path.exists(path + ".tmp")  # written by tmp + os.replace


def test_the_seat_id_is_made_once_per_configuration_and_differs_from_student_ids(paths):
    path, legacy = paths
    seat = identity.seat_id(path, legacy)
    anna = identity.id_for_login(path, "anna", legacy)
    assert identity.seat_id(path, legacy) == seat != anna
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    assert data["seat"] == seat and data["ids"] == {"anna": anna}


def test_the_old_install_id_stays_with_the_login_that_used_it_last(paths):
    path, legacy = paths
    old = identity.load_or_create(legacy)  # what add-ons before ids per login kept
    assert identity.id_for_login(path, "bartek", legacy, last_login="anna") != old
    assert identity.id_for_login(path, "anna", legacy, last_login="anna") == old


def test_without_a_known_login_the_old_id_goes_to_the_first_login_that_connects(paths):
    path, legacy = paths
    old = identity.load_or_create(legacy)
    assert identity.peek(path, "marta", legacy) == old  # what the preferences show before connecting
    assert identity.id_for_login(path, "marta", legacy) == old
    assert identity.id_for_login(path, "ola", legacy) != old


def test_reset_gives_one_login_a_new_id_and_a_damaged_map_is_started_again(paths):
    path, legacy = paths
    anna = identity.id_for_login(path, "anna", legacy)
    ola = identity.id_for_login(path, "ola", legacy)
    new = identity.reset(path, "anna")
    assert new != anna and identity.id_for_login(path, "anna", legacy) == new
    assert identity.id_for_login(path, "ola", legacy) == ola
    with pytest.raises(ValueError):
        identity.id_for_login(path, "  ", legacy)
    with open(path, "w", encoding="utf-8") as f:
        f.write("{not json")
    again = identity.id_for_login(path, "anna", legacy)
    assert str(uuid.UUID(again)) == again
