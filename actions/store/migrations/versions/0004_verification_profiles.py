"""customer profiles (contact details, consent, relationship manager) and one-time codes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("phone", sa.String(16), nullable=True))
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
        batch.add_column(sa.Column("address", sa.String(512), nullable=True))
        batch.add_column(sa.Column("contact_preference", sa.String(16), nullable=False,
                                   server_default="this_channel"))
        batch.add_column(sa.Column("marketing_consent", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("relationship_manager", sa.String(128), nullable=True))
        batch.add_column(sa.Column("relationship_manager_agent_id", sa.String(64), nullable=True))
        batch.create_unique_constraint("uq_customers_phone", ["phone"])
    op.create_table(
        "verification_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("sender_id", sa.String(128), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id"), nullable=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_verification_codes_sender", "verification_codes",
                    ["channel", "sender_id"])
    op.create_index("ix_verification_codes_phone", "verification_codes", ["phone"])


def downgrade() -> None:
    op.drop_table("verification_codes")
    with op.batch_alter_table("customers") as batch:
        batch.drop_constraint("uq_customers_phone", type_="unique")
        for column in ("relationship_manager_agent_id", "relationship_manager",
                       "marketing_consent", "contact_preference", "address", "email", "phone"):
            batch.drop_column(column)
