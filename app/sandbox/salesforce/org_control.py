"""Control API of the sandbox org at ``/_sandbox/salesforce``: its settings, its API usage and its Recycle Bin.

- ``GET /_sandbox/salesforce/org``: settings (Enhanced Email, duplicate rule, sharing defaults, daily API
  allocation), API requests used in the last 24 hours, record counts and the Recycle Bin's size.
- ``PATCH /_sandbox/salesforce/org``: change any of the settings, and ``api_requests_used`` to pretend that many
  requests were made (to reach the daily limit without making them).
- ``POST /_sandbox/salesforce/org/undelete``: ``{"ids": [...], "user": EMAIL}`` restores records from the Recycle
  Bin as that user would from Setup (Salesforce's REST API has no undelete; see COVERAGE.md).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, HTTPException, Request

from app.sandbox.salesforce.models import SalesforceOrg
from app.sandbox.salesforce.schema import OBJECTS

router = APIRouter(tags=["Sandbox: Salesforce org"])


def _org(request: Request) -> SalesforceOrg:
    return request.app.state.sandbox.backend("salesforce", SalesforceOrg)  # type: ignore[no-any-return]


def _status(org: SalesforceOrg) -> dict[str, Any]:
    org.housekeeping()
    return {
        "org_id": org.org_id,
        "instance_url": "https://sandbox.my.salesforce.com",
        "settings": org.settings.as_json(),
        "api_requests_used": org.usage.used(org.now()),
        "records": {name: sum(1 for r in org.rows(name) if not r.get("IsDeleted")) for name in OBJECTS},
        "recycle_bin": len({entry.root for entry in org.store.bin_entries().values()}),
    }


@router.get("/org", summary="The Salesforce org's settings, API usage and record counts")
async def get_org(request: Request) -> dict[str, Any]:
    """Show the org."""
    return _status(_org(request))


@router.patch("/org", summary="Change the Salesforce org's settings")
async def patch_org(request: Request, patch: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    """Apply settings such as ``{"enhanced_email": false}``, ``{"sharing": {"Contact": "Private"}}``,
    ``{"duplicate_rule": {"enabled": true, "action": "alert"}}``, ``{"daily_api_requests": 500}`` or
    ``{"api_requests_used": 499}``."""
    org = _org(request)
    settings_patch = {k: v for k, v in patch.items() if k != "api_requests_used"}
    used = patch.get("api_requests_used")
    if used is not None and (isinstance(used, bool) or not isinstance(used, int) or used < 0):
        raise HTTPException(422, "api_requests_used must be a non-negative integer")
    try:
        org.settings.apply(settings_patch)
    except ValueError as error:
        raise HTTPException(422, str(error)) from None
    if used is not None:
        org.usage.set_used(used)
    return _status(org)


@router.post("/org/undelete", summary="Restore records from the Salesforce org's Recycle Bin")
async def undelete(request: Request, payload: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    """Undelete ``ids`` as ``user`` (an admin of the org when no user is given); an UndeleteResult per id."""
    org = _org(request)
    ids = payload.get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise HTTPException(422, "ids must be a list of record ids")
    org.housekeeping()
    email = payload.get("user")
    caller = org.caller_for_email(email) if isinstance(email, str) else org.admin_caller()
    if caller is None:
        raise HTTPException(422, "user must be an active user of the org")
    return {"results": org.undelete(ids, caller)}
