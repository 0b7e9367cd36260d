"""SQLModel tables. Importing this package registers every table on ``SQLModel.metadata``."""

from app.models.base import NAMING_CONVENTION, UTCDateTime, utcnow
from app.models.connection import Connection
from app.models.email import LoggedEmail
from app.models.enums import (
    ConnectionStatus,
    ItemType,
    MailProvider,
    Provider,
    Role,
    SyncRunStatus,
    SyncTrigger,
)
from app.models.policy import ChangeSource, PolicyMode, SettingChange, SyncPolicy
from app.models.setting import UserSetting
from app.models.sync import SyncConflict, SyncCursor, SyncLink, SyncRun
from app.models.user import User
from app.models.web_session import WebSession

__all__ = [
    "NAMING_CONVENTION",
    "ChangeSource",
    "Connection",
    "ConnectionStatus",
    "ItemType",
    "LoggedEmail",
    "MailProvider",
    "PolicyMode",
    "Provider",
    "Role",
    "SettingChange",
    "SyncConflict",
    "SyncCursor",
    "SyncLink",
    "SyncPolicy",
    "SyncRun",
    "SyncRunStatus",
    "SyncTrigger",
    "UTCDateTime",
    "User",
    "UserSetting",
    "WebSession",
    "utcnow",
]
