"""a landline with an extension as the number to call: tickets.contact_phone to 24 characters

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # "0755-87654321-123456" is 20 characters; a mobile was at most 11.
    with op.batch_alter_table("tickets") as batch:
        batch.alter_column("contact_phone", type_=sa.String(24), existing_type=sa.String(16),
                           existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.alter_column("contact_phone", type_=sa.String(16), existing_type=sa.String(24),
                           existing_nullable=True)
