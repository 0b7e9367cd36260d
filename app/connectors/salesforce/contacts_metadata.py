"""What the Salesforce contact store knows of the org during a pass: the Contact describe (field lengths, readable
fields) and, in a list view scope, the view's SOQL; the subrequests that read them, and taking their answers in.

Both are kept in the cursor between passes (:mod:`app.connectors.salesforce.contacts_cursor`) and read again once a
day, riding in a call the store makes anyway.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from app.connectors.salesforce.client import Subrequest, SubResult, raise_for_result
from app.connectors.salesforce.contacts_mapping import ContactDescribe
from app.connectors.salesforce.contacts_soql import ListViewFilter
from app.sync.stores import StoreError

_DESCRIBE = "describe"
_VIEW = "listView"


@dataclass
class ContactMetadata:
    """The describe and the list view's filter (with a digest of its SOQL) as last read; ``view_id`` is the list
    view's, in a list view scope."""

    view_id: str | None
    describe: ContactDescribe | None = None
    view: ListViewFilter | None = None
    view_hash: str | None = None

    def subrequests(self) -> list[Subrequest]:
        """The subrequests that read the describe, then the list view's describe (when there is a list view)."""
        extras = [Subrequest(_DESCRIBE, "GET", "sobjects/Contact/describe")]
        if self.view_id is not None:
            extras.append(Subrequest(_VIEW, "GET", f"sobjects/Contact/listviews/{self.view_id}/describe"))
        return extras

    def take(self, results: Mapping[str, SubResult], *, refreshed_view: bool) -> bool:
        """Keep the describe and list view SOQL from ``results``; True when the list view's definition changed
        under a listing that already ran."""
        if _DESCRIBE in results:
            raise_for_result(results[_DESCRIBE])
            self.describe = ContactDescribe.from_body(results[_DESCRIBE].body)
        if _VIEW not in results:
            return False
        raise_for_result(results[_VIEW])
        body = results[_VIEW].body
        soql = str(body.get("query") or "") if isinstance(body, Mapping) else ""
        digest = hashlib.sha256(soql.encode("utf-8")).hexdigest()
        changed = digest != self.view_hash
        try:
            self.view = ListViewFilter.parse(soql)
        except ValueError as error:
            raise StoreError(f"Salesforce contacts: the list view cannot be synced: {error}") from None
        self.view_hash = digest
        return changed and refreshed_view

    def lengths(self) -> Mapping[str, int]:
        """The written fields' lengths (none before the describe is read)."""
        return self.describe.lengths if self.describe is not None else {}
