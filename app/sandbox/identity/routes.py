"""The identity providers' routers, by the vendor host each one serves."""

from __future__ import annotations

from fastapi import APIRouter

from app.sandbox.identity import google, microsoft, salesforce


def identity_routers() -> list[tuple[str, APIRouter]]:
    """(host, router) pairs of the three identity providers, to mount at ``/{host}``."""
    return [
        ("login.salesforce.com", salesforce.router),
        ("test.salesforce.com", salesforce.router),
        ("login.microsoftonline.com", microsoft.login_router),
        ("graph.microsoft.com", microsoft.graph_router),
        ("accounts.google.com", google.accounts_router),
        ("oauth2.googleapis.com", google.oauth2_router),
        ("www.googleapis.com", google.certs_router),
        ("openidconnect.googleapis.com", google.userinfo_router),
    ]
