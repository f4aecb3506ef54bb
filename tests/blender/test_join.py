"""The join string in the add-on: the receiver's vectors, and the Lecturer field accepting it."""

import json
import os

import pytest

import support  # noqa: F401  (the add-on on sys.path)
from pracownia_student.joinstring import is_join, lecturer_field, parse_join

VECTORS = os.path.join(os.path.dirname(__file__), "..", "vectors", "join.json")
with open(VECTORS, encoding="utf-8") as f:
    CASES = json.load(f)


@pytest.mark.parametrize("case", CASES["valid"], ids=lambda c: c["text"])
def test_valid_join_strings(case):
    assert parse_join(case["text"]) == (case["host"], case["port"], case["class_code"])


@pytest.mark.parametrize("text", CASES["invalid"])
def test_invalid_join_strings_get_a_sentence(text):
    with pytest.raises(ValueError) as e:
        parse_join(text)
    assert str(e.value)[0].isupper() and "join text" in str(e.value)


def test_plain_addresses_are_not_join_strings():
    assert not is_join("192.168.1.10:5570")
    assert not is_join("")
    assert is_join("  Pracownia://x")


def test_the_lecturer_field_takes_a_join_string_or_a_plain_address():
    # A join string fills in the class code (replacing what was typed) and gives the address.
    assert lecturer_field("pracownia://10.0.0.5:6000/KOT", "old") == ("10.0.0.5:6000", "KOT")
    assert lecturer_field("pracownia://[fe80::1]:5570/K", "") == ("[fe80::1]:5570", "K")
    # Without a code in it, the typed class code stays.
    assert lecturer_field("pracownia://10.0.0.5", "typed") == ("10.0.0.5:5570", "typed")
    # A plain address is left to parse_address, as before.
    assert lecturer_field(" 10.0.0.5:5570 ", "typed") == (" 10.0.0.5:5570 ", "typed")
    with pytest.raises(ValueError):
        lecturer_field("pracownia://10.0.0.5:99999/K", "")
