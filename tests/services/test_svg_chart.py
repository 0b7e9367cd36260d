"""The activity chart: well-formed, accessible SVG whose bars are proportional to the data, with every text
escaped and nothing that could run or fetch anything."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from app.services import svg_chart
from app.services.svg_chart import activity_chart, day_summary, describe

SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Day:
    day: date
    passes: int = 0
    changes: int = 0
    errors: int = 0
    failed_passes: int = 0


def month(values: list[tuple[int, int, int, int]], first: date = date(2025, 4, 14)) -> list[Day]:
    return [Day(first + timedelta(days=i), *value) for i, value in enumerate(values)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-day"]


def bar(group: ET.Element, css: str) -> ET.Element:
    found = [rect for rect in group.iter(f"{SVG}rect") if rect.get("class") == css]
    assert len(found) == 1, f"{css}: {len(found)} bars"
    return found[0]


def heights(root: ET.Element, css: str) -> list[float]:
    return [float(bar(group, css).get("height", "nan")) for group in groups(root)]


def test_one_group_per_day_with_bars_proportional_to_the_values() -> None:
    values = [(i % 4, (i * 7) % 23, 0, 0) for i in range(30)]
    values[5] = (8, 40, 0, 0)
    days = month(values)
    root = parse(activity_chart(days, title="Activity"))

    assert [g.get("data-day") for g in groups(root)] == [d.day.isoformat() for d in days]
    passes, changes = heights(root, "bar-passes"), heights(root, "bar-changes")
    tallest = max(passes)
    assert tallest > 0 and passes.index(tallest) == 5 and changes.index(max(changes)) == 5
    # The tallest bars fill their panels, up to the top of the scale, which reads the largest value.
    assert tallest == pytest.approx(svg_chart.PASSES_BOTTOM - svg_chart.PASSES_TOP)
    assert max(changes) == pytest.approx(svg_chart.CHANGES_BOTTOM - svg_chart.CHANGES_TOP)
    for day, height in zip(days, passes, strict=True):
        assert height == pytest.approx(tallest * day.passes / 8, abs=0.01)
    for day, height in zip(days, changes, strict=True):
        assert height == pytest.approx(max(changes) * day.changes / 40, abs=0.01)
    # Bars stand on a common baseline per panel and sit left to right in day order.
    for css in ("bar-passes", "bar-changes"):
        rects = [bar(g, css) for g in groups(root)]
        bottoms = {round(float(r.get("y", "0")) + float(r.get("height", "0")), 2) for r in rects}
        assert len(bottoms) == 1
        xs = [float(r.get("x", "0")) for r in rects]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)


def test_days_with_errors_are_marked_and_the_others_are_not() -> None:
    values = [(1, 2, 0, 0)] * 30
    values[3] = (2, 5, 3, 0)
    values[20] = (1, 0, 0, 1)
    root = parse(activity_chart(month(values), title="Activity"))

    marked = [g.get("data-day") for g in groups(root) if any(p.get("class") == "error-mark" for p in g.iter())]
    assert marked == ["2025-04-17", "2025-05-04"]
    titles = [g.find(f"{SVG}title") for g in groups(root)]
    assert titles[3] is not None and titles[3].text == "17 Apr 2025: 2 passes, 5 changes, 3 item errors"
    assert titles[20] is not None and titles[20].text == "4 May 2025: 1 pass, 0 changes, 1 failed pass"


def test_accessible_name_description_and_axes() -> None:
    values = [(0, 0, 0, 0)] * 30
    values[29] = (3, 12, 1, 0)
    values[10] = (1, 4, 0, 0)
    svg = activity_chart(month(values), title="Your sync activity", chart_id="mine")
    root = parse(svg)

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "mine-title" and root.get("aria-describedby") == "mine-desc"
    assert root.get("viewBox") and root.get("width") is None and root.get("height") is None
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.get("id") == "mine-title" and title.text == "Your sync activity"
    assert desc is not None and desc.get("id") == "mine-desc"
    assert desc.text == (
        "From 14 Apr 2025 to 13 May 2025: 4 passes and 16 changes in all. The busiest day was 13 May with "
        "12 changes. Errors on 1 day: 13 May (1 item error)."
    )
    labels = [t.text for t in root.iter(f"{SVG}text")]
    for label in ("Passes", "Changes", "Errors", "14 Apr", "13 May", "3", "12", "0"):
        assert label in labels, label


def test_every_text_is_escaped_and_nothing_runs_or_loads() -> None:
    hostile = '<script>alert("x")</script> & <a href="https://evil.example">'
    svg = activity_chart(month([(1, 1, 0, 0)] * 30), title=hostile)
    root = parse(svg)

    title = root.find(f"{SVG}title")
    assert title is not None and title.text == hostile  # the same text, as text
    assert "<script" not in svg and "<a " not in svg
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= {"svg", "title", "desc", "g", "rect", "path", "line", "text"}
    attributes = " ".join(f"{k}={v}" for element in root.iter() for k, v in element.attrib.items())
    assert "href" not in attributes and "url(" not in attributes and "style" not in attributes
    assert not any(key.startswith("on") for element in root.iter() for key in element.attrib)


def test_no_data_and_a_quiet_month() -> None:
    empty = parse(activity_chart([], title="Nothing"))
    assert groups(empty) == []
    desc = empty.find(f"{SVG}desc")
    assert desc is not None and desc.text == "No days to show."

    quiet = parse(activity_chart(month([(0, 0, 0, 0)] * 30), title="Quiet"))
    assert len(groups(quiet)) == 30
    assert set(heights(quiet, "bar-passes")) == {0.0} and set(heights(quiet, "bar-changes")) == {0.0}
    desc = quiet.find(f"{SVG}desc")
    assert desc is not None and desc.text == "From 14 Apr 2025 to 13 May 2025: no sync passes."


def test_many_error_days_are_summed_up() -> None:
    days = month([(1, 1, 1, 0)] * 30)
    assert describe(days).endswith(
        "14 Apr (1 item error); 15 Apr (1 item error); 16 Apr (1 item error); "
        "17 Apr (1 item error); 18 Apr (1 item error); and 25 more days."
    )
    assert day_summary(days[0]) == "14 Apr 2025: 1 pass, 1 change, 1 item error"


@pytest.mark.parametrize("bad", ["", "Has Space", 'x"y', "1starts-with-digit", "a" * 60])
def test_chart_ids_are_checked(bad: str) -> None:
    with pytest.raises(ValueError, match="chart id"):
        activity_chart([], title="x", chart_id=bad)
