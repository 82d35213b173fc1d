"""Background work for casework (django-tasks): sending the casework outbox, and the daily
prompts (the sustained-outcome check six months after closure).

Intake of a decision enqueues ``deliver_casework_messages`` after commit; ``manage.py
casework_tick`` (run by cron or the platform's scheduler, e.g. hourly) prompts what is due and
retries what is waiting, so nothing depends on a task having been enqueued."""

from django_tasks import task

from . import casework


@task()
def deliver_casework_messages():
    return casework.deliver_due()


@task()
def prompt_sustained_checks():
    return casework.prompt_sustained_checks()
