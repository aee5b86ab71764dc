"""A mail backend for worker processes the fault tests start: writes e-mails to files like
Django's file backend, but only after SLOW_MAIL_SECONDS, as a slow SMTP server would, so that a
test can kill the worker while an e-mail is being sent."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "0.5")))
        return super().send_messages(email_messages)
