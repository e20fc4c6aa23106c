"""a complaint whose outcome could not be texted or e-mailed: tickets.outcome_undelivered_at

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("outcome_undelivered_at", sa.DateTime(timezone=True),
                                   nullable=True))
    # The complaint lists ask for these on every console refresh, beside the open ones.
    op.create_index("ix_tickets_outcome_undelivered_at", "tickets", ["outcome_undelivered_at"])


def downgrade() -> None:
    op.drop_index("ix_tickets_outcome_undelivered_at", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("outcome_undelivered_at")
