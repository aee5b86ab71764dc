"""Work for the Celery workers, asked for once the current transaction commits.

A service names a task of its own app by its dotted name rather than importing it: the tasks
module imports the services it calls, so importing it back would make an import cycle.
"""

import logging

from django.db import transaction

from institute.celery import app

logger = logging.getLogger(__name__)


def run_after_commit(task: str, *args) -> None:
    """Queue the task `task` (its dotted name) with these arguments when the transaction
    commits. A broker outage does not undo the write: the task is logged as not queued."""

    def send():
        try:
            app.send_task(task, args=list(args))
        except Exception:
            logger.warning("could not queue %s%r", task, args, exc_info=True)

    transaction.on_commit(send)
