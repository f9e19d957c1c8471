#!/usr/bin/env python3
"""A real SMTP server for baoho's delivery tests and benchmark, built on Debian's python3-aiosmtpd.

It listens on 127.0.0.1 on a free port and prints "PORT <n>" on its standard output once it
accepts connections. Messages are stored in the Maildir given with --maildir, or discarded without
it. The recipient's local part chooses a behaviour, so that tests can provoke each kind of reply:
  reject-...  550 5.1.1 <address>: Recipient address rejected (permanent failure)
  later-...   451 4.3.0 <address>: Try again later (temporary failure)
  slow-...    waits --slow seconds (default 5) before accepting (client timeout)
anything else is accepted. On SIGTERM or SIGINT it prints "connections=<n> messages=<m> cpu=<s>"
(its own CPU seconds, user and system) on its standard error and exits.
"""
import argparse
import asyncio
import mailbox
import resource
import os
import signal
import sys

from aiosmtpd.smtp import SMTP

stats = {"connections": 0, "messages": 0}


class Handler:
    def __init__(self, maildir, slow):
        self.box = None
        if maildir:
            for sub in ("new", "cur", "tmp"):
                os.makedirs(os.path.join(maildir, sub), exist_ok=True)
            self.box = mailbox.Maildir(maildir, create=False)
        self.slow = slow

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0]
        if local.startswith("reject-"):
            return "550 5.1.1 <%s>: Recipient address rejected" % address
        if local.startswith("later-"):
            return "451 4.3.0 <%s>: Try again later" % address
        if local.startswith("slow-"):
            await asyncio.sleep(self.slow)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.box is not None:
            self.box.add(envelope.original_content or envelope.content)
        stats["messages"] += 1
        return "250 2.0.0 Ok: queued"


class CountingSMTP(SMTP):
    def connection_made(self, transport):
        stats["connections"] += 1
        super().connection_made(transport)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--maildir")
    ap.add_argument("--slow", type=float, default=5.0)
    args = ap.parse_args()
    handler = Handler(args.maildir, args.slow)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: CountingSMTP(handler, hostname="sink.test", ident="baoho-sink"),
        "127.0.0.1", 0))
    print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    loop.run_forever()
    server.close()
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print("connections=%d messages=%d cpu=%.2f" % (stats["connections"], stats["messages"],
                                                   ru.ru_utime + ru.ru_stime),
          file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
