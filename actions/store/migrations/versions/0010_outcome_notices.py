"""the outbox of complaint outcomes to text or e-mail: outcome_notices

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outcome_notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_number", sa.String(20), sa.ForeignKey("tickets.number"),
                  nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(128), nullable=True),
        sa.Column("last_error", sa.String(256), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    # Every worker pass asks for pending rows due by now.
    op.create_index("ix_outcome_notices_due", "outcome_notices", ["status", "next_attempt_at"])
    op.create_index("ix_outcome_notices_ticket_number", "outcome_notices", ["ticket_number"])


def downgrade() -> None:
    op.drop_index("ix_outcome_notices_ticket_number", table_name="outcome_notices")
    op.drop_index("ix_outcome_notices_due", table_name="outcome_notices")
    op.drop_table("outcome_notices")
