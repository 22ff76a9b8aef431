"""Persistence: the schema, its migrations, and small repositories returning plain records.

`storage.db` opens the database; `storage.repositories` gathers every repository and record.
"""
