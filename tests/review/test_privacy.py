"""Identifier detection (true positives of each kind, ordinary sentences left alone), redaction,
the configurable name list and small-count suppression."""
from __future__ import annotations

import pytest

from review.platform import privacy
from review.platform.privacy import FEWER_THAN, find_identifiers, nhs_number_is_valid, redact, shown_count


def kinds(text: str, **kwargs) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in find_identifiers(text, **kwargs)]


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("Email me at jo.parent@example.org please", "email", "jo.parent@example.org"),
        ("contact: a_b+sen@mail.example.co.uk.", "email", "a_b+sen@mail.example.co.uk"),
        ("My mobile is 07700 900123.", "phone", "07700 900123"),
        ("ring 07700900123 after six", "phone", "07700900123"),
        ("Tel (01438) 843873 weekdays", "phone", "(01438) 843873"),
        ("call 01438 843873", "phone", "01438 843873"),
        ("landline 0113 496 0000", "phone", "0113 496 0000"),
        ("from abroad +44 7700 900 123", "phone", "+44 7700 900 123"),
        ("or +44 (0)1438 843873", "phone", "+44 (0)1438 843873"),
        ("or 0044 20 7946 0000", "phone", "0044 20 7946 0000"),
        ("the helpline 0300 123 4040", "phone", "0300 123 4040"),
        ("We live at SG13 8DQ near the park", "postcode", "SG13 8DQ"),
        ("postcode al12ab", "postcode", "al12ab"),
        ("WD17 1AA", "postcode", "WD17 1AA"),
        ("London EC1A 1BB office", "postcode", "EC1A 1BB"),
        ("NHS number 943 476 5919 on the letter", "nhs_number", "943 476 5919"),
        ("nhs no 9434765919", "nhs_number", "9434765919"),
        ("NHS 943-476-5919", "nhs_number", "943-476-5919"),
        ("I spoke to Sarah about it", "name", "Sarah"),
        ("Sarah Jones said it was fine", "name", "Sarah Jones"),
        ("Mrs Abernethy at the school helped", "name", "Mrs Abernethy"),
        ("Dr. Okonkwo referred us", "name", "Dr. Okonkwo"),
    ],
)
def test_each_kind_of_identifier_is_found(text, kind, found):
    assert (kind, found) in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "On 12/03/2019 we had the review meeting.",
        "Meeting moved to 01/04/2019, then 2019-05-07.",
        "My son, aged 7, has autism.",
        "She is in Year 6 and moves up in September.",
        "We were referred to the 0-25 service last spring.",
        "We waited 18 weeks for an assessment.",
        "It took 20 working days, not the 6 weeks promised.",
        "Our reference is EHC/2019/0456 and the case number 19-0045123.",
        "Reference 1234567890 on the letter.",  # 10 digits, check digit wrong: not an NHS number
        "Complaint ref 2019-00123456 was closed.",
        "Between 0800 and 0900, or 10:30-12:00.",
        "Key Stage 2 (KS2 3rd term) was hard; Y6 2pm pick-up.",
        "The plan cost £1,200 and took 3 of 5 parents.",
        "Children 0-5 and 5-11 have different routes.",
        "My daughter will start college in May.",
        "We went to County Hall in Hertford.",
        "SENDIASS and the KIDS hub gave advice about the EHCP.",
        "Phone number 07700900123456 is too long to be one.",
        "",
    ],
)
def test_ordinary_sentences_are_not_flagged(text):
    assert find_identifiers(text) == []


def test_nhs_check_digit():
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")
    assert not nhs_number_is_valid("1234567890")  # remainder gives 10: never valid
    assert not nhs_number_is_valid("0000000000")


def test_overlapping_findings_are_merged_and_ordered():
    text = "Email 9434765919@example.org, then call 07700 900123 at SG1 2AB."
    assert [f.kind for f in find_identifiers(text)] == ["email", "phone", "postcode"]


def test_redaction_replaces_each_identifier_with_a_marker():
    text = "Ring 07700 900123 or write to jo@example.org, SG13 8DQ."
    assert redact(text) == "Ring [phone number removed] or write to [email address removed], [postcode removed]."
    assert redact(None) is None
    assert find_identifiers(redact(text)) == []


def test_the_name_list_is_configurable(tmp_path, monkeypatch):
    assert kinds("Tamsin rang the office", names={"Tamsin"}) == [("name", "Tamsin")]
    assert kinds("Tamsin rang the office", names=set()) == []
    names_file = tmp_path / "names.txt"
    names_file.write_text("# staff and families named in notes\nTamsin\n\nBartholomew  # surname\n")
    monkeypatch.setattr(privacy, "NAMES_FILE", names_file)
    assert privacy.load_names() == {"Tamsin", "Bartholomew"}
    assert kinds("Tamsin Bartholomew called") == [("name", "Tamsin Bartholomew")]
    assert kinds("tamsin called") == []  # case-sensitive: everyday words in lower case are left alone


def test_identifiers_found_names_the_field_and_what_was_found():
    with pytest.raises(privacy.IdentifiersFound) as info:
        privacy.check_text_fields({"quote": "Call 07700 900123", "need": "fine"}, ["quote", "need"])
    assert list(info.value.findings) == ["quote"]
    assert "a phone number (07700 900123)" in info.value.errors["quote"]
    privacy.check_text_fields({"quote": "Call 07700 900123"}, ["quote"], confirmed=True)  # no error


@pytest.mark.parametrize("count", [0, 1, 4])
def test_small_counts_are_suppressed_for_roles_without_personal_data(count, viewer, commissioner, editor, admin):
    assert shown_count(count, viewer) == FEWER_THAN == "fewer than 5"
    assert shown_count(count, commissioner) == FEWER_THAN
    assert shown_count(count, editor) == count
    assert shown_count(count, admin) == count


def test_counts_of_five_or_more_are_shown_to_everyone(viewer):
    assert shown_count(5, viewer) == 5
    assert shown_count(120, viewer) == 120
    assert shown_count(None, viewer) == FEWER_THAN


def test_the_secondary_marker_never_claims_a_small_count():
    assert privacy.NOT_SHOWN == "not shown" and "fewer than" not in privacy.NOT_SHOWN
    assert "5 or more" in privacy.NOT_SHOWN_NOTE
    assert privacy.is_hidden(FEWER_THAN) and privacy.is_hidden(privacy.NOT_SHOWN)
    assert not privacy.is_hidden(0) and not privacy.is_hidden("Waiting times")
