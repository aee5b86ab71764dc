"""Celery tasks of this app: take ids, load rows, call one service."""
