"""What the Salesforce event and task stores need from an object's describe: the lengths of the text fields they
write and the default values of its picklists (a task's default open Status and default Priority).

Kept in the store's cursor and read again once a day, riding in the listing's call
(:mod:`app.connectors.salesforce.activities_cursor`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from app.connectors.salesforce.client import Subrequest, SubResult, raise_for_result
from app.connectors.salesforce.describe_fields import field_lengths, fields_by_name

#: The reference id of the describe subrequest.
DESCRIBE_REFERENCE = "describe"


@dataclass(frozen=True)
class ActivityDescribe:
    """Field lengths (characters) and picklist defaults of an Event or Task, by field name."""

    lengths: Mapping[str, int]
    defaults: Mapping[str, str]

    @classmethod
    def from_body(cls, body: Any, text_fields: tuple[str, ...]) -> ActivityDescribe:
        """From a ``sobjects/{type}/describe`` answer; lengths of ``text_fields``, every picklist's default."""
        by_name = fields_by_name(body)
        lengths = field_lengths(by_name, text_fields)
        defaults: dict[str, str] = {}
        for name, item in by_name.items():
            for value in item.get("picklistValues") or ():
                if isinstance(value, Mapping) and value.get("defaultValue") and value.get("active", True):
                    defaults[name] = str(value.get("value"))
                    break
        return cls(MappingProxyType(lengths), MappingProxyType(defaults))

    def to_json(self) -> dict[str, Any]:
        """A JSON form for the cursor."""
        return {"lengths": dict(self.lengths), "defaults": dict(self.defaults)}

    @classmethod
    def from_json(cls, data: Any) -> ActivityDescribe | None:
        """Back from :meth:`to_json`; None when ``data`` is not one."""
        if not isinstance(data, Mapping):
            return None
        lengths, defaults = data.get("lengths"), data.get("defaults")
        if not isinstance(lengths, Mapping) or not isinstance(defaults, Mapping):
            return None
        return cls(
            MappingProxyType({str(k): int(v) for k, v in lengths.items() if isinstance(v, int)}),
            MappingProxyType({str(k): str(v) for k, v in defaults.items()}),
        )


def describe_subrequest(sobject: str) -> Subrequest:
    """The subrequest that reads ``sobject``'s describe."""
    return Subrequest(DESCRIBE_REFERENCE, "GET", f"sobjects/{sobject}/describe")


def describe_from(results: Mapping[str, SubResult], text_fields: tuple[str, ...]) -> ActivityDescribe | None:
    """The describe among a call's results, when it was asked for (raises the vendor error when it failed)."""
    result = results.get(DESCRIBE_REFERENCE)
    if result is None:
        return None
    raise_for_result(result)
    return ActivityDescribe.from_body(result.body, text_fields)
