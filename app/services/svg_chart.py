"""An accessible SVG chart of daily sync activity, drawn on the server (no script, no external reference).

One group per day holds that day's bar of passes (top panel), its bar of changes (middle panel) and, when
something went wrong, an error mark (bottom row). Each panel has its own scale, from 0 to the largest value of its
series, so bar heights are proportional to the values within a series. The chart is sized by its ``viewBox`` only,
so it scales to the width of its container (the Outlook task pane is about 350 px wide). ``role="img"`` with a
``<title>`` and a ``<desc>`` that summarises the data makes it one image for assistive technology; the page should
offer the numbers as a table too. The title names the image (``aria-labelledby``) and the description
describes it (``aria-describedby``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Protocol
from xml.sax.saxutils import escape, quoteattr

WIDTH = 320
HEIGHT = 212
LEFT = 40  # room for the series names and the scale
RIGHT = 6
PASSES_TOP, PASSES_BOTTOM = 20, 76
CHANGES_TOP, CHANGES_BOTTOM = 100, 156
ERRORS_ROW = 172
DATES_ROW = 198
FONT_SIZE = 11
BAR_SHARE = 0.7  # the share of a day's slot its bars take
PASSES_COLOUR = "#0b5cad"
CHANGES_COLOUR = "#1a7f37"
ERROR_COLOUR = "#b42318"
TEXT_COLOUR = "#1b1f24"
AXIS_COLOUR = "#57606a"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: How many error days the description names before summing up the rest.
NAMED_ERROR_DAYS = 5
_CHART_ID = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


class DayValues(Protocol):
    """One day's activity, as the chart reads it."""

    @property
    def day(self) -> date:
        """The day (UTC)."""

    @property
    def passes(self) -> int:
        """Sync passes started that day."""

    @property
    def changes(self) -> int:
        """Items created, updated or deleted on either side."""

    @property
    def errors(self) -> int:
        """Items that failed."""

    @property
    def failed_passes(self) -> int:
        """Passes that failed or were stopped."""


def day_label(day: date, *, year: bool = False) -> str:
    """``13 May`` (or ``13 May 2025``), the same in every locale."""
    label = f"{day.day} {MONTHS[day.month - 1]}"
    return f"{label} {day.year}" if year else label


def _plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 change``, ``2 changes`` (``nouns`` for irregular plurals: ``2 passes``)."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def trouble_words(errors: int, failed_passes: int) -> str:
    """``3 item errors and 1 failed pass``, or an empty string when nothing went wrong."""
    parts = []
    if errors:
        parts.append(_plural(errors, "item error"))
    if failed_passes:
        parts.append(_plural(failed_passes, "failed pass", "failed passes"))
    return " and ".join(parts)


def day_summary(values: DayValues) -> str:
    """One day in words: ``13 May 2025: 4 passes, 17 changes, 1 item error``."""
    words = f"{day_label(values.day, year=True)}: {_plural(values.passes, 'pass', 'passes')}, "
    words += _plural(values.changes, "change")
    trouble = trouble_words(values.errors, values.failed_passes)
    return f"{words}, {trouble}" if trouble else words


def describe(days: Sequence[DayValues]) -> str:
    """The data in a few sentences: totals, the busiest day, and the days on which something went wrong."""
    if not days:
        return "No days to show."
    span = f"From {day_label(days[0].day, year=True)} to {day_label(days[-1].day, year=True)}"
    passes = sum(d.passes for d in days)
    if passes == 0:
        return f"{span}: no sync passes."
    changes = sum(d.changes for d in days)
    sentences = [f"{span}: {_plural(passes, 'pass', 'passes')} and {_plural(changes, 'change')} in all."]
    busiest = max(days, key=lambda d: (d.changes, d.day))
    if busiest.changes:
        sentences.append(f"The busiest day was {day_label(busiest.day)} with {_plural(busiest.changes, 'change')}.")
    troubled = [d for d in days if d.errors or d.failed_passes]
    if troubled:
        named = "; ".join(
            f"{day_label(d.day)} ({trouble_words(d.errors, d.failed_passes)})" for d in troubled[:NAMED_ERROR_DAYS]
        )
        rest = len(troubled) - NAMED_ERROR_DAYS
        more = f"; and {_plural(rest, 'more day')}" if rest > 0 else ""
        sentences.append(f"Errors on {_plural(len(troubled), 'day')}: {named}{more}.")
    else:
        sentences.append("No errors.")
    return " ".join(sentences)


def _number(value: float) -> str:
    """A coordinate with at most two decimals, without trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text(x: float, y: float, content: str, *, anchor: str = "start", css: str = "chart-label") -> str:
    return (
        f'<text class="{css}" x="{_number(x)}" y="{_number(y)}" text-anchor="{anchor}" '
        f'font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">{escape(content)}</text>'
    )


def _bar(x: float, width: float, bottom: float, height: float, *, css: str, colour: str) -> str:
    return (
        f'<rect class="{css}" x="{_number(x)}" y="{_number(bottom - height)}" width="{_number(width)}" '
        f'height="{_number(height)}" fill="{colour}"/>'
    )


def _scale(top: float, bottom: float, maximum: int, name: str) -> list[str]:
    """A panel's name, its baseline, and the scale's two ends (0 and the largest value)."""
    return [
        _text(0, top - 6, name),
        f'<line class="chart-axis" x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"/>',
        _text(LEFT - 4, top + FONT_SIZE - 2, str(maximum), anchor="end", css="chart-scale"),
        _text(LEFT - 4, bottom, "0", anchor="end", css="chart-scale"),
    ]


def activity_chart(days: Sequence[DayValues], *, title: str, chart_id: str = "activity-chart") -> str:
    """The SVG (a string, safe to embed in HTML as it is) of ``days``, oldest first.

    ``title`` names the chart (escaped here); ``chart_id`` prefixes the ids of its title and description and
    must be a short lowercase name (ValueError otherwise), unique on the page.
    """
    if not _CHART_ID.match(chart_id):
        raise ValueError(f"not a usable chart id: {chart_id!r}")
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    bar_width = slot * BAR_SHARE
    most_passes = max((d.passes for d in days), default=0)
    most_changes = max((d.changes for d in days), default=0)
    panel = PASSES_BOTTOM - PASSES_TOP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="activity-chart" id={quoteattr(chart_id)} '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{title_id}" aria-describedby="{desc_id}" '
        f'preserveAspectRatio="xMidYMid meet">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(describe(days))}</desc>',
        *_scale(PASSES_TOP, PASSES_BOTTOM, most_passes, "Passes"),
        *_scale(CHANGES_TOP, CHANGES_BOTTOM, most_changes, "Changes"),
        _text(0, ERRORS_ROW + 4, "Errors"),
    ]
    for index, values in enumerate(days):
        x = LEFT + index * slot + (slot - bar_width) / 2
        passes_height = panel * values.passes / most_passes if most_passes else 0.0
        changes_height = panel * values.changes / most_changes if most_changes else 0.0
        group = [
            f'<g class="chart-day" data-day="{values.day.isoformat()}">',
            f"<title>{escape(day_summary(values))}</title>",
            _bar(x, bar_width, PASSES_BOTTOM, passes_height, css="bar-passes", colour=PASSES_COLOUR),
            _bar(x, bar_width, CHANGES_BOTTOM, changes_height, css="bar-changes", colour=CHANGES_COLOUR),
        ]
        if values.errors or values.failed_passes:
            middle, half = x + bar_width / 2, max(bar_width / 2, 3)
            group.append(
                f'<path class="error-mark" d="M{_number(middle)} {ERRORS_ROW - 5} '
                f'L{_number(middle + half)} {ERRORS_ROW + 5} L{_number(middle - half)} {ERRORS_ROW + 5} Z" '
                f'fill="{ERROR_COLOUR}"/>'
            )
        group.append("</g>")
        parts.extend(group)
    if days:
        parts.append(_text(LEFT, DATES_ROW, day_label(days[0].day)))
        parts.append(_text(WIDTH - RIGHT, DATES_ROW, day_label(days[-1].day), anchor="end"))
        if len(days) > 2:
            middle_day = days[len(days) // 2]
            centre = LEFT + (len(days) // 2) * slot + slot / 2
            parts.append(_text(centre, DATES_ROW, day_label(middle_day.day), anchor="middle"))
    parts.append("</svg>")
    return "".join(parts)
