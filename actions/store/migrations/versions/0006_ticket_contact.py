"""where to reach the customer with a ticket's outcome: the phone number or email address

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("contact_phone", sa.String(16), nullable=True))
        batch.add_column(sa.Column("contact_email", sa.String(254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("contact_email")
        batch.drop_column("contact_phone")
