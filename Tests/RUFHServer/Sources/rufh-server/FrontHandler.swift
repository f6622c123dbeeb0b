import HTTPTypes
import NIOCore
import NIOHTTPTypes

extension HTTPField.Name {
    static let uploadDraftInteropVersion = Self("Upload-Draft-Interop-Version")!
    static let uploadComplete = Self("Upload-Complete")!
    static let uploadOffset = Self("Upload-Offset")!
    static let uploadLength = Self("Upload-Length")!
}

/// Sits in front of `HTTPResumableUploadHandler`, so it sees every request and response on the wire
/// (resumable-upload requests included, which the application behind the library never sees as such).
///
/// - Logs one "request" event per request, once its end arrived or its connection closed, and one
///   "response" event per response head, 1xx included. Everything passes through unchanged.
/// - Answers `Expect: 100-continue` with a 100 (after the library's 104), as most servers do; the
///   library doesn't, and curl then waits a second before sending the body. `--no-continue` turns it off.
/// - Works around one gap of the library (swift-nio-extras 1.35.2): when the library answers a
/// request with a body before that body ended (409 for a PATCH at the wrong offset, 404 for a PATCH to
/// an unknown upload, 400), nothing asks the connection for more data, so the rest of the body is never
/// read, the request never ends and the connection hangs (even after the client closed it). Here, once
/// a final response went out before the request's end, reads go on until the end, the body is dropped
/// by the library, and the connection serves its next request or sees the client close.
final class FrontHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let log: EventLog
    private let conn: Int
    private let sendContinue: Bool
    /// The request being received; nil between requests.
    private var current: Event?
    /// A final response went out before the current request's end.
    private var answeredEarly = false

    init(log: EventLog, conn: Int, sendContinue: Bool) {
        self.log = log
        self.conn = conn
        self.sendContinue = sendContinue
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let request):
            let fields = request.headerFields
            self.current = Event(
                event: "request",
                conn: self.conn,
                method: request.method.rawValue,
                path: request.path,
                uploadDraftInteropVersion: fields[.uploadDraftInteropVersion],
                uploadComplete: fields[.uploadComplete].flatMap(Self.structuredBool),
                uploadOffset: fields[.uploadOffset].flatMap { Int64($0) },
                uploadLength: fields[.uploadLength].flatMap { Int64($0) },
                contentLength: fields[.contentLength].flatMap { Int64($0) },
                contentType: fields[.contentType],
                expect: fields[.expect],
                bodyBytes: 0
            )
            context.fireChannelRead(data)
            // The library has answered by now if it refused the request (404, 409, 400): no 100 then.
            if self.sendContinue, fields[.expect]?.lowercased() == "100-continue", !self.answeredEarly,
                self.current != nil
            {
                self.write(
                    context: context, data: self.wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
                context.flush()
            }
            return
        case .body(let buffer):
            self.current?.bodyBytes! += Int64(buffer.readableBytes)
        case .end:
            self.finishRequest(ended: true)
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
        if self.answeredEarly {
            context.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.finishRequest(ended: false)
        context.fireChannelInactive()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = self.unwrapOutboundIn(data)
        if case .head(let response) = part {
            var headers: [String: String] = [:]
            for field in response.headerFields {
                headers[field.name.canonicalName] =
                    headers[field.name.canonicalName].map { "\($0), \(field.value)" } ?? field.value
            }
            self.log.log(Event(event: "response", conn: self.conn, status: response.status.code, headers: headers))
            if response.status.kind != .informational && self.current != nil {
                self.answeredEarly = true
            }
        }
        context.write(data, promise: promise)
        if case .end = part, self.answeredEarly {
            context.read()
        }
    }

    private func finishRequest(ended: Bool) {
        guard var event = self.current else { return }
        self.current = nil
        self.answeredEarly = false
        event.ended = ended
        self.log.log(event)
    }

    /// A structured-field boolean: "?1" or "?0".
    private static func structuredBool(_ value: String) -> Bool? {
        switch value {
        case "?1": true
        case "?0": false
        default: nil
        }
    }
}
