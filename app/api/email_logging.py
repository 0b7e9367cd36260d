"""The sidebar API under ``/api``: look up an email's people, log it, attach its files, add people.

Every route requires a bearer token (``bearer_auth``); every Salesforce call is made with the rep's own
connection. Handlers are synchronous: FastAPI runs them in its thread pool, where the blocking Salesforce client
belongs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from app.api.bearer_auth import ApiUser, api_identity
from app.api.deps import DbSession
from app.connectors.errors import (
    AuthRevoked,
    InvalidData,
    LimitExceeded,
    NotFound,
    Throttled,
    VendorError,
    VendorUnavailable,
)
from app.errors import (
    ConnectionUnavailable,
    CrmbridgeError,
    Forbidden,
    InvalidInput,
    RateLimited,
    ServiceUnavailable,
)
from app.errors import NotFound as NotFoundError
from app.models import ConnectionStatus, Provider
from app.services import email_logging
from app.services.connections import TokenRefresher, get_connection
from app.services.email_logging import LoggingContext, OrgProfiles
from app.services.email_logging.schemas import (
    AccountChoice,
    AttachmentOutcome,
    AttachmentUpload,
    CreatedPerson,
    EmailHeaders,
    LogRequest,
    LogResult,
    LookupResult,
    NewPerson,
    RelatedRecords,
)
from app.services.salesforce_access import RepSalesforce
from app.settings import Settings
from app.token_cipher import TokenCipher

router = APIRouter(prefix="/api", tags=["sidebar"], dependencies=[Depends(api_identity)])

#: Room left in a request for the JSON around an attachment's base64 content.
_ENVELOPE_BYTES = 64 * 1024


def max_attachment_bytes(settings: Settings) -> int:
    """The largest attachment logged: the configured limit, or less if a request could not carry it base64."""
    carried = (settings.max_request_bytes - _ENVELOPE_BYTES) * 3 // 4
    return max(0, min(settings.attachment_max_bytes, carried))


def logging_context(request: Request, db: DbSession, user: ApiUser) -> Iterator[LoggingContext]:
    """The rep's context for one request: their Salesforce connection, the org profiles, the limits."""
    state = request.app.state
    cipher: TokenCipher = state.token_cipher
    refresher: TokenRefresher = state.token_refresher
    assert user.id is not None
    now = datetime.now(UTC)
    salesforce = RepSalesforce(
        db,
        user.id,
        cipher=cipher,
        refresher=refresher,
        vendor_base_url=state.vendor_base_url,
        now=now,
        checkpoint=db.commit,
    )
    # Read the rep's connection now (refreshing its token if it is about to expire) and end the transaction, so
    # that no pooled connection waits with this request for the handler's turn in the thread pool; the use cases
    # likewise end theirs (``checkpoint``) before they wait on Salesforce.
    salesforce.access  # noqa: B018
    db.commit()
    profiles: OrgProfiles = state.salesforce_org_profiles
    try:
        yield LoggingContext(
            db=db,
            user=user,
            salesforce=salesforce,
            profiles=profiles,
            max_attachment_bytes=max_attachment_bytes(state.settings),
            now=now,
            checkpoint=db.commit,
        )
    finally:
        salesforce.close()


Context = Annotated[LoggingContext, Depends(logging_context)]


def finished(ctx: LoggingContext) -> None:
    """The request's work is done: commit it here, in the handler's thread, so that no database lock or pooled
    connection waits for the dependency's clean-up to get a worker thread (under load, that wait can be long)."""
    ctx.checkpoint()


@contextmanager
def salesforce_errors() -> Iterator[None]:
    """Turn Salesforce's failures into the app's errors, with messages a rep can act on."""
    try:
        yield
    except CrmbridgeError:
        raise
    except Throttled as exc:
        retry = int(exc.retry_after) if exc.retry_after else 30
        raise RateLimited("Salesforce asks crmbridge to slow down; try again in a moment.", retry_after=retry) from None
    except LimitExceeded:
        raise ServiceUnavailable(
            "Your Salesforce org has used up its API requests for today; try again later or ask your Salesforce "
            "administrator."
        ) from None
    except AuthRevoked:
        raise ConnectionUnavailable(
            "Salesforce does not accept your connection any more; connect Salesforce again in Settings → Connections.",
            provider=Provider.SALESFORCE.value,
            needs_reauth=True,
        ) from None
    except NotFound:
        raise NotFoundError(
            "Salesforce could not find that record: it may have been deleted, or your access may not include it."
        ) from None
    except InvalidData as exc:
        if exc.code and exc.code.startswith(("INSUFFICIENT_ACCESS", "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY")):
            raise Forbidden(f"Salesforce did not allow it: {exc.message}") from None
        raise InvalidInput(f"Salesforce refused it: {exc.message}") from None
    except VendorUnavailable:
        raise ServiceUnavailable("Salesforce could not be reached; try again in a moment.") from None
    except VendorError:
        raise ServiceUnavailable("Salesforce answered unexpectedly; try again in a moment.") from None


class Me(BaseModel):
    """Who the sidebar is signed in as, and how their Salesforce connection stands."""

    email: str
    name: str
    salesforce_connected: bool
    salesforce_username: str | None
    connect_url: str
    max_attachment_bytes: int


@router.get("/me", summary="Who the sidebar is signed in as")
def me(request: Request, db: DbSession, user: ApiUser) -> Me:
    """The signed-in rep and their Salesforce connection (no Salesforce call)."""
    assert user.id is not None
    connection = get_connection(db, user.id, Provider.SALESFORCE)
    settings: Settings = request.app.state.settings
    return Me(
        email=user.email,
        name=user.name,
        salesforce_connected=connection is not None and connection.status is ConnectionStatus.ACTIVE,
        salesforce_username=connection.username if connection else None,
        connect_url=settings.public_url.rstrip("/") + "/connections",
        max_attachment_bytes=max_attachment_bytes(settings),
    )


@router.post("/emails/lookup", summary="Who an email's people are in Salesforce")
def lookup_email(ctx: Context, headers: EmailHeaders) -> LookupResult:
    """Contacts and Leads by every address (one Salesforce call), their Accounts' open Opportunities and Cases,
    the unknown addresses, and whether the email was logged (by you or a colleague)."""
    with salesforce_errors():
        result = email_logging.lookup(ctx, headers)
    finished(ctx)
    return result


@router.post("/emails/log", summary="Log an email to Salesforce")
def log_email(ctx: Context, body: LogRequest) -> LogResult:
    """Log the email once (an EmailMessage with its relations, or a Task without Enhanced Email); an email logged
    before gains the missing relations. Attachments to upload are listed in the answer."""
    with salesforce_errors():
        result = email_logging.log_email(ctx, body)
    finished(ctx)
    return result


@router.post("/emails/attachments", summary="Attach one file to a logged email")
def attach(ctx: Context, body: AttachmentUpload) -> AttachmentOutcome:
    """Attach a file to the record this rep logged the email to (skipped when too large or already there)."""
    with salesforce_errors():
        result = email_logging.attach_file(ctx, body)
    finished(ctx)
    return result


@router.get("/accounts/match", summary="The Account a company name picks")
def match_account(ctx: Context, company: Annotated[str, Query(max_length=255)]) -> AccountChoice:
    """The Company rule: an exact name wins (the earliest created), else a unique partial match, else none."""
    with salesforce_errors():
        result = email_logging.match_account(ctx, company)
    finished(ctx)
    return result


@router.post("/people", status_code=201, summary="Add an unknown address as a Contact or Lead")
def create_person(ctx: Context, body: NewPerson) -> CreatedPerson:
    """Create a Contact (its Account by the Company rule) or a Lead."""
    with salesforce_errors():
        result = email_logging.create_person(ctx, body)
    finished(ctx)
    return result


@router.get("/records/search", summary="Find records to relate an email to")
def search_records(ctx: Context, q: Annotated[str, Query(max_length=100)]) -> RelatedRecords:
    """Accounts, open Opportunities and open Cases by name."""
    with salesforce_errors():
        result = email_logging.search_related(ctx, q)
    finished(ctx)
    return result
