"""The django-q2 cluster that `manage.py qcluster` runs, hardened against killed children
and prompt on SIGTERM (docs/operations.md, "Workers and the broker")."""
