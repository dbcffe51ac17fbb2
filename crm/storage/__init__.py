"""Faults of the storage under the app: a read-only data folder or database, a full disk.
Recognised from the database's error and said in words a person can act on (issue 13,
item 14): a 503 page, /healthz, and the worker's and send_reminders' exit."""

from crm.storage.faults import StorageFault, check_writable, storage_fault

__all__ = ["StorageFault", "check_writable", "storage_fault"]
