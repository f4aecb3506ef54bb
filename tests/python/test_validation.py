"""Login, file-name and chat rules the add-on checks before sending (same as the receiver's)."""

import json

import pytest

from pracownia_student.transport import protocol as P


@pytest.mark.parametrize("login", ["anna", "anna.kowalska", "Łukasz Żółć", "ż" * 64, "a" * 64,
                                   "con-test", "console", "com10", "lpt0", ".anna", "a..b", "x"])
def test_good_logins(login):
    assert P.validate_login(login) is None


@pytest.mark.parametrize("login", ["", "../../etc", "a/b", "a\\b", "CON", "nul.txt", "lpt9", "Aux",
                                   "COM1.tar.gz", "an\x00na", "an\nna", "an\tna", "a" * 65,
                                   "ż" * 65, " anna", "anna ", "anna\u00a0", "...", ".", None, 7])
def test_bad_logins(login):
    problem = P.validate_login(login)
    assert isinstance(problem, str) and problem.endswith(".") and "\n" not in problem


def test_login_rules_agree_with_invalid_vectors(invalid_vectors):
    for case in invalid_vectors["cases"]:
        if case["reason"] in ("bad_login", "deceptive_login") and case["class_code"] is None:
            header = json.loads(bytes.fromhex(case["frames_hex"][1]).decode("utf-8"))
            assert P.validate_login(header["login"]) is not None, case["name"]


def test_info_text_is_one_line_the_receiver_accepts():
    assert P.info_text("pc\x1b]0;x\x07\r\n") == "pc]0;x"
    assert P.info_text(7) == "7"
    assert len(P.info_text("h" * 300)) == P.MAX_INFO_CHARS


def test_name_rules_agree_with_invalid_vectors(invalid_vectors):
    for case in invalid_vectors["cases"]:
        if case["reason"] == "bad_name":
            header = json.loads(bytes.fromhex(case["frames_hex"][1]).decode("utf-8"))
            assert P.validate_name(header["name"]) is not None, case["name"]
    for good in ["scena.blend", "zrzut ekranu 1.png", "...", " lead.png", "a" * 255, "con-x.png"]:
        assert P.validate_name(good) is None, good


@pytest.mark.parametrize("text", ["?", "Zażółć gęślą jaźń", "a" * 4096, "ż" * 2048, " x "])
def test_good_chat(text):
    assert P.validate_chat(text) is None


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "a" * 4097, "ż" * 2049, "\ud800", None])
def test_bad_chat(text):
    problem = P.validate_chat(text)
    assert isinstance(problem, str) and problem.endswith(".")


def test_chat_limit_counts_bytes_and_says_so():
    assert "4098 bytes" in P.validate_chat("ż" * 2049)


def test_student_id_is_lowercased_and_checked():
    assert P.validate_student_id("3F2B8C1E-9A4D-4C6B-8E1F-2A7D5C9B0E14") == \
        "3f2b8c1e-9a4d-4c6b-8e1f-2a7d5c9b0e14"
    for bad in ["00000000-0000-0000-0000-000000000000", "3f2b8c1e9a4d4c6b8e1f2a7d5c9b0e14", "x", 5]:
        with pytest.raises(ValueError):
            P.validate_student_id(bad)


def test_encode_refuses_oversized_header_and_unknown_kind():
    with pytest.raises(ValueError):
        P.encode("chat", {"pad": "x" * 20000}, b"x")
    with pytest.raises(ValueError):
        P.encode("video", {}, b"")
    assert len(P.encode("bye", {}, b"", class_code="")) == 3  # an empty code means no code
