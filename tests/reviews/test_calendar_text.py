"""The iCalendar text the reviews write by hand (``reviews.calendar``), read back with the
``icalendar`` library: values with every character the format escapes, names with quotes and
carets, and lines long enough to fold inside multi-byte characters and escapes."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from reviews import calendar

AWKWARD = 'Grow, "the" market; in Zürich\\east\nnow ^ 100% ' + "é" * 40 + "\\,;" * 20 + " 🙂" * 12


def _event(**changes: object) -> calendar.ReviewEvent:
    values: dict[str, object] = {
        "review_id": 42,
        "due_date": dt.date(2026, 12, 31),
        "sequence": 3,
        "title": AWKWARD,
        "url": "https://missions.example.test/o/acme/reviews/42/",
        "organiser": calendar.Person("lead@example.test", 'Lee "the Boss", Ö; ^x'),
    }
    return calendar.ReviewEvent(**{**values, **changes})  # type: ignore[arg-type]


def _lines(text: str) -> list[bytes]:
    assert text.endswith("\r\n")
    return text.encode().split(b"\r\n")[:-1]


@pytest.mark.parametrize("cancelled", [False, True])
def test_an_invitation_reads_back_as_written(cancelled: bool) -> None:
    attendee = calendar.Person("sam@example.test", "Sam: Staff, Ä")
    text = calendar.review_invitation(_event(cancelled=cancelled), attendee=attendee)
    assert all(len(line) <= 75 for line in _lines(text))
    assert any(line.startswith(b" ") for line in _lines(text)), "long lines are folded"
    read = Calendar.from_ical(text)
    assert str(read["method"]) == ("CANCEL" if cancelled else "REQUEST")
    (event,) = read.walk("VEVENT")
    assert str(event["summary"]) == f"30-day review: {AWKWARD}"
    assert str(event["description"]) == (
        f"The 30-day review of “{AWKWARD}”: https://missions.example.test/o/acme/reviews/42/"
    )
    assert str(event["uid"]) == "review-42@" + calendar.site_host()
    assert int(event["sequence"]) == 3
    assert event.decoded("dtstart") == dt.date(2026, 12, 31)
    assert event.decoded("dtend") == dt.date(2027, 1, 1)
    assert str(event["status"]) == ("CANCELLED" if cancelled else "CONFIRMED")
    assert str(event["organizer"]) == "mailto:lead@example.test"
    assert event["organizer"].params["CN"] == 'Lee "the Boss", Ö; ^x'
    assert str(event["attendee"]) == "mailto:sam@example.test"
    assert event["attendee"].params["CN"] == "Sam: Staff, Ä"
    assert event["attendee"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert event["attendee"].params["RSVP"] == "FALSE"
    assert isinstance(event.decoded("dtstamp"), dt.datetime)


def test_a_feed_reads_back_as_written() -> None:
    due = calendar.CheckInDue(7, dt.date(2026, 12, 10), "NPS; score, \\ weekly", "Grow", "u")
    body = calendar.feed_calendar(name="Reviews, mine", reviews=[_event()], check_ins=[due])
    assert all(len(line) <= 75 for line in _lines(body.decode()))
    read = Calendar.from_ical(body)
    assert "method" not in read
    # A TEXT value, escaped as the others (the library reads unknown properties raw).
    assert b"X-WR-CALNAME:Reviews\\, mine" in _lines(body.decode())
    review, check_in = read.walk("VEVENT")
    assert str(review["summary"]) == f"30-day review: {AWKWARD}"
    assert "organizer" not in review and "attendee" not in review
    assert str(check_in["summary"]) == "Check-in due: NPS; score, \\ weekly"
    assert str(check_in["description"]) == "A check-in of “NPS; score, \\ weekly” (Grow): u"
    assert str(check_in["uid"]) == "check-in-7@" + calendar.site_host()
    assert check_in.decoded("dtstart") == dt.date(2026, 12, 10)


def test_a_line_is_never_folded_inside_a_character_or_an_escape() -> None:
    for width in range(60, 90):
        line = "SUMMARY:" + "a" * (width - 8) + "é\\,🙂" * 30
        folded = calendar._fold(line)
        parts = folded.split("\r\n ")
        assert "".join(parts) == line
        assert all(len(p.encode()) <= (75 if i == 0 else 74) for i, p in enumerate(parts))
        assert not any(p.endswith("\\") for p in parts[:-1])
