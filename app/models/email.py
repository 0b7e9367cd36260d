"""Emails a rep chose to log to Salesforce."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, created_at_column, utcnow


class LoggedEmail(SQLModel, table=True):
    """A rep's logging of one email (by internet message id) and the Salesforce record that holds it.

    Several reps may log the same email; each gets a row, and all point at the same Salesforce record.
    """

    __tablename__ = "logged_emails"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False))
    internet_message_id: str = Field(max_length=998, index=True)
    salesforce_object: str = Field(max_length=40, description="EmailMessage, or Task in orgs without Enhanced Email.")
    salesforce_id: str = Field(max_length=18)
    related_to_id: str | None = Field(default=None, max_length=18)
    subject: str | None = Field(default=None, sa_type=sa.Text)
    message_date: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())

    __table_args__ = (sa.UniqueConstraint("user_id", "internet_message_id"),)
