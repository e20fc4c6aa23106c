"""who works a complaint: tickets.owner_agent_id (the agent who claimed it) and claimed_at

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("owner_agent_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
    # "My complaints" and the unowned queue are read on every console refresh.
    op.create_index("ix_tickets_owner_agent_id", "tickets", ["owner_agent_id"])


def downgrade() -> None:
    op.drop_index("ix_tickets_owner_agent_id", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("owner_agent_id")
