"""Everything the sandbox knows, in one object: clock, users, tokens, call log, faults and each vendor's data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

from app.sandbox.calls import CallLog
from app.sandbox.clock import SandboxClock
from app.sandbox.directory import SandboxUser, UserDirectory
from app.sandbox.faults import FaultInjector
from app.sandbox.identity.codes import AuthorizationStore
from app.sandbox.identity.keys import SigningKeys
from app.sandbox.tokens import TokenRegistry

#: How to fill the sandbox: nothing, the deterministic demo data, or N generated records per type.
Seed = Literal["empty", "demo"] | int


class VendorBackend(Protocol):
    """One vendor's emulated data (an org, the mailboxes). Registered in ``app/sandbox/backends.py``."""

    def reset(self, seed: Seed, directory: UserDirectory) -> None:
        """Drop all data and fill it per ``seed`` for the users in ``directory``."""

    def user_added(self, user: SandboxUser) -> None:
        """Give a newly created sandbox user their vendor-side existence (an org User, an empty mailbox)."""


BackendT = TypeVar("BackendT", bound=VendorBackend)


@dataclass
class SandboxState:
    """The sandbox's whole state. Handlers reach it as ``request.app.state.sandbox``."""

    clock: SandboxClock = field(default_factory=SandboxClock)
    directory: UserDirectory = field(default_factory=UserDirectory)
    backends: dict[str, VendorBackend] = field(default_factory=dict)
    calls: CallLog = field(default_factory=CallLog)
    faults: FaultInjector = field(default_factory=FaultInjector)
    signing_keys: SigningKeys = field(default_factory=SigningKeys)
    tokens: TokenRegistry = field(init=False)
    authorizations: AuthorizationStore = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = TokenRegistry(self.clock)
        self.authorizations = AuthorizationStore(self.clock)

    def backend(self, name: str, kind: type[BackendT]) -> BackendT:
        """The backend registered as ``name``, checked to be a ``kind``."""
        backend = self.backends[name]
        if not isinstance(backend, kind):
            raise TypeError(f"sandbox backend {name!r} is a {type(backend).__name__}, not a {kind.__name__}")
        return backend

    def add_user(self, user: SandboxUser) -> SandboxUser:
        """Create a sandbox user and their existence at every vendor."""
        self.directory.add(user)
        for backend in self.backends.values():
            backend.user_added(user)
        return user


BackendFactory = Callable[[SandboxState], VendorBackend]
