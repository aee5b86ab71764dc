"""The platform's WSGI application with its CSV downloads slowed down, for
tests/production/test_exports.py: each response to a path ending in `.csv` is sent in pieces of
PIECE_BYTES with SLOW_EXPORT_PAUSE seconds before each, as a large export at scale (or a slow
client) would take its time. Everything else is the platform unchanged."""

import os
import time

from institute.wsgi import application as platform

PIECE_BYTES = 4096


class _Slowed:
    def __init__(self, response, pause: float):
        self.response = response
        self.pause = pause

    def __iter__(self):
        for chunk in self.response:
            for start in range(0, len(chunk), PIECE_BYTES):
                time.sleep(self.pause)
                yield chunk[start : start + PIECE_BYTES]

    def close(self):
        # The platform's response closes its database cursor and sends request_finished.
        self.response.close()


def application(environ, start_response):
    response = platform(environ, start_response)
    if not environ.get("PATH_INFO", "").endswith(".csv"):
        return response
    return _Slowed(response, float(os.environ.get("SLOW_EXPORT_PAUSE", "0.02")))
