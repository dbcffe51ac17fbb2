from django.apps import AppConfig


class WorkerConfig(AppConfig):
    """Listed before django_q in INSTALLED_APPS so that its `qcluster` command is the one
    `manage.py qcluster` runs."""

    name = "crm.worker"
    label = "crm_worker"
    verbose_name = "Worker"
