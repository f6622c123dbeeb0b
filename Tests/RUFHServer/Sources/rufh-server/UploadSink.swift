import Crypto
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// The application behind `HTTPResumableUploadHandler`. The library hands it one plain request per
/// upload: the creation request's head (target path, upload headers stripped), then the body as it
/// arrives across however many appends, then the end once the client sent `Upload-Complete: ?1`.
/// A new instance runs for each upload (and for each plain request).
///
/// POST or PUT /any/path/NAME writes the body to ROOT/NAME as it arrives and answers 201 with
/// {"name":…,"size":…,"sha256":…}. Other methods get 501, which the library turns into 200 for an
/// OPTIONS with the interop header. An upload that ends without its end (cancelled by DELETE, failed by
/// a 409, timed out, or a plain request whose connection closed) has its partial file removed.
final class UploadSink: ChannelInboundHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private let root: URL
    private let log: EventLog

    private var file: FileHandle?
    private var name = ""
    private var size: Int64 = 0
    private var hash = SHA256()
    /// What the library said went wrong, if it did (for the log).
    private var error: Error?

    init(root: URL, log: EventLog) {
        self.root = root
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let request):
            guard request.method == .post || request.method == .put else {
                self.respond(context: context, status: .notImplemented)
                return
            }
            guard let name = Self.fileName(path: request.path) else {
                self.respond(context: context, status: .badRequest, json: #"{"error":"no file name in the path"}"#)
                return
            }
            let url = self.root.appendingPathComponent(name, isDirectory: false)
            guard FileManager.default.createFile(atPath: url.path, contents: nil),
                let file = FileHandle(forWritingAtPath: url.path)
            else {
                self.respond(context: context, status: .internalServerError)
                return
            }
            self.file = file
            self.name = name
        case .body(let buffer):
            guard let file = self.file else { return }  // refused above; the body is dropped
            do {
                try buffer.withUnsafeReadableBytes { bytes in
                    try file.write(contentsOf: bytes)
                    self.hash.update(bufferPointer: bytes)
                }
                self.size += Int64(buffer.readableBytes)
            } catch {
                self.fail(error)
                self.respond(context: context, status: .internalServerError)
            }
        case .end:
            guard let file = self.file else { return }
            self.file = nil
            try? file.close()
            let digest = self.hash.finalize().map { String(format: "%02x", $0) }.joined()
            self.log.log(Event(event: "upload", name: self.name, size: self.size, sha256: digest))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let reply = try? encoder.encode(Reply(name: self.name, size: self.size, sha256: digest))
            self.respond(context: context, status: .created, json: String(decoding: reply ?? Data(), as: UTF8.self))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // The library reports here why an upload ended early (uploadCancelled, badResumption,
        // timeoutWaitingForResumption, or the connection's own error); channelInactive follows.
        self.error = error
    }

    func channelInactive(context: ChannelHandlerContext) {
        if self.file != nil {
            self.fail(self.error ?? ChannelError.eof)
        }
        context.fireChannelInactive()
    }

    /// Drops an upload that won't complete: closes and removes its partial file.
    private func fail(_ error: Error) {
        guard let file = self.file else { return }
        self.file = nil
        try? file.close()
        try? FileManager.default.removeItem(at: self.root.appendingPathComponent(self.name, isDirectory: false))
        self.log.log(Event(event: "upload", name: self.name, size: self.size, error: "\(error)"))
    }

    private func respond(context: ChannelHandlerContext, status: HTTPResponse.Status, json: String? = nil) {
        var response = HTTPResponse(status: status)
        let body = json.map { ByteBuffer(string: $0 + "\n") } ?? ByteBuffer()
        if json != nil {
            response.headerFields[.contentType] = "application/json"
        }
        response.headerFields[.contentLength] = "\(body.readableBytes)"
        context.write(self.wrapOutboundOut(.head(response)), promise: nil)
        if body.readableBytes > 0 {
            context.write(self.wrapOutboundOut(.body(body)), promise: nil)
        }
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
    }

    private struct Reply: Encodable {
        var name: String
        var size: Int64
        var sha256: String
    }

    /// The last component of the request path, query left out: "/up/big.bin?x=1" → "big.bin".
    static func fileName(path: String?) -> String? {
        guard let path, let last = path.split(separator: "?", maxSplits: 1).first?.split(separator: "/").last,
            let name = String(last).removingPercentEncoding,
            name != ".", name != "..", !name.contains("/"), !name.contains("\0")
        else { return nil }
        return name
    }
}
