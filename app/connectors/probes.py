"""One cheap, authenticated call per vendor, to tell whether a connection works (the Connections page's
"Check" button, and tests). A 401 becomes AuthRevoked, so that the caller refreshes once and retries."""

from __future__ import annotations

import httpx

from app.connectors.errors import AuthRevoked, Throttled, VendorError, VendorUnavailable
from app.connectors.vendor_http import RebasingTransport
from app.models import Provider
from app.services.connections import VendorAccess

#: The REST API version the probe reads (its resource list needs a valid token and no other permission).
SALESFORCE_API_VERSION = "62.0"
PROBE_TIMEOUT_SECONDS = 15.0


def probe_url(access: VendorAccess) -> str:
    """The vendor URL the probe reads for ``access``."""
    if access.provider is Provider.SALESFORCE:
        return f"{(access.instance_url or '').rstrip('/')}/services/data/v{SALESFORCE_API_VERSION}/"
    if access.provider is Provider.MICROSOFT:
        return "https://graph.microsoft.com/v1.0/me?$select=id,userPrincipalName"
    return "https://tasks.googleapis.com/tasks/v1/users/@me/lists?maxResults=1"


def probe(access: VendorAccess, vendor_base_url: str | None) -> None:
    """Make the call; raise the vendor error tree's error when it does not succeed."""
    vendor = access.provider.value
    if access.provider is Provider.SALESFORCE and not access.instance_url:
        raise VendorError(vendor, "the connection has no instance URL")
    transport: httpx.BaseTransport = RebasingTransport(vendor_base_url) if vendor_base_url else httpx.HTTPTransport()
    with httpx.Client(transport=transport, timeout=PROBE_TIMEOUT_SECONDS) as client:
        try:
            response = client.get(probe_url(access), headers={"Authorization": f"Bearer {access.access_token}"})
        except httpx.HTTPError:
            raise VendorUnavailable(vendor, "the vendor could not be reached") from None
    if response.status_code == 401:
        raise AuthRevoked(vendor, "the access token was refused")
    if response.status_code == 429:
        retry_after = response.headers.get("retry-after", "")
        raise Throttled(vendor, "too many requests", float(retry_after) if retry_after.isdigit() else None)
    if response.status_code >= 500:
        raise VendorUnavailable(vendor, f"the vendor answered {response.status_code}")
    if response.status_code >= 400:
        raise VendorError(vendor, f"the vendor answered {response.status_code}")
