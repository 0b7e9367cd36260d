"""A user's connected account at a vendor, with its OAuth tokens (encrypted)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, created_at_column, enum_column, updated_at_column, utcnow
from app.models.enums import ConnectionStatus, Provider


class Connection(SQLModel, table=True):
    """One user's account at one vendor. Token columns hold ciphertext only, never plain tokens."""

    __tablename__ = "connections"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False))
    provider: Provider = Field(sa_type=enum_column(Provider, "provider"))
    account_id: str = Field(max_length=255, description="The vendor's id of the connected user.")
    username: str | None = Field(default=None, max_length=320, description="The vendor's login name or address.")
    instance_url: str | None = Field(default=None, max_length=2048, description="Salesforce instance URL.")
    scopes: str = Field(default="", sa_type=sa.Text)
    access_token_ciphertext: str | None = Field(default=None, sa_type=sa.Text)
    refresh_token_ciphertext: str | None = Field(default=None, sa_type=sa.Text)
    access_token_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: ConnectionStatus = Field(
        default=ConnectionStatus.ACTIVE, sa_type=enum_column(ConnectionStatus, "connection_status")
    )
    status_detail: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=updated_at_column())

    __table_args__ = (sa.UniqueConstraint("user_id", "provider"),)
