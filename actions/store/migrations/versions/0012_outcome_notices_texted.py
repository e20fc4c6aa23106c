"""the outcome last texted to a phone, looked up at each SMS session start: an index

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # actions/tickets/texted.py: SMS notices finished since a time, newest first.
    op.create_index("ix_outcome_notices_texted", "outcome_notices", ["channel", "finished_at"])


def downgrade() -> None:
    op.drop_index("ix_outcome_notices_texted", table_name="outcome_notices")
