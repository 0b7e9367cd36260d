"""Building SoqlError messages the way Salesforce words them.

Salesforce prefixes query errors with the offending line, a caret under the offending column and
"ERROR at Row:r:Column:c", e.g.::

    SELECT Id, Nmae FROM Account
               ^
    ERROR at Row:1:Column:12
    No such column 'Nmae' on entity 'Account'. ...
"""

from __future__ import annotations

from app.sandbox.salesforce.soql.source import SoqlError

MALFORMED_QUERY = "MALFORMED_QUERY"
MALFORMED_SEARCH = "MALFORMED_SEARCH"
INVALID_FIELD = "INVALID_FIELD"
INVALID_TYPE = "INVALID_TYPE"
INVALID_QUERY_FILTER_OPERATOR = "INVALID_QUERY_FILTER_OPERATOR"
NUMBER_OUTSIDE_VALID_RANGE = "NUMBER_OUTSIDE_VALID_RANGE"


def located_error(error_code: str, text: str, line: int, column: int, message: str) -> SoqlError:
    """Return a SoqlError whose message points at (line, column) of the statement text, both 1-based."""
    lines = text.splitlines() or [""]
    row_text = lines[line - 1] if 0 < line <= len(lines) else lines[-1]
    caret = " " * max(column - 1, 0) + "^"
    return SoqlError(error_code, f"\n{row_text}\n{caret}\nERROR at Row:{line}:Column:{column}\n{message}")


def no_such_column(field: str, sobject: str) -> str:
    """The INVALID_FIELD message for an unknown field."""
    return (
        f"No such column '{field}' on entity '{sobject}'. If you are attempting to use a custom field, be sure to "
        "append the '__c' after the custom field name. Please reference your WSDL or the describe call for the "
        "appropriate names."
    )


def unsupported_sobject(sobject: str) -> str:
    """The INVALID_TYPE message for an unknown sObject."""
    return (
        f"sObject type '{sobject}' is not supported. If you are attempting to use a custom object, be sure to "
        "append the '__c' after the entity name. Please reference your WSDL or the describe call for the "
        "appropriate names."
    )


def unknown_relationship(name: str, where: str) -> str:
    """The message for an unknown relationship; where is 'field path' or 'FROM part of query call'."""
    return (
        f"Didn't understand relationship '{name}' in {where}. If you are attempting to use a custom relationship, "
        "be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the "
        "describe call for the appropriate names."
    )
