/// Why an attempt failed or a task waits: the stable name in `error.code` (README, "JSON") that
/// scripts match, and whether it may go away by itself.
///
/// A failure without an HTTP response is named by what failed (`connect`, `dns`, `tls`, …);
/// `http-NNN` is only ever made from a status a server really sent, so there is no `http-0`.
public enum FailureCode: Hashable, Sendable {
    // Nothing usable came back: what failed.
    /// The host name (or the proxy's) did not resolve.
    case dns
    /// Nothing accepted the connection (refused, unreachable, or the connect timeout).
    case connect
    /// The transfer stopped moving for `--no-progress-timeout`, or another timeout passed.
    case timeout
    /// The connection broke mid-transfer (closed, reset, a short body, an HTTP/2 stream error).
    case connectionDropped
    /// The TLS handshake failed for a reason that may pass (a reset in mid-handshake).
    case tls
    /// TLS was refused for a reason a retry does not change: the server's certificate did not
    /// verify (self-signed, wrong name, expired), the server does not speak TLS there, or the
    /// local TLS set-up is wrong. Printed as `tls` too.
    case tlsRefused
    /// More than 20 redirects.
    case tooManyRedirects
    /// A redirect to a scheme that is not allowed (https → http without `--allow-downgrade`, or
    /// anything but http, https and ftp).
    case redirectRefused
    /// The server's reply was not the protocol spoken (not HTTP, a garbled FTP reply, bad
    /// content encoding).
    case protocolError
    /// The proxy answered this status to CONNECT.
    case proxy(Int)
    /// The server answered this status (100–599).
    case http(Int)
    /// FTP: no such file.
    case notFound
    /// FTP: login or access refused.
    case accessDenied

    // On this side.
    case writeError
    case readError
    case checksumMismatch
    case destinationExists
    case noFileName
    case sourceChanged
    case replyError
    /// The bytes on disk had to be given up; the task starts again from zero.
    case restart
    case `internal`

    // Resumable uploads.
    case uploadConflict
    case uploadDamaged
    case uploadRestart
    case tusTooLarge
    case tusUnsupported
    case tusProtocol
    case rufhProtocol

    // What a waiting task waits for (README, "Network, cost and power"): never a failure.
    case noNetwork
    case metered
    case onBattery

    /// A curl result without a name of its own (`curl-N`).
    case curl(Int32)
    /// A code this version does not know (a store written by another version).
    case unrecognized(String)

    /// The name in `error.code`.
    public var rawValue: String {
        switch self {
        case .dns: "dns"
        case .connect: "connect"
        case .timeout: "timeout"
        case .connectionDropped: "connection-dropped"
        case .tls, .tlsRefused: "tls"
        case .tooManyRedirects: "too-many-redirects"
        case .redirectRefused: "redirect-refused"
        case .protocolError: "protocol-error"
        case .proxy(let status): "proxy-\(status)"
        case .http(let status): "http-\(status)"
        case .notFound: "not-found"
        case .accessDenied: "access-denied"
        case .writeError: "write-error"
        case .readError: "read-error"
        case .checksumMismatch: "checksum-mismatch"
        case .destinationExists: "destination-exists"
        case .noFileName: "no-file-name"
        case .sourceChanged: "source-changed"
        case .replyError: "reply-error"
        case .restart: "restart"
        case .internal: "internal"
        case .uploadConflict: "upload-conflict"
        case .uploadDamaged: "upload-damaged"
        case .uploadRestart: "upload-restart"
        case .tusTooLarge: "tus-too-large"
        case .tusUnsupported: "tus-unsupported"
        case .tusProtocol: "tus-protocol"
        case .rufhProtocol: "rufh-protocol"
        case .noNetwork: "no-network"
        case .metered: "metered"
        case .onBattery: "on-battery"
        case .curl(let code): "curl-\(code)"
        case .unrecognized(let text): text
        }
    }

    /// The code a stored `error.code` names.
    public init(rawValue: String) {
        if let known = Self.named[rawValue] {
            self = known
        } else if let status = Self.number(after: "http-", in: rawValue), (100...599).contains(status) {
            self = .http(status)
        } else if let status = Self.number(after: "proxy-", in: rawValue), (100...599).contains(status) {
            self = .proxy(status)
        } else if let code = Self.number(after: "curl-", in: rawValue) {
            self = .curl(Int32(code))
        } else {
            self = .unrecognized(rawValue)
        }
    }

    private static let named: [String: FailureCode] = Dictionary(
        uniqueKeysWithValues: [
            .dns, .connect, .timeout, .connectionDropped, .tls, .tooManyRedirects, .redirectRefused, .protocolError,
            .notFound, .accessDenied, .writeError, .readError, .checksumMismatch, .destinationExists, .noFileName,
            .sourceChanged, .replyError, .restart, .internal, .uploadConflict, .uploadDamaged, .uploadRestart,
            .tusTooLarge, .tusUnsupported, .tusProtocol, .rufhProtocol, .noNetwork, .metered, .onBattery,
        ].map { ($0.rawValue, $0) })

    private static func number(after prefix: String, in text: String) -> Int? {
        guard text.hasPrefix(prefix), text.count <= prefix.count + 5 else { return nil }
        return Int(text.dropFirst(prefix.count))
    }

    /// May go away by itself, so another attempt is worth making (README, "Interruptions"):
    /// connection, name-resolution and timeout failures, dropped connections, TLS handshakes cut
    /// short, 5xx (but 501 and 505), 408 and 429, from the server or from a proxy. Other 4xx,
    /// refused certificates and redirects, checksum and write errors will not.
    public var isTransient: Bool {
        switch self {
        case .dns, .connect, .timeout, .connectionDropped, .tls: true
        case .http(let status), .proxy(let status): Self.isTransient(status: status)
        // A resumable upload that met too many conflicts, damaged chunks or forgotten resources
        // in a row: the next attempt asks the server afresh.
        case .uploadConflict, .uploadDamaged, .uploadRestart, .restart: true
        default: false
        }
    }

    private static func isTransient(status: Int) -> Bool {
        switch status {
        case 408, 429: true
        case 501, 505: false
        case 500...599: true
        default: false
        }
    }

    /// What a waiting task with this code waits for, when it waits for a condition rather than
    /// a time: the network, an unmetered network, mains power.
    public var isCondition: Bool {
        switch self {
        case .noNetwork, .metered, .onBattery: true
        default: false
        }
    }
}

extension FailureCode: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension FailureCode: CustomStringConvertible {
    public var description: String { rawValue }
}
