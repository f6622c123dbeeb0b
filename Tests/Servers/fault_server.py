#!/usr/bin/env python3
"""An HTTP file server for bgxfer's tests that misbehaves on request.

It serves files from a directory with real Range, If-Range, ETag and Last-Modified logic
(206 with Content-Range, 200 when If-Range does not match, 416 `bytes */N` past the end), and
counts the body bytes it sends per file. Faults are set per file with a POST of JSON to
/_faults/<name>:

    {"rate": 8388608}                      throttle every response to this many bytes/s
    {"ignore_range": true}                 always answer 200 with the whole file
    {"content_disposition": "attachment; filename=x"}   send this Content-Disposition with the file
    {"plan": [step, ...]}                  one step consumed per GET of the file, in order:
        {"drop_after": N}                  send N body bytes, then drop the connection
        {"stall_after": N, "stall": S}     send N body bytes, then send nothing for S seconds
        {"status": 503, "retry_after": 2}  answer that status (with Retry-After when given, and
                                           "reason": its reason phrase, "header": one more raw
                                           header line, both sent as given)
        {"wrong_start": true}              answer a range request with 206 from a wrong offset
        {}                                 behave

A query string is not part of the name: /get?id=1 serves the file "get".
As a proxy it refuses every tunnel: CONNECT is answered 407 Proxy Authentication Required.
GET /_stats/<name> returns {"bytes_sent": N, "requests": [{"range", "if_range", "status", "time"}]}.
Usage: fault_server.py PORT ROOT
"""
import email.utils
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
FAULTS = {}  # name -> {"rate": int|None, "ignore_range": bool, "plan": [dict]}
STATS = {}  # name -> {"bytes_sent": int, "requests": [dict]}


def stats_for(name):
    return STATS.setdefault(name, {"bytes_sent": 0, "requests": []})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faultserver/1"

    def log_message(self, format, *args):  # quiet
        pass

    def send_json(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def do_POST(self):
        if not self.path.startswith("/_faults/"):
            return self.send_json(404, {"error": "not found"})
        name = self.path[len("/_faults/"):]
        length = int(self.headers.get("Content-Length", "0"))
        settings = json.loads(self.rfile.read(length) or b"{}")
        with LOCK:
            faults = FAULTS.setdefault(name, {"rate": None, "ignore_range": False, "plan": []})
            if "content_disposition" in settings:
                faults["content_disposition"] = settings["content_disposition"]
            if "rate" in settings:
                faults["rate"] = settings["rate"]
            if "ignore_range" in settings:
                faults["ignore_range"] = settings["ignore_range"]
            if "plan" in settings:
                faults["plan"] = list(settings["plan"])
        self.send_json(200, {"ok": True})

    def do_CONNECT(self):
        self.send_response(407)
        self.send_header("Proxy-Authenticate", 'Basic realm="tests"')
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.close_connection = True

    def do_GET(self):
        if self.path.startswith("/_stats/"):
            with LOCK:
                return self.send_json(200, stats_for(self.path[len("/_stats/"):]))
        name = self.path.lstrip("/").split("?")[0]
        path = os.path.join(self.server.root, name)
        with LOCK:
            faults = FAULTS.setdefault(name, {"rate": None, "ignore_range": False, "plan": []})
            step = faults["plan"].pop(0) if faults["plan"] else {}
            rate, ignore_range = faults["rate"], faults["ignore_range"]
            disposition = faults.get("content_disposition")
            record = {"range": self.headers.get("Range"), "if_range": self.headers.get("If-Range"), "time": time.time()}
            stats_for(name)["requests"].append(record)
        try:
            info = os.stat(path)
        except FileNotFoundError:
            record["status"] = 404
            return self.send_json(404, {"error": "no such file"})

        if "status" in step:
            record["status"] = step["status"]
            body = b"the server is unhappy\n"
            self.send_response(step["status"], step.get("reason"))
            if "retry_after" in step:
                self.send_header("Retry-After", str(step["retry_after"]))
            if "header" in step:
                self._headers_buffer.append((step["header"] + "\r\n").encode("latin-1"))
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return

        size = info.st_size
        etag = '"%x-%x-%x"' % (info.st_ino, info.st_mtime_ns, size)
        last_modified = email.utils.formatdate(info.st_mtime, usegmt=True)
        start, end, status = 0, size - 1, 200
        wanted = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if wanted and not ignore_range and wanted.startswith("bytes=") and "," not in wanted:
            matches = if_range is None or if_range == etag or if_range == last_modified
            first, _, last = wanted[len("bytes="):].partition("-")
            if matches and first.isdigit():
                start = int(first)
                if start >= size:
                    record["status"] = 416
                    self.send_response(416)
                    self.send_header("Content-Range", "bytes */%d" % size)
                    self.send_header("Content-Length", "0")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.close_connection = True
                    return
                end = min(int(last), size - 1) if last.isdigit() else size - 1
                status = 206
        claimed_start = start
        if status == 206 and step.get("wrong_start"):
            start = max(0, start - 1000)  # says it is what was asked for, but is not

        record["status"] = status
        self.send_response(status)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        if disposition:
            self.send_header("Content-Disposition", disposition)
        if status == 206:
            shown = start if step.get("wrong_start") else claimed_start
            self.send_header("Content-Range", "bytes %d-%d/%d" % (shown, end, size))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        self.send_body(path, name, start, end + 1, rate, step)

    def send_body(self, path, name, start, stop, rate, step):
        limit = step.get("drop_after", step.get("stall_after"))
        sent = 0
        began = time.monotonic()
        with open(path, "rb") as source:
            source.seek(start)
            position = start
            while position < stop:
                if limit is not None and sent >= limit:
                    break
                chunk_size = min(64 * 1024, stop - position)
                if limit is not None:
                    chunk_size = min(chunk_size, limit - sent)
                chunk = source.read(chunk_size)
                if not chunk:
                    break
                try:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    break
                sent += len(chunk)
                position += len(chunk)
                with LOCK:
                    stats_for(name)["bytes_sent"] += len(chunk)
                if rate:
                    ahead = sent / rate - (time.monotonic() - began)
                    if ahead > 0:
                        time.sleep(ahead)
        if "stall" in step:
            time.sleep(step["stall"])
        if limit is not None:
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    port, root = int(sys.argv[1]), sys.argv[2]
    server = Server(("127.0.0.1", port), Handler)
    server.root = root
    server.serve_forever()


if __name__ == "__main__":
    main()
