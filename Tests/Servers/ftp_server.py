#!/usr/bin/env python3
"""pyftpdlib for bgxfer's tests: one user, a root directory, passive ports, and optionally
throttled data connections (pyftpdlib's ThrottledDTPHandler), so a transfer runs long enough to
be interrupted whatever the client's own rate limiting does. Logs each command to stderr.

Usage: ftp_server.py PORT ROOT USER PASSWORD FIRST_PASSIVE_PORT RATE_BYTES_PER_SECOND(0: none)
"""
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, ThrottledDTPHandler
from pyftpdlib.servers import FTPServer


def main():
    port, root, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    passive, rate = int(sys.argv[5]), int(sys.argv[6])
    logging.basicConfig(level=logging.INFO, format="[%(levelname)1.1s %(asctime)s] %(message)s")
    authorizer = DummyAuthorizer()
    authorizer.add_user(user, password, root, perm="elradfmwMT")
    handler = FTPHandler
    handler.authorizer = authorizer
    handler.passive_ports = range(passive, passive + 100)
    if rate > 0:
        ThrottledDTPHandler.read_limit = rate
        ThrottledDTPHandler.write_limit = rate
        handler.dtp_handler = ThrottledDTPHandler
    FTPServer(("127.0.0.1", port), handler).serve_forever()


if __name__ == "__main__":
    main()
