"""gunicorn's settings in production: the Dockerfile and docker-compose.yml start
`gunicorn --config institute/gunicorn.conf.py institute.wsgi` (docs/operations.md).

Threaded workers (gthread), so that a long download neither stops a worker from answering
other requests nor is killed by the worker timeout. With the default sync workers a request
that took longer than `timeout` (30 s) had its worker killed mid-response: the 300,000-row
adoptions export was cut short, and three exports at once left nothing to answer anyone else
(docs/adr/0019-exports-streamed-and-failures-visible.md; tests/production/test_exports.py).
Options given on the command line override these.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# About two processes per core; each serves `threads` requests at once. Every thread keeps its
# own database connection (CONN_MAX_AGE): a web container holds workers × threads of them.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A gthread worker's heartbeat comes from its main loop, not from the request being served, so
# `timeout` only catches a worker that is stuck, never a slow download.
timeout = 60
# A worker being replaced (max_requests, or a deploy's SIGTERM) first finishes the requests it
# has: this long, sized for the largest export at scale (a few seconds) with a wide margin and
# a slow client's download. Compose's stop_grace_period for web is longer still.
graceful_timeout = 120
keepalive = 5

# Each worker is replaced after about 1,000 requests, so a slow memory leak cannot grow.
max_requests = 1000
max_requests_jitter = 100

# Heartbeat files in memory, as gunicorn advises inside containers (Docker's /tmp is on disk).
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# Only the TLS-terminating proxy can reach the container: trust its X-Forwarded-* headers.
forwarded_allow_ips = "*"

# No access log of gunicorn's own: the app logs one line per request (institute/request_log.py).
accesslog = None
