"""Expanding patterned recurrences into dates (pure functions, no server)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.sandbox.microsoft.exceptions import GraphError
from app.sandbox.microsoft.recurrence import normalize, occurrence_dates


def _dates(pattern: dict[str, Any], range_: dict[str, Any], until: date | None = None) -> list[str]:
    recurrence = normalize({"pattern": pattern, "range": range_}, date(2030, 1, 1), "UTC")
    return [d.isoformat() for d in occurrence_dates(recurrence, until)]


def test_daily_every_other_day_until_an_end_date() -> None:
    assert _dates(
        {"type": "daily", "interval": 2}, {"type": "endDate", "startDate": "2030-01-01", "endDate": "2030-01-07"}
    ) == [
        "2030-01-01",
        "2030-01-03",
        "2030-01-05",
        "2030-01-07",
    ]


def test_weekly_on_two_days_every_other_week_numbered() -> None:
    pattern = {"type": "weekly", "interval": 2, "daysOfWeek": ["tuesday", "thursday"], "firstDayOfWeek": "sunday"}
    assert _dates(pattern, {"type": "numbered", "startDate": "2030-01-03", "numberOfOccurrences": 5}) == [
        "2030-01-03",
        "2030-01-15",
        "2030-01-17",
        "2030-01-29",
        "2030-01-31",
    ]


def test_absolute_monthly_clamps_to_the_last_day() -> None:
    pattern = {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31}
    assert _dates(pattern, {"type": "numbered", "startDate": "2030-01-01", "numberOfOccurrences": 3}) == [
        "2030-01-31",
        "2030-02-28",
        "2030-03-31",
    ]


def test_relative_monthly_last_friday_and_second_weekday() -> None:
    last_friday = {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["friday"], "index": "last"}
    assert _dates(last_friday, {"type": "numbered", "startDate": "2030-01-01", "numberOfOccurrences": 2}) == [
        "2030-01-25",
        "2030-02-22",
    ]
    weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday"]
    second = {"type": "relativeMonthly", "interval": 3, "daysOfWeek": weekdays, "index": "second"}
    assert _dates(second, {"type": "numbered", "startDate": "2030-06-01", "numberOfOccurrences": 2}) == [
        "2030-06-04",
        "2030-09-03",
    ]


def test_yearly_patterns() -> None:
    absolute = {"type": "absoluteYearly", "interval": 1, "dayOfMonth": 29, "month": 2}
    assert _dates(absolute, {"type": "numbered", "startDate": "2030-01-01", "numberOfOccurrences": 3}) == [
        "2030-02-28",
        "2031-02-28",
        "2032-02-29",
    ]
    relative = {"type": "relativeYearly", "interval": 1, "daysOfWeek": ["thursday"], "index": "fourth", "month": 11}
    assert _dates(relative, {"type": "endDate", "startDate": "2030-01-01", "endDate": "2031-12-31"}) == [
        "2030-11-28",
        "2031-11-27",
    ]


def test_no_end_stops_at_the_window() -> None:
    assert (
        len(_dates({"type": "daily", "interval": 1}, {"type": "noEnd", "startDate": "2030-01-01"}, date(2030, 1, 31)))
        == 31
    )


def test_normalized_recurrence_has_every_member() -> None:
    recurrence = normalize(
        {
            "pattern": {"type": "Weekly", "daysOfWeek": ["Monday"]},
            "range": {"type": "NoEnd", "startDate": "2030-01-06"},
        },
        date(2030, 1, 1),
        "Pacific Standard Time",
    )
    assert recurrence == {
        "pattern": {
            "type": "weekly",
            "interval": 1,
            "month": 0,
            "dayOfMonth": 0,
            "daysOfWeek": ["monday"],
            "firstDayOfWeek": "sunday",
            "index": "first",
        },
        "range": {
            "type": "noEnd",
            "startDate": "2030-01-06",
            "endDate": "0001-01-01",
            "recurrenceTimeZone": "Pacific Standard Time",
            "numberOfOccurrences": 0,
        },
    }


@pytest.mark.parametrize(
    "pattern",
    [
        {"type": "weekly", "interval": 1},
        {"type": "absoluteMonthly", "interval": 1},
        {"type": "hourly", "interval": 1},
        {"type": "daily", "interval": 0},
    ],
)
def test_invalid_patterns_are_refused(pattern: dict[str, Any]) -> None:
    with pytest.raises(GraphError) as caught:
        normalize({"pattern": pattern, "range": {"type": "noEnd", "startDate": "2030-01-01"}}, date(2030, 1, 1), "UTC")
    assert caught.value.status == 400 and caught.value.code == "ErrorPropertyValidationFailure"
