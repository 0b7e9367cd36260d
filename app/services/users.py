"""People who may use crmbridge: adding and removing them, and deciding who may sign in.

Who may sign in: everyone an admin added (``crmbridge users add``, or the admin page), plus, when
``CRMBRIDGE_SIGNIN_DOMAINS`` names mail domains, anyone whose identity provider vouches for an address in one of
them (they start as reps). ``*`` opens sign-in to any vouched address. In sandbox mode, with nothing configured,
every sandbox account may sign in, so the demo works without set-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import MailProvider, Role, User
from app.settings import Settings

_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    """An address as crmbridge stores it (trimmed, lower case); InvalidInput when it is not an address."""
    cleaned = email.strip().lower()
    if len(cleaned) > 320 or not _ADDRESS.match(cleaned):
        raise InvalidInput(f"{email.strip()!r} is not an email address.")
    return cleaned


def _default_name(email: str) -> str:
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in re.split(r"[._-]+", local) if part) or email


@dataclass(frozen=True)
class SignInPolicy:
    """Who may sign in without having been added: nobody (``domains`` empty), some domains, or anyone."""

    domains: frozenset[str]
    anyone: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> SignInPolicy:
        """The policy ``CRMBRIDGE_SIGNIN_DOMAINS`` describes (see the module's docstring for the default)."""
        raw = settings.signin_domains
        if raw is None:
            return cls(frozenset(), anyone=settings.sandbox_mode)
        domains = frozenset(part.strip().lower().lstrip("@") for part in raw.split(",") if part.strip())
        return cls(domains - {"*"}, anyone="*" in domains)

    def admits(self, email: str) -> bool:
        """Whether ``email`` may get an account by signing in."""
        return self.anyone or email.rsplit("@", 1)[-1] in self.domains


def find_user(db: Session, email: str) -> User | None:
    """The user with this address, if any."""
    return db.exec(select(User).where(col(User.email) == email.strip().lower())).one_or_none()


def get_user(db: Session, user_id: int) -> User:
    """The user with this id; NotFound otherwise."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("There is no such user.")
    return user


def list_users(db: Session) -> list[User]:
    """Every user, by address."""
    return list(db.exec(select(User).order_by(col(User.email))))


def add_user(
    db: Session, email: str, *, mail_provider: MailProvider, name: str | None = None, admin: bool = False
) -> User:
    """Add a person; Conflict if the address is taken."""
    address = normalise_email(email)
    if find_user(db, address) is not None:
        raise Conflict(f"{address} is already a crmbridge user.")
    user = User(
        email=address,
        name=(name or "").strip()[:255] or _default_name(address),
        mail_provider=mail_provider,
        role=Role.ADMIN if admin else Role.REP,
    )
    db.add(user)
    db.flush()
    return user


def set_role(db: Session, user: User, role: Role) -> User:
    """Make ``user`` an admin or a rep; the last admin cannot become a rep."""
    if role is not Role.ADMIN:
        _keep_an_admin(db, user, "made a rep")
    user.role = role
    db.add(user)
    db.flush()
    return user


def ensure_removable(db: Session, user: User) -> None:
    """Raise Conflict when removing ``user`` would leave crmbridge without an admin (check before revoking)."""
    _keep_an_admin(db, user, "removed")


def remove_user(db: Session, user: User) -> None:
    """Remove a person with everything crmbridge holds for them (connections, sessions, settings, sync state).

    Call ``ensure_removable`` and revoke their vendor tokens first (``account_connections.disconnect_all``):
    rows go, grants at vendors stay.
    """
    ensure_removable(db, user)
    db.delete(user)
    db.flush()


def _keep_an_admin(db: Session, user: User, change: str) -> None:
    if user.role is Role.ADMIN and admin_count(db) <= 1:
        raise Conflict(
            f"{user.email} is the last admin and cannot be {change}; "
            "make someone else an admin first (crmbridge users add --admin EMAIL)."
        )


def admin_count(db: Session) -> int:
    """How many admins there are."""
    return len(list(db.exec(select(User.id).where(col(User.role) == Role.ADMIN))))


def sign_in(
    db: Session,
    *,
    email: str | None,
    name: str | None,
    mail_provider: MailProvider,
    policy: SignInPolicy,
    now: datetime,
) -> User:
    """The user for an identity the provider vouched for; created as a rep when the policy admits the address.

    The mailbox is where a person signs in: a user added with the wrong mailbox provider is corrected by their
    first sign-in. Forbidden, with what to do, for anyone else.
    """
    if not email:
        raise Forbidden(
            "Your account did not tell crmbridge a verified email address, so you cannot be signed in. "
            "Sign in with your work account."
        )
    address = normalise_email(email)
    user = find_user(db, address)
    if user is None:
        if not policy.admits(address):
            raise Forbidden(
                f"{address} has no crmbridge account. Ask your crmbridge administrator to add you, then sign in again."
            )
        user = User(
            email=address, name=(name or "").strip()[:255] or _default_name(address), mail_provider=mail_provider
        )
    if user.last_signed_in_at is None and user.mail_provider is not mail_provider:
        user.mail_provider = mail_provider
    if name and user.name != name.strip()[:255] and user.name == _default_name(address):
        user.name = name.strip()[:255]
    user.last_signed_in_at = now
    db.add(user)
    db.flush()
    return user
