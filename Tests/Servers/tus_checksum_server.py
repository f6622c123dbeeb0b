#!/usr/bin/env python3
"""A real tus 1.0.0 server that verifies Upload-Checksum, for bgxfer's tests: PyPI's tusfilter
(a WSGI filter on WebOb) under the standard library's wsgiref, one thread per connection.

Runs under the test venv that .ci/install-deps makes (/opt/bgxfer-test-venv/bin/python), not
under /usr/bin/python3, which lacks tusfilter and WebOb.

Usage: tus_checksum_server.py --root DIR --log FILE [--rate BYTES_PER_SECOND]
                              [--corrupt-first N]

Binds 127.0.0.1 on a free port and prints `listening on 127.0.0.1:PORT` as its first stdout
line once it accepts connections; it prints nothing else there. The tus endpoint is
http://127.0.0.1:PORT/files/ (POST there; uploads live at /files/<32 hex digits>, the
absolute URL that Location gives: tusfilter sets `/files/<id>`, WebOb makes it absolute from
the request's Host).

What tusfilter 0.5.1 offers (OPTIONS answers 204):
  Tus-Version: 1.0.0, Tus-Max-Size: 1073741824, Tus-Checksum-Algorithm: sha1,
  Tus-Extension: creation,expiration,termination,checksum,creation-defer-length,concatenation
A PATCH whose Upload-Checksum (sha1 only; another algorithm gets 400) does not match its body
gets `460 Checksum Mismatch` and nothing of it is stored. A PATCH without Upload-Checksum is
stored unchecked.

tusfilter keeps upload <id> in DIR/<id> (the bytes) and DIR/<id>.info (JSON: upload_length,
upload_metadata (decoded), partial, parts); both stay there when the upload completes, and
DELETE removes both.

--log gets one JSON object per line, flushed:
  {"event": "request", "method", "path", "status", "bodyBytes", "disconnected", "corrupted",
   "Upload-Offset", "Upload-Length", "Content-Length", "Content-Type", "Upload-Checksum",
   "Upload-Metadata", "Tus-Resumable", "responseOffset"}
     one per request once its answer is settled (just before wsgiref sends it); a request
     header that was not sent is left out, and so is responseOffset when the answer had no
     Upload-Offset. bodyBytes counts the body bytes read, also for a body cut off mid-way (disconnected is then true, status is
     400, answered to nobody, and nothing of that body is stored); corrupted is true for a
     PATCH that --corrupt-first damaged.
  {"event": "complete", "id", "path", "size", "metadata"}
     when an upload reaches its Upload-Length (logged before the request line of the PATCH
     that completed it); size is that of the stored file, metadata the decoded Upload-Metadata.
--rate throttles the reading of every request body to about that many bytes per second.
--corrupt-first N flips one byte (the first) of the body of each of the first N PATCH requests
  that have a body, before tusfilter sees it: with an Upload-Checksum the PATCH is then
  answered 460 and stores nothing; without one the damaged bytes are stored as they are.
  Such requests are logged with "corrupted": true.

What this wrapper adds to or mends in tusfilter 0.5.1:
- tusfilter never checks Upload-Offset: it appends every PATCH body to what it has. Here a
  PATCH without Upload-Offset gets 400, and one whose Upload-Offset is not the stored size
  gets 409 Conflict (after its body has been read), and stores nothing.
- tusfilter stores a body that goes past Upload-Length, then answers 400: here such a PATCH
  gets 400 and stores nothing.
- tusfilter hands the PATCH that completes an upload to the wrapped application and answers
  whatever that answers; the application here answers as tus wants: 204 with Upload-Offset.
- tusfilter fails (500) on a PATCH without Upload-Checksum, as it seeks in a body that is not
  seekable: the wrapper reads every PATCH body in full (into a temporary file) first. That is
  also why a body cut off mid-way stores nothing, unlike with tus_server.py.
- PATCHes are taken one at a time (a lock around the offset check and tusfilter's write).
Other caveats of tusfilter 0.5.1: it wants Upload-Metadata pairs with a value (a key alone
gets 400); DELETE answers 204 even for an unknown upload; POST does not take a body
(no creation-with-upload); Tus-Max-Size is 1 GiB. Responses are HTTP/1.0, one per connection.
SIGTERM stops it at once, cutting (and not logging) requests in flight.
"""
import argparse
import io
import json
import os
import signal
import socket
import socketserver
import sys
import threading
import time
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

import webob
from webob.request import DisconnectionError
from tusfilter import TusFilter

PREFIX = "/files/"
LOGGED_HEADERS = ["Upload-Offset", "Upload-Length", "Content-Length", "Content-Type",
                  "Upload-Checksum", "Upload-Metadata", "Tus-Resumable"]


class Log:
    def __init__(self, path):
        self.file = open(path, "a")
        self.lock = threading.Lock()

    def write(self, record):
        with self.lock:
            self.file.write(json.dumps(record) + "\n")
            self.file.flush()

    def complete(self, path):
        with open(path + ".info") as info:
            metadata = json.load(info).get("upload_metadata")
        self.write({"event": "complete", "id": os.path.basename(path), "path": path,
                    "size": os.path.getsize(path), "metadata": metadata})


class Input(io.RawIOBase):
    """wsgi.input seen through: counts the bytes read, throttles them, flips one byte."""

    def __init__(self, raw, length, record, rate, corrupt):
        self.raw, self.left, self.record = raw, length, record
        self.rate, self.corrupt = rate, corrupt

    def readable(self):
        return True

    def readinto(self, buffer):
        # Never past Content-Length: the connection's next bytes may never come.
        data = self.raw.read(min(len(buffer), self.left)) if self.left > 0 else b""
        self.left -= len(data)
        if not data:
            return 0
        if self.corrupt:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
            self.corrupt = False
            self.record["corrupted"] = True
        buffer[:len(data)] = data
        self.record["bodyBytes"] += len(data)
        if self.rate:
            time.sleep(len(data) / self.rate)
        return len(data)


def completion_app(log):
    """What tusfilter calls when a PATCH completes an upload (its body is then the file's path),
    and for requests outside /files/."""

    def app(environ, start_response):
        req = webob.Request(environ)
        if not req.path.startswith(PREFIX):
            start_response("404 Not Found", [("Content-Length", "0")])
            return [b""]
        path = req.body.decode("utf-8")
        log.complete(path)
        start_response("204 No Content", [("Tus-Resumable", "1.0.0"),
                                          ("Upload-Offset", str(os.path.getsize(path)))])
        return [b""]

    return app


class Wrapper:
    """Logs each request, reads PATCH bodies in full, checks Upload-Offset, corrupts on demand."""

    def __init__(self, log, root, rate, corrupt_first):
        self.log, self.root, self.rate = log, root, rate
        self.corrupt_left = corrupt_first
        self.lock = threading.Lock()
        self.tus = TusFilter(completion_app(log), upload_path=PREFIX, tmp_dir=root)

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        record = {"event": "request", "method": method, "path": environ.get("PATH_INFO", "")}
        # The request's own headers: wsgiref makes up a CONTENT_TYPE of text/plain when none came.
        headers = environ["tus_checksum_server.headers"]
        for name in LOGGED_HEADERS:
            if headers.get(name) is not None:
                record[name] = headers[name]
        record.update(status=None, bodyBytes=0, disconnected=False, corrupted=False)

        def recording_start_response(status, headers, exc_info=None):
            record["status"] = int(status.split()[0])
            for k, v in headers:
                if k.lower() == "upload-offset":
                    record["responseOffset"] = int(v)
            return start_response(status, headers, exc_info)

        try:
            return self.handle(environ, method, record, recording_start_response)
        finally:
            self.log.write(record)

    def handle(self, environ, method, record, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        corrupt = False
        if method == "PATCH" and length > 0:
            with self.lock:
                if self.corrupt_left > 0:
                    self.corrupt_left -= 1
                    corrupt = True
        environ["wsgi.input"] = Input(environ["wsgi.input"], length, record, self.rate, corrupt)
        if method != "PATCH":
            return self.tus(environ, start_response)

        req = webob.Request(environ)
        try:
            req.make_body_seekable()
        except DisconnectionError:
            record["disconnected"] = True
            return self.answer(start_response, "400 Bad Request")
        # Where the upload stands, from the URL (tusfilter checks the URL itself, later).
        uid = environ.get("PATH_INFO", "")[len(PREFIX):]
        path = os.path.join(self.root, uid)
        with self.lock:
            if (environ.get("PATH_INFO", "").startswith(PREFIX) and uid and "/" not in uid
                    and os.path.isfile(path) and os.path.isfile(path + ".info")):
                offset = environ.get("HTTP_UPLOAD_OFFSET")
                if offset is None or not offset.isdigit():
                    return self.answer(start_response, "400 Bad Request")
                if int(offset) != os.path.getsize(path):
                    return self.answer(start_response, "409 Conflict")
                with open(path + ".info") as info:
                    upload_length = json.load(info).get("upload_length", -1)
                if 0 <= upload_length < int(offset) + req.content_length:
                    return self.answer(start_response, "400 Bad Request")
            return list(self.tus(environ, start_response))

    @staticmethod
    def answer(start_response, status):
        start_response(status, [("Tus-Resumable", "1.0.0"), ("Content-Length", "0")])
        return [b""]


class Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    rcvbuf = 0

    def server_bind(self):
        # No getfqdn() look-up as HTTPServer.server_bind does; a small receive buffer (which
        # accepted sockets inherit) when throttling, so that the kernel does not take megabytes
        # of a throttled body ahead of the app.
        if self.rcvbuf:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]
        self.setup_environ()


class Handler(WSGIRequestHandler):
    def get_environ(self):
        environ = super().get_environ()
        environ["tus_checksum_server.headers"] = self.headers
        return environ

    def log_message(self, format, *args):
        pass  # no access log; tracebacks of failing requests still go to stderr


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--rate", type=int, default=0, help="bytes per second; 0: no limit")
    parser.add_argument("--corrupt-first", type=int, default=0, metavar="N",
                        help="flip a byte of the body of the first N PATCH requests")
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    os.makedirs(root, exist_ok=True)
    log = Log(args.log)

    Server.rcvbuf = 65536 if args.rate else 0
    server = Server(("127.0.0.1", 0), Handler)
    server.set_app(Wrapper(log, root, args.rate, args.corrupt_first))
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print("listening on 127.0.0.1:%d" % server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
