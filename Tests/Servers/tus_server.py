#!/usr/bin/env python3
"""A real tus 1.0.0 server for bgxfer's tests: PyPI's tuspyserver (a FastAPI router) under uvicorn.

Runs under the test venv that .ci/install-deps makes (/opt/bgxfer-test-venv/bin/python), not
under /usr/bin/python3, which lacks tuspyserver, FastAPI and uvicorn.

Usage: tus_server.py --root DIR --log FILE [--rate BYTES_PER_SECOND]

Binds 127.0.0.1 on a free port and prints `listening on 127.0.0.1:PORT` as its first stdout
line once it accepts connections. The tus endpoint is http://127.0.0.1:PORT/files/ (POST
there; uploads live at /files/<32 hex digits>, the absolute URL that Location gives).

tuspyserver keeps upload <id> in DIR/<id> (the bytes) and DIR/<id>.info (JSON: metadata,
size, offset, expires, ...); DIR/.locks/ holds its lock files while a PATCH runs.

--log gets one JSON object per line, flushed:
  {"event": "request", "method", "path", "status", "bodyBytes", "disconnected",
   "Upload-Offset", "Upload-Length", "Content-Length", "Content-Type", "Upload-Checksum",
   "Upload-Metadata", "Tus-Resumable", "responseOffset"}
     one per request when it ends; a request header that was not sent is left out.
     bodyBytes counts the body bytes the app was handed, also for a body cut off
     mid-way (disconnected is then true, and status is what the app answered to nobody).
  {"event": "complete", "id", "path", "size", "metadata"}
     when an upload reaches its Upload-Length (logged before the request line of the PATCH,
     or POST with a body, that completed it); size is that of the stored file.
--rate throttles the reading of every request body to about that many bytes per second.

Caveats of tuspyserver 4.4.3 that tests must respect:
- A PATCH that arrives while another PATCH of the same upload is still being read waits for
  its file lock with time.sleep on the event loop: the whole server freezes for 30 s, then
  answers 503. After killing a client mid-PATCH, wait for that PATCH's request line
  ("disconnected": true) before resuming; until then HEAD still reports the old offset.
- It ignores Upload-Checksum (no checksum extension) and wants filename and filetype in
  Upload-Metadata (HEAD answers 400 without them).
SIGTERM stops it within about a second, cutting (and not logging) requests in flight.
"""
import argparse
import asyncio
import json
import os
import socket
import sys

import uvicorn
from fastapi import FastAPI
from tuspyserver import create_tus_router

LOGGED_HEADERS = ["Upload-Offset", "Upload-Length", "Content-Length", "Content-Type",
                  "Upload-Checksum", "Upload-Metadata", "Tus-Resumable"]


class Log:
    def __init__(self, path):
        self.file = open(path, "a")

    def write(self, record):
        self.file.write(json.dumps(record) + "\n")
        self.file.flush()

    def complete(self, path, metadata):
        self.write({"event": "complete", "id": os.path.basename(path), "path": path,
                    "size": os.path.getsize(path), "metadata": metadata})


class RequestLog:
    """ASGI middleware: logs each request when it ends and throttles body reading.

    It wraps `receive`, so it counts the body bytes the app actually got, including those of
    a body cut off mid-way (the app then gets http.disconnect)."""

    def __init__(self, app, log, rate, root):
        self.app, self.log, self.rate, self.root = app, log, rate, root

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        record = {"event": "request", "method": scope["method"], "path": scope["path"]}
        for name in LOGGED_HEADERS:
            if name.lower() in headers:
                record[name] = headers[name.lower()]
        record.update(status=None, bodyBytes=0, disconnected=False)

        async def counting_receive():
            message = await receive()
            if message["type"] == "http.request":
                body = message.get("body", b"")
                record["bodyBytes"] += len(body)
                if self.rate and body:
                    await asyncio.sleep(len(body) / self.rate)
            elif message["type"] == "http.disconnect":
                record["disconnected"] = True
            return message

        async def recording_send(message):
            if message["type"] == "http.response.start":
                record["status"] = message["status"]
                for k, v in message.get("headers", []):
                    if k.lower() == b"upload-offset":
                        record["responseOffset"] = int(v)
                    elif k.lower() == b"location":
                        location[0] = v.decode("latin-1")
            await send(message)

        location = [None]
        try:
            await self.app(scope, counting_receive, recording_send)
        finally:
            # tuspyserver runs its completion hook for PATCH, not for a POST whose body
            # (creation-with-upload) completes the upload: log that one here.
            if (location[0] and record["status"] == 201 and "responseOffset" in record
                    and str(record["responseOffset"]) == record.get("Upload-Length")):
                path = os.path.join(self.root, location[0].rsplit("/", 1)[-1])
                with open(path + ".info") as info:
                    self.log.complete(path, json.load(info)["metadata"])
            self.log.write(record)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--rate", type=int, default=0, help="bytes per second; 0: no limit")
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    os.makedirs(root, exist_ok=True)
    log = Log(args.log)

    # A function, not the bound method log.complete: tuspyserver deep-copies its options per
    # request, and a bound method would drag the Log (an open file) into the copy.
    def on_upload_complete(path, metadata):
        log.complete(path, metadata)

    app = FastAPI()
    app.include_router(create_tus_router(prefix="files", files_dir=root,
                                         on_upload_complete=on_upload_complete))

    # Bind port 0 ourselves so the kernel picks a free port, and hand the socket to uvicorn.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if args.rate:
        # A small receive buffer (accepted sockets inherit it) keeps the kernel from taking
        # megabytes of a throttled body ahead of the app. What a killed client had already
        # written into its own send buffer (up to 4 MiB here) still arrives after its death.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(RequestLog(app, log, args.rate, root), http="h11", lifespan="off",
                            access_log=False, log_level="warning", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)

    async def serve():
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.01)
        if server.started:
            print("listening on 127.0.0.1:%d" % port, flush=True)
        await task

    asyncio.run(serve())
    sys.exit(0 if server.started else 1)


if __name__ == "__main__":
    main()
