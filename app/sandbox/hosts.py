"""The vendor hosts the sandbox serves under the addressing rule ``https://HOST/PATH`` -> ``{base}/HOST/PATH``."""

from __future__ import annotations

from app.sandbox.tokens import Provider

SALESFORCE_LOGIN_HOST = "login.salesforce.com"
SALESFORCE_INSTANCE_HOST = "sandbox.my.salesforce.com"

HOST_PROVIDERS: dict[str, Provider] = {
    SALESFORCE_LOGIN_HOST: "salesforce",
    "test.salesforce.com": "salesforce",
    SALESFORCE_INSTANCE_HOST: "salesforce",
    "login.microsoftonline.com": "microsoft",
    "graph.microsoft.com": "microsoft",
    "accounts.google.com": "google",
    "oauth2.googleapis.com": "google",
    "www.googleapis.com": "google",
    "people.googleapis.com": "google",
    "tasks.googleapis.com": "google",
    "gmail.googleapis.com": "google",
    "openidconnect.googleapis.com": "google",
}


def host_of(path: str) -> str:
    """The first segment of a sandbox path: the vendor host under the addressing rule."""
    return path.lstrip("/").split("/", 1)[0]


def provider_for_path(path: str) -> Provider | None:
    """The vendor whose host is the first segment of ``path`` (``/graph.microsoft.com/v1.0/me`` -> microsoft)."""
    return HOST_PROVIDERS.get(host_of(path))
