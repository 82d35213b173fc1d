"""Background tasks of the directory (django-tasks)."""

from django_tasks import task


@task()
def run_directory_verification() -> dict:
    """The daily verification job (see :mod:`directory.verification`)."""
    from directory.verification import run_verification

    return run_verification().as_dict()
