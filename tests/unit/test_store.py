"""Schema migrations on a real SQLite file, and on SQLite and PostgreSQL (the database_url
fixture)."""

from __future__ import annotations

from sqlalchemy import inspect
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


def test_the_outbox_migration_goes_down_and_up_again(database_url) -> None:
    from alembic import command

    from actions.store.database import alembic_config

    engine = make_engine(database_url)
    command.downgrade(alembic_config(database_url), "0009")
    assert "outcome_notices" not in inspect(engine).get_table_names()
    command.upgrade(alembic_config(database_url), "head")
    indexes = {index["name"] for index in inspect(engine).get_indexes("outcome_notices")}
    assert indexes == {"ix_outcome_notices_due", "ix_outcome_notices_ticket_number",
                       "ix_outcome_notices_texted"}
    engine.dispose()


def test_the_undelivered_mark_migration_goes_down_and_up_again(database_url) -> None:
    from alembic import command

    from actions.store.database import alembic_config

    engine = make_engine(database_url)
    command.downgrade(alembic_config(database_url), "0010")
    assert "outcome_undelivered_at" not in {
        column["name"] for column in inspect(engine).get_columns("tickets")}
    command.upgrade(alembic_config(database_url), "head")
    assert "outcome_undelivered_at" in {
        column["name"] for column in inspect(engine).get_columns("tickets")}
    assert "ix_tickets_outcome_undelivered_at" in {
        index["name"] for index in inspect(engine).get_indexes("tickets")}
    engine.dispose()


def test_the_texted_outcome_index_goes_down_and_up_again(database_url) -> None:
    from alembic import command

    from actions.store.database import alembic_config

    engine = make_engine(database_url)
    command.downgrade(alembic_config(database_url), "0011")
    assert "ix_outcome_notices_texted" not in {
        index["name"] for index in inspect(engine).get_indexes("outcome_notices")}
    command.upgrade(alembic_config(database_url), "head")
    assert "ix_outcome_notices_texted" in {
        index["name"] for index in inspect(engine).get_indexes("outcome_notices")}
    engine.dispose()
