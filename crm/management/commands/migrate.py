"""Django's migrate, which first makes the folder of an SQLite database file.

Settings only name the file (importing them never touches the disk); the first command
that needs the folder is the one that creates the tables, so it makes the folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connections


class Command(MigrateCommand):
    def execute(self, *args: Any, **options: Any) -> str | None:
        # Before the system checks, which already open the database.
        database = connections[options["database"]]
        name = str(database.settings_dict["NAME"] or "")
        if database.vendor == "sqlite" and name and not name.startswith((":memory:", "file:")):
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        return super().execute(*args, **options)
