"""Schema migrations on a real SQLite file, and on SQLite and PostgreSQL (the database_url
fixture)."""

from __future__ import annotations

from typing import Set

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.store.database import make_engine, migrate
from actions.store.models import ChannelIdentity, Customer


def test_migrate_creates_the_schema_and_is_idempotent(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'kefu.db'}"
    migrate(url)
    migrate(url)
    tables = set(inspect(make_engine(url)).get_table_names())
    assert {"customers", "channel_identities", "audit_events", "tickets", "ticket_events",
            "ticket_counters", "alembic_version"} <= tables


def test_models_match_the_migrated_schema(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'kefu.db'}"
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        customer = Customer(customer_number="C0001", display_name="王女士", segment="private")
        session.add(ChannelIdentity(channel="rest", sender_id="web-1", customer=customer))
        session.commit()
    with Session(engine) as session:
        identity = session.query(ChannelIdentity).one()
        assert identity.customer.display_name == "王女士"


def test_migrations_and_models_agree_on_each_database(database_url) -> None:
    """SQLite and PostgreSQL (the database_url fixture migrates each to the newest)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from actions.store.models import Base

    engine = make_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def _schema(engine: Engine) -> Set[str]:
    """What a migration may add: tables, "table.column" and "table:index" names."""
    inspector = inspect(engine)
    names: Set[str] = set()
    for table in inspector.get_table_names():
        names.add(table)
        names.update(f"{table}.{column['name']}" for column in inspector.get_columns(table))
        names.update(f"{table}:{index['name']}" for index in inspector.get_indexes(table))
    return names


@pytest.mark.parametrize(("below", "added"), [
    ("0009", {"outcome_notices", "outcome_notices:ix_outcome_notices_due",
              "outcome_notices:ix_outcome_notices_ticket_number"}),
    ("0010", {"tickets.outcome_undelivered_at", "tickets:ix_tickets_outcome_undelivered_at"}),
    ("0011", {"outcome_notices:ix_outcome_notices_texted"}),
])
def test_a_migration_goes_down_and_up_again(database_url, below: str, added: Set[str]) -> None:
    """What revision `below` + 1 adds is gone at `below` and back at head."""
    from alembic import command

    from actions.store.database import alembic_config

    engine = make_engine(database_url)
    command.downgrade(alembic_config(database_url), below)
    assert added & _schema(engine) == set()
    command.upgrade(alembic_config(database_url), "head")
    assert added <= _schema(engine)
    engine.dispose()
