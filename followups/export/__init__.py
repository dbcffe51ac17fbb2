"""Export and backup: contacts as CSV and vCard, and the whole account as a JSON backup that
restores into an empty account."""

from followups.export.backup import (
    BATCH_SIZE,
    FORMAT,
    PROFILE_SKIP,
    SECTION_OF,
    SECTIONS,
    VERSION,
    BackupError,
    export_json,
    export_user_data,
    iter_backup_json,
    owns_anything,
    parse_backup,
    restore_user_data,
)

__all__ = [
    "BATCH_SIZE",
    "BackupError",
    "FORMAT",
    "PROFILE_SKIP",
    "SECTIONS",
    "SECTION_OF",
    "VERSION",
    "export_json",
    "export_user_data",
    "iter_backup_json",
    "owns_anything",
    "parse_backup",
    "restore_user_data",
]
