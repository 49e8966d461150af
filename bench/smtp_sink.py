"""A local SMTP sink for the reminders benchmark: aiosmtpd in its own process, keeping
only each message's Message-ID. SIGTERM writes them to ``--out`` (one per line).

    python -m bench.smtp_sink --port 2525 --out ids.txt
"""
from __future__ import annotations

import argparse
import re
import signal

from aiosmtpd.controller import Controller

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class Handler:
    def __init__(self):
        self.ids: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        head = envelope.content.split(b"\r\n\r\n", 1)[0]
        found = MESSAGE_ID.search(head)
        self.ids.append(found.group(1) if found else b"<none>")
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    options = parser.parse_args()
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=options.port)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    controller.start()
    print("ready", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()
    with open(options.out, "wb") as out:
        out.write(b"\n".join(handler.ids) + (b"\n" if handler.ids else b""))


if __name__ == "__main__":
    main()
