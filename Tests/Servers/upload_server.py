#!/usr/bin/env python3
"""An HTTP upload receiver for bgxfer's tests.

PUT, POST or PATCH /<name> streams the request body (Content-Length) into ROOT/<name> and
answers 201 with JSON: {"name", "method", "bytes", "sha256", "content_type"}.
A multipart/form-data body is also taken apart: each part is stored as
ROOT/<name>.parts/<index>-<part name>, and the JSON has "parts": [{"name", "filename",
"content_type", "bytes", "sha256"}] in the body's order.
POST /_status/<code>/<name> reads the body and answers <code> with a short text body.
?reply_bytes=<n> makes the 201's body n bytes (the JSON, then '.' padding) instead.
A request may be slowed with ?rate=<bytes per second> (the server reads that slowly).
Usage: upload_server.py PORT ROOT
"""
import email.parser
import email.policy
import hashlib
import json
import os
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.command, fmt % args))

    def receive(self):
        parsed = urllib.parse.urlparse(self.path)
        rate = int(urllib.parse.parse_qs(parsed.query).get("rate", ["0"])[0])
        length = int(self.headers.get("Content-Length", "0"))
        digest, received = hashlib.sha256(), 0
        parts = parsed.path.strip("/").split("/")
        status = None
        if parts[0] == "_status":
            status, parts = int(parts[1]), parts[2:]
        name = "/".join(parts)
        target = os.path.join(ROOT, name)
        with open(target + ".incoming", "wb") as out:
            while received < length:
                chunk = self.rfile.read(min(65536, length - received))
                if not chunk:
                    break
                out.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                if rate:
                    time.sleep(len(chunk) / rate)
        if received < length:
            os.unlink(target + ".incoming")  # a cut-off body is never stored
            self.close_connection = True
            return
        if status is not None:
            os.unlink(target + ".incoming")
            body = ("refused with %d after %d bytes\n" % (status, received)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
        else:
            os.replace(target + ".incoming", target)
            reply = {"name": name, "method": self.command, "bytes": received, "sha256": digest.hexdigest(),
                     "content_type": self.headers.get("Content-Type")}
            if (reply["content_type"] or "").startswith("multipart/form-data"):
                reply["parts"] = store_parts(target, reply["content_type"])
            body = json.dumps(reply).encode()
            padded = int(urllib.parse.parse_qs(parsed.query).get("reply_bytes", ["0"])[0])
            body += b"." * max(0, padded - len(body))
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_PUT = do_POST = do_PATCH = receive


def store_parts(target, content_type):
    """Splits a stored multipart body into its parts (test files are small: in memory)."""
    with open(target, "rb") as body:
        raw = b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body.read()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    os.makedirs(target + ".parts", exist_ok=True)
    parts = []
    for index, part in enumerate(message.iter_parts()):
        data = part.get_payload(decode=True)
        name = part.get_param("name", header="content-disposition")
        with open(os.path.join(target + ".parts", "%d-%s" % (index, name)), "wb") as out:
            out.write(data)
        parts.append({"name": name, "filename": part.get_filename(),
                      "content_type": part.get("Content-Type"),
                      "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    return parts


if __name__ == "__main__":
    PORT, ROOT = int(sys.argv[1]), sys.argv[2]
    ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
