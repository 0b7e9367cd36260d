"""The Salesforce Contact list views a user can pick for the "list view" contact scope.

They are read with the user's own connection (:class:`~app.services.salesforce_access.RepSalesforce`), so the org's
sharing decides which views they see: one ``GET /services/data/vXX.X/sobjects/Contact/listviews``, sent as the only
subrequest of a composite call (one API request either way). Failing to list them is not an error of the page that
asks: :func:`contact_list_views` says why, in words, and the page offers a text field for the id instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.connectors.errors import AuthRevoked, LimitExceeded, Throttled, VendorError
from app.connectors.salesforce.client import SalesforceClient, Subrequest, raise_for_result
from app.errors import ConnectionUnavailable
from app.services.salesforce_access import RepSalesforce

_REFERENCE = "contactListViews"
#: The List Views resource of the Contact object, relative to ``/services/data/vXX.X/``.
LIST_VIEWS_PATH = "sobjects/Contact/listviews"


@dataclass(frozen=True)
class ListView:
    """One Contact list view: its id (``00B...``) and the name Salesforce shows."""

    id: str
    label: str


@dataclass(frozen=True)
class ListViewChoices:
    """The list views to pick from, or why there are none to pick from.

    ``views`` is None when they could not be read; ``problem`` then says why, for the person on the page.
    ``incomplete`` is True when Salesforce had more views than one answer holds (only the first are listed).
    """

    views: tuple[ListView, ...] | None
    problem: str | None = None
    incomplete: bool = False

    def label_of(self, view_id: object) -> str | None:
        """The name of the view with this id (15 or 18 characters), or None when it is not listed."""
        if not isinstance(view_id, str) or not view_id:
            return None
        for view in self.views or ():
            if view.id[:15] == view_id[:15]:
                return view.label
        return None


def contact_list_views(salesforce: RepSalesforce, *, checkpoint: Callable[[], None] | None = None) -> ListViewChoices:
    """The Contact list views the user sees in their org, by name; never raises for a vendor or connection
    problem (the answer says what went wrong instead).

    ``checkpoint`` runs once the user's connection is read (its token renewed if it was about to expire) and before
    Salesforce is called: the request boundary's chance to end its transaction, so that no database connection waits
    on Salesforce.
    """
    try:
        salesforce.access  # noqa: B018  (reads the connection)
        if checkpoint is not None:
            checkpoint()
        body = salesforce.call(_read_list_views)
    except ConnectionUnavailable as exc:
        return ListViewChoices(None, exc.message)
    except AuthRevoked:
        return ListViewChoices(None, "Salesforce does not accept your connection any more; connect Salesforce again.")
    except (Throttled, LimitExceeded):
        return ListViewChoices(None, "Salesforce is not taking more requests from your org just now.")
    except VendorError:
        return ListViewChoices(None, "Salesforce did not give crmbridge your org's list views just now.")
    return _choices(body)


def _read_list_views(client: SalesforceClient) -> Any:
    answers = client.composite([Subrequest(_REFERENCE, "GET", LIST_VIEWS_PATH)], all_or_none=False)
    result = answers[_REFERENCE]
    raise_for_result(result)
    return result.body


def _choices(body: Any) -> ListViewChoices:
    """The views of a List Views answer that a sync can use (their SOQL can be read), sorted by name."""
    if not isinstance(body, Mapping) or not isinstance(body.get("listviews"), list):
        return ListViewChoices(None, "Salesforce answered with something that is not a list of list views.")
    views: dict[str, ListView] = {}
    for item in body["listviews"]:
        if not isinstance(item, Mapping) or item.get("soqlCompatible") is False:
            continue
        view_id, label = item.get("id"), item.get("label")
        if isinstance(view_id, str) and view_id and isinstance(label, str):
            views.setdefault(view_id, ListView(view_id, label or view_id))
    ordered = tuple(sorted(views.values(), key=lambda view: (view.label.casefold(), view.id)))
    return ListViewChoices(ordered, incomplete=body.get("done") is False or bool(body.get("nextRecordsUrl")))
