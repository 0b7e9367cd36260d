"""sync policies: admin sync configurations, the audit trail of setting changes, renamed setting keys

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Setting keys that now cover every item type: (old key, new key).
RENAMED_KEYS = (("contacts.selection", "sync.selection"), ("contacts.include_private", "sync.include_private"))


def upgrade() -> None:
    op.create_table(
        "sync_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column(
            "mode",
            sa.Enum("defaults", "enforced", name="policy_mode", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("user_emails", sa.JSON(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("item_types", sa.JSON(), nullable=False),
        sa.Column("directions", sa.JSON(), nullable=False),
        sa.Column("selection_methods", sa.JSON(), nullable=False),
        sa.Column("contact_scopes", sa.JSON(), nullable=False),
        sa.Column("allow_private", sa.Boolean(), nullable=False),
        sa.Column("allow_event_series", sa.Boolean(), nullable=False),
        sa.Column("allow_mailbox_deletions", sa.Boolean(), nullable=False),
        sa.Column("relate_events", sa.Boolean(), nullable=False),
        sa.Column("max_delete_share", sa.Float(), nullable=False),
        sa.Column("defaults", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_policies")),
        sa.UniqueConstraint("name", name=op.f("uq_sync_policies_name")),
    )
    op.create_table(
        "setting_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("configuration_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column(
            "source",
            sa.Enum("page", "api", "cli", name="change_source", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_setting_changes_actor_user_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_setting_changes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setting_changes")),
    )
    with op.batch_alter_table("setting_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_setting_changes_configuration_id"), ["configuration_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_setting_changes_user_id"), ["user_id"], unique=False)
    _rename_keys(RENAMED_KEYS)


def downgrade() -> None:
    _rename_keys(tuple((new, old) for old, new in RENAMED_KEYS))
    with op.batch_alter_table("setting_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_setting_changes_user_id"))
        batch_op.drop_index(batch_op.f("ix_setting_changes_configuration_id"))
    op.drop_table("setting_changes")
    op.drop_table("sync_policies")


def _rename_keys(pairs: Sequence[tuple[str, str]]) -> None:
    """Move stored values to their new key; a value already stored under the new key is kept."""
    settings = sa.table("user_settings", sa.column("user_id", sa.Integer()), sa.column("key", sa.String()))
    for old, new in pairs:
        taken = sa.select(settings.c.user_id).where(settings.c.key == new).scalar_subquery()
        op.execute(settings.delete().where(settings.c.key == old, settings.c.user_id.in_(taken)))
        op.execute(settings.update().where(settings.c.key == old).values(key=new))
