"""The SQLite store: schema, migrations, group commits and tenant-scoped repositories."""

from chimera.store.database import Database, open_database

__all__ = ["Database", "open_database"]
