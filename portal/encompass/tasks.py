"""Background work (django-tasks): sending the alert outbox and escalating.

In the demo the database worker (``manage.py db_worker``) runs ``deliver_alerts`` whenever
intake enqueues it; ``manage.py encompass_tick`` (run every minute by cron, a systemd timer
or the platform's scheduler) escalates and retries what is due. See docs/decisions/0010."""

from django_tasks import task

from . import services


@task()
def deliver_alerts():
    return services.deliver_due()


@task()
def escalate():
    return services.escalate_due()
