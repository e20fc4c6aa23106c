"""kefu's SQL store: SQLAlchemy models and Alembic migrations."""
