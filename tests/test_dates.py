"""Dates at mixed precision: parsing, display, relative dates, ordering."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from briefgen.dates import DateError, epoch_day, parse_date, parse_offset, shift

D = dt.date


@pytest.mark.parametrize("text,lo,hi,precision,shown", [
    ("2023", D(2023, 1, 1), D(2023, 12, 31), "year", "2023"),
    ("2025-02", D(2025, 2, 1), D(2025, 2, 28), "month", "February 2025"),
    ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "month", "February 2024"),
    ("2025-09-24", D(2025, 9, 24), D(2025, 9, 24), "day", "24 September 2025"),
    ("2025-09-22~", D(2025, 9, 22), D(2025, 9, 22), "day", "c. 22 September 2025"),
    ("2025?", D(2025, 1, 1), D(2025, 12, 31), "year", "2025 (uncertain)"),
    ("2025-03/2025-05", D(2025, 3, 1), D(2025, 5, 31), "month", "March–May 2025"),
    ("../2032", None, D(2032, 12, 31), "year", "by 2032"),
    ("2025-09/..", D(2025, 9, 1), None, "month", "from September 2025"),
    ("2025-09-01/2025-09-03", D(2025, 9, 1), D(2025, 9, 3), "day", "1–3 September 2025"),
])
def test_parse_and_display(text, lo, hi, precision, shown):
    span = parse_date(text)
    assert (span.lo, span.hi, span.precision, span.display()) == (lo, hi, precision, shown)
    assert parse_date(span.edtf()) == span


def test_year_number_from_yaml_is_a_year():
    assert parse_date(2023).display() == "2023"


@pytest.mark.parametrize("text,message", [
    ("2025-02-29", "February 2025 has 28 days"),
    ("2025-13", "month 13 does not exist"),
    ("2025-05/2025-03", "ends before it starts"),
    ("../..", "open at both ends"),
    ("24/09/2025", "in the range '24/09/2025': '24' is not a date"),
    ("September 2025", "is not a date"),
    ("0000", "no year 0"),
])
def test_impossible_dates_are_refused(text, message):
    with pytest.raises(DateError, match=message):
        parse_date(text)


def test_relative_date_days_before_inherits_precision():
    conf = parse_date("2025-09-24")
    assert shift(conf, parse_offset("-P2D"), approximate=True).display() == "c. 22 September 2025"
    days_before = shift(conf, parse_offset("-P7D/-P1D"))
    assert (days_before.lo, days_before.hi) == (D(2025, 9, 17), D(2025, 9, 23))
    assert days_before.display() == "17–23 September 2025"


def test_relative_date_inherits_uncertainty_and_coarse_precision():
    base = parse_date("2025-02?")
    moved = shift(base, parse_offset("P1M"))
    assert moved.display() == "March 2025 (uncertain)"
    days = shift(parse_date("2025-02"), parse_offset("-P2D"))
    assert days.display() == "30 January – 26 February 2025"


def test_month_end_offsets_clamp():
    assert shift(parse_date("2025-01-31"), parse_offset("P1M")).display() == "28 February 2025"


@pytest.mark.parametrize("bad", ["two days", "P", "-P2D/-P7D", "P1D/P2D/P3D"])
def test_bad_offsets(bad):
    with pytest.raises(DateError):
        parse_offset(bad)


def test_mixed_precision_sort_order():
    texts = ["2025-09-24/..", "2025-09-24", "2025", "2025-02", "../2032", "2025-02-01", "2023/..", "2023",
             "2025-09-22~", "2025-01", "2025-03/2025-05", "2025-03/2025-04"]
    ordered = sorted(texts, key=lambda t: parse_date(t).sort_key())
    assert ordered == ["2023", "2023/..", "2025", "2025-01", "2025-02", "2025-02-01", "2025-03/2025-04",
                       "2025-03/2025-05", "2025-09-22~", "2025-09-24", "2025-09-24/..", "../2032"]


@pytest.mark.parametrize("base, offset, message", [
    ("9999-12-31", "P1D", "P1D from 9999-12-31 leaves the calendar (years 1 to 9999)"),
    ("9999-12", "P1M", "P1M from 9999-12-01 leaves the calendar"),
    ("0001-01-01", "-P1D", "-P1D from 0001-01-01 leaves the calendar"),
    ("2025-09-24", "-P4999Y", "-P4999Y from 2025-09-24 leaves the calendar"),
])
def test_relative_dates_that_leave_the_calendar_are_refused(base, offset, message):
    with pytest.raises(DateError, match=re.escape(message)):
        shift(parse_date(base), parse_offset(offset))


@pytest.mark.parametrize("offset", ["P99999999999999999999D", "P1000000000W", "-P5000Y", "P" + "9" * 5000 + "D"])
def test_offsets_longer_than_the_calendar_are_refused(offset):
    with pytest.raises(DateError, match="is longer than the calendar can hold"):
        parse_offset(offset)


@pytest.mark.parametrize("text, day", [("0", dt.date(1970, 1, 1)), (" 1767225600 ", dt.date(2026, 1, 1)),
                                       ("", None), (None, None)])
def test_source_date_epoch(text, day):
    assert epoch_day(text) == day


@pytest.mark.parametrize("text", ["abc", "1e9", "-5", "1.5", "٣", "99999999999999999"])
def test_source_date_epoch_that_is_not_seconds_is_refused(text):
    with pytest.raises(DateError):
        epoch_day(text)
