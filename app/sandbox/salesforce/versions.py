"""The REST API versions the sandbox org serves: 55.0 (Summer '22) to 62.0 (Winter '25)."""

from __future__ import annotations

from typing import Any

#: (version, release label), oldest first.
API_VERSIONS: tuple[tuple[str, str], ...] = (
    ("55.0", "Summer '22"),
    ("56.0", "Winter '23"),
    ("57.0", "Spring '23"),
    ("58.0", "Summer '23"),
    ("59.0", "Winter '24"),
    ("60.0", "Spring '24"),
    ("61.0", "Summer '24"),
    ("62.0", "Winter '25"),
)
_SUPPORTED = frozenset(version for version, _ in API_VERSIONS)
LATEST_VERSION = API_VERSIONS[-1][0]


def is_supported(version: str) -> bool:
    """Whether ``version`` (``59.0``) is served."""
    return version in _SUPPORTED


def versions_json() -> list[dict[str, Any]]:
    """The Versions resource (``GET /services/data/``)."""
    return [
        {"label": label, "url": f"/services/data/v{version}", "version": version} for version, label in API_VERSIONS
    ]


def resources_json(version: str) -> dict[str, str]:
    """The Resources by Version resource (``GET /services/data/vXX.X/``)."""
    base = f"/services/data/v{version}"
    names = ("composite", "limits", "query", "queryAll", "search", "sobjects")
    return {name: f"{base}/{name}" for name in names}
