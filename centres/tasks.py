"""Celery tasks of this app: take ids, load rows, call one service.

None yet: notifications are recorded in the same transaction as the change that causes them
(institute.services.notify), and e-mail and digests are sent from those rows by the institute.
"""
