"""Logging set-up: one line per record, with the request id, and secrets scrubbed before they are written."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from app.request_context import current_request_id

_SECRET_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    # OAuth authorization codes in callback URLs (access log lines).
    re.compile(r"([?&]code=)[^&\s\"]+"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|id_token|client_secret|code_verifier|password|token)"
        r"[\"']?\s*[:=]\s*[\"']?)[^\s&\"',}]+"
    ),
]


def scrub(text: str) -> str:
    """Replace anything that looks like a token or secret in ``text`` with ``***``."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text


_base_record_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_record_factory(*args, **kwargs)
    record.request_id = current_request_id() or "-"
    return record


def install_request_id_on_records() -> None:
    """Give every log record a ``request_id`` attribute ("-" outside a request), whichever handler gets it."""
    logging.setLogRecordFactory(_record_with_request_id)


class ScrubbingFormatter(logging.Formatter):
    """A formatter whose output never carries a bearer token or a secret-looking key=value pair."""

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        return scrub(super().format(record))


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure_logging(level: str = "INFO") -> None:
    """Route the app's, uvicorn's and SQLAlchemy's records to standard error through one handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ScrubbingFormatter(LOG_FORMAT))
    install_request_id_on_records()
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
