"""The org's duplicate rules: Contact and Lead records match on Email (case-insensitive), when switched on.

A "block" rule refuses the save. An "alert" rule refuses it too unless the request sends
``Sforce-Duplicate-Rule-Header: allowSave=true``, which Salesforce honours only for alert rules. The error
carries the ``duplicateResult`` Salesforce returns: the rule, the matching records, the match engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.sandbox.salesforce.exceptions import DUPLICATES_DETECTED, ApiError, ErrorItem
from app.sandbox.salesforce.org_settings import OrgSettings

RULED_OBJECTS = ("Contact", "Lead")
ERROR_MESSAGE = "Use one of these records?"
RESULT_MESSAGE = "You're creating a duplicate record. We recommend you use an existing record instead."


@dataclass(frozen=True)
class DuplicateRuleHeader:
    """The ``Sforce-Duplicate-Rule-Header`` options (all false by default)."""

    allow_save: bool = False
    include_record_details: bool = False
    run_as_current_user: bool = False

    @classmethod
    def parse(cls, value: str | None) -> DuplicateRuleHeader:
        """Parse ``allowSave=true; includeRecordDetails=true; runAsCurrentUser=true``."""
        options: dict[str, bool] = {}
        for part in (value or "").split(";"):
            key, _, flag = part.partition("=")
            options[key.strip().lower()] = flag.strip().lower() == "true"
        return cls(
            allow_save=options.get("allowsave", False),
            include_record_details=options.get("includerecorddetails", False),
            run_as_current_user=options.get("runascurrentuser", False),
        )


def check_duplicates(
    settings: OrgSettings,
    sobject: str,
    row: Mapping[str, Any],
    candidates: Iterable[Mapping[str, Any]],
    *,
    header: DuplicateRuleHeader,
    api_version: str,
) -> None:
    """Raise DUPLICATES_DETECTED if ``row`` matches live ``candidates`` on Email and the rule stops the save."""
    if not settings.duplicate_rule_enabled or sobject not in RULED_OBJECTS:
        return
    email = (row.get("Email") or "").strip().lower()
    if not email:
        return
    matches = [
        candidate
        for candidate in candidates
        if candidate["Id"] != row["Id"]
        and not candidate.get("IsDeleted")
        and (candidate.get("Email") or "").strip().lower() == email
    ]
    if not matches:
        return
    alert = settings.duplicate_rule_action == "alert"
    if alert and header.allow_save:
        return
    raise ApiError(400, [duplicate_error(sobject, matches, alert, header, api_version)])


def duplicate_error(
    sobject: str, matches: list[Mapping[str, Any]], allow_save: bool, header: DuplicateRuleHeader, api_version: str
) -> ErrorItem:
    """The DUPLICATES_DETECTED error with its ``duplicateResult``."""
    records = []
    for match in matches:
        record: dict[str, Any] = {
            "attributes": {"type": sobject, "url": f"/services/data/v{api_version}/sobjects/{sobject}/{match['Id']}"},
            "Id": match["Id"],
        }
        if header.include_record_details:
            record.update({k: v for k, v in match.items() if k != "Id"})
        records.append({"additionalInformation": [], "fieldDiffs": [], "matchConfidence": 100.0, "record": record})
    result = {
        "allowSave": allow_save,
        "duplicateRule": f"{sobject}_Email_Duplicate_Rule",
        "duplicateRuleEntityType": sobject,
        "errorMessage": RESULT_MESSAGE,
        "matchResults": [
            {
                "entityType": sobject,
                "errors": [],
                "matchEngine": "ExactMatchEngine",
                "matchRecords": records,
                "rule": f"{sobject}_Email_Match_Rule",
                "size": len(records),
                "success": True,
            }
        ],
    }
    return ErrorItem(DUPLICATES_DETECTED, ERROR_MESSAGE, (), (("duplicateResult", result),))
