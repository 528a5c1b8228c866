"""An SMTP server that is slow to accept the first message for a "lent@" address (it answers after
60 s): the worker is then killed in the middle of a task. Messages are written one file each."""

import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            marker = Path(self.file_path) / "slow-server-reached"
            if any(to.startswith("lent@") for to in message.to) and not marker.exists():
                marker.touch()
                time.sleep(60)  # killed here: this message was never accepted
            out = Path(self.file_path) / f"{time.time_ns()}.eml"
            out.write_bytes(message.message().as_bytes())
        return len(email_messages)
