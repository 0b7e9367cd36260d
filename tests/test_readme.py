"""The README stays true: its configuration table matches the Settings class, and its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic.fields import FieldInfo

from app.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"
MAKEFILE = README.parent / "Makefile"


def _default(field: FieldInfo) -> str:
    default = field.get_default(call_default_factory=True)
    return "(none)" if default is None else f"`{default}`"


def expected_settings_table() -> str:
    """The configuration table as the code defines it."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        rows.append(f"| `CRMBRIDGE_{name.upper()}` | {_default(field)} | {field.description} |")
    return "\n".join(rows)


def test_configuration_table_matches_the_settings() -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- settings-table:start -->\n(.*?)\n<!-- settings-table:end -->", text, re.DOTALL)
    assert match, "the README lost its settings-table markers"
    expected = expected_settings_table()
    assert match.group(1) == expected, "README configuration table is stale; replace it with:\n" + expected


def test_every_setting_has_a_description() -> None:
    assert all(field.description for field in Settings.model_fields.values())


def test_quick_start_commands_are_make_targets() -> None:
    quick_start = README.read_text(encoding="utf-8").split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick_start, re.DOTALL)
    assert [command.split("#")[0].strip() for command in commands] == ["make run", "make test"]
    targets = re.findall(r"^([a-z]+):", MAKEFILE.read_text(encoding="utf-8"), re.MULTILINE)
    assert {"run", "test"} <= set(targets)
