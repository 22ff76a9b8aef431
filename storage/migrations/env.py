"""Alembic environment: runs on the connection `storage.db.Database` passes in, or on its own.

From code, `config.attributes["connection"]` holds a live connection inside a transaction.
From the command line (`alembic -c storage/alembic.ini …`), the URL comes from `-x url=…`
or the ini file's `sqlalchemy.url`.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection, pool
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import DEFAULT_DATABASE_URL, async_database_url
from storage.models import Base, UtcDateTime

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return (
        context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
        or DEFAULT_DATABASE_URL
    )


def _render_item(type_: str, obj: object, autogen_context: Any) -> str | Literal[False]:
    """Write UtcDateTime columns as plain DateTime so migrations never import the models."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    # Batch operations everywhere: every migration must also run on SQLite, which can only
    # alter most things by copying the table; elsewhere batch ops are plain ALTERs.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        render_item=_render_item,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_on_own_engine() -> None:
    engine = create_async_engine(async_database_url(_url()), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


def run_offline() -> None:
    context.configure(
        url=str(async_database_url(_url())),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=_render_item,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    asyncio.run(_run_on_own_engine())


if context.is_offline_mode():
    run_offline()
else:
    run_online()
