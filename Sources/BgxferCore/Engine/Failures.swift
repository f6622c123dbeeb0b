import CCurl
import Foundation

/// Turns HTTP statuses into the task's `error` (code and sentence).
enum HTTPStatus {
    /// `status` is one a server sent (a missing response is a curl failure, never a status).
    static func error(_ status: Int, statusLine: String?) -> TaskError {
        TaskError(code: .http(status), message: "the server answered \(status) \(reason(status, statusLine: statusLine))")
    }

    /// The status line's reason phrase, else the standard one: HTTP/2 and HTTP/3 responses have
    /// none.
    static func reason(_ status: Int, statusLine: String?) -> String {
        statusLine.flatMap(reasonPhrase) ?? standardReasons[status] ?? "(no reason given)"
    }

    /// `HTTP/1.1 404 Not Found` → `Not Found`.
    private static func reasonPhrase(_ line: String) -> String? {
        let parts = line.split(separator: " ", maxSplits: 2)
        guard parts.count == 3 else { return nil }
        let phrase = parts[2].trimmingCharacters(in: .whitespaces)
        return phrase.isEmpty ? nil : phrase
    }

    /// RFC 9110 §15, with 429, 431 and 451 (RFC 6585, 7725) and 308, 421, 422 and 425.
    static let standardReasons: [Int: String] = [
        100: "Continue", 101: "Switching Protocols", 103: "Early Hints",
        200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information", 204: "No Content",
        205: "Reset Content", 206: "Partial Content",
        300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
        305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
        400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
        405: "Method Not Allowed", 406: "Not Acceptable", 407: "Proxy Authentication Required",
        408: "Request Timeout", 409: "Conflict", 410: "Gone", 411: "Length Required", 412: "Precondition Failed",
        413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type", 416: "Range Not Satisfiable",
        417: "Expectation Failed", 421: "Misdirected Request", 422: "Unprocessable Content", 425: "Too Early",
        426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests",
        431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
        500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
        504: "Gateway Timeout", 505: "HTTP Version Not Supported", 507: "Insufficient Storage",
        511: "Network Authentication Required",
    ]
}

/// Seconds a server asked us to wait (`Retry-After`, RFC 9110 §10.2.3): delay-seconds or an
/// HTTP date; nil when absent or unreadable.
enum RetryAfter {
    static func seconds(_ value: String?, now: Date = Date()) -> Double? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if text.allSatisfy(\.isASCIIDigit) { return Double(text.prefix(10)) }
        return HTTPDate.parse(text).map { max(0, $0.timeIntervalSince(now)) }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// What a curl result code says went wrong, for a transfer that got no usable response.
enum CurlFailure {
    /// The failure a curl result stands for. `osErrno` (CURLINFO_OS_ERRNO) tells a TLS handshake
    /// cut off by the network from one the server refused.
    static func code(_ result: CURLcode, osErrno: Int32 = 0) -> FailureCode {
        switch result {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .dns
        case CURLE_COULDNT_CONNECT, CURLE_FTP_ACCEPT_FAILED, CURLE_FTP_CANT_GET_HOST, CURLE_FTP_PORT_FAILED,
            CURLE_INTERFACE_FAILED, CURLE_NO_CONNECTION_AVAILABLE, CURLE_PROXY:
            .connect
        case CURLE_OPERATION_TIMEDOUT, CURLE_FTP_ACCEPT_TIMEOUT: .timeout
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_HTTP2,
            CURLE_HTTP2_STREAM, CURLE_HTTP3, CURLE_QUIC_CONNECT_ERROR, CURLE_SSL_SHUTDOWN_FAILED, CURLE_AGAIN,
            CURLE_SEND_FAIL_REWIND, CURLE_FTP_COULDNT_RETR_FILE:
            .connectionDropped
        case CURLE_SSL_CONNECT_ERROR:
            [ECONNRESET, EPIPE, ETIMEDOUT, ECONNABORTED, ENETUNREACH, EHOSTUNREACH].contains(osErrno) ? .tls : .tlsRefused
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_USE_SSL_FAILED:
            .tlsRefused
        case CURLE_TOO_MANY_REDIRECTS: .tooManyRedirects
        // The URL's own scheme was checked when the task was made: this is a redirect's.
        case CURLE_UNSUPPORTED_PROTOCOL: .redirectRefused
        case CURLE_URL_MALFORMAT, CURLE_WEIRD_SERVER_REPLY, CURLE_FTP_WEIRD_PASS_REPLY, CURLE_FTP_WEIRD_PASV_REPLY,
            CURLE_FTP_WEIRD_227_FORMAT, CURLE_FTP_COULDNT_SET_TYPE, CURLE_BAD_CONTENT_ENCODING, CURLE_FTP_PRET_FAILED,
            CURLE_FTP_BAD_FILE_LIST:
            .protocolError
        case CURLE_REMOTE_FILE_NOT_FOUND: .notFound
        case CURLE_REMOTE_ACCESS_DENIED, CURLE_LOGIN_DENIED, CURLE_AUTH_ERROR: .accessDenied
        // Ranges the server cannot serve: the download starts again from zero (Transfer).
        case CURLE_FTP_COULDNT_USE_REST, CURLE_RANGE_ERROR, CURLE_BAD_DOWNLOAD_RESUME: .restart
        case CURLE_WRITE_ERROR: .writeError
        case CURLE_READ_ERROR: .readError
        // Failed uploads (STOR refused), memory, and a server's full disk keep curl's number.
        case CURLE_UPLOAD_FAILED, CURLE_OUT_OF_MEMORY, CURLE_REMOTE_DISK_FULL, CURLE_REMOTE_FILE_EXISTS:
            .curl(Int32(result.rawValue))
        default:
            // Options bgxfer never sets, protocols it never allows, obsolete codes: a bug here.
            result.rawValue < 100 ? .internal : .curl(Int32(result.rawValue))
        }
    }

    /// The task's error for a failed transfer: the code, and curl's most specific message, said
    /// more plainly where bgxfer knows better (a refused redirect names what would allow it; a
    /// proxy's answer to CONNECT is its status).
    static func error(
        _ result: CURLcode, message: String, osErrno: Int32 = 0, proxyStatus: Int? = nil, location: String? = nil,
        downgradeGuarded: Bool = false
    ) -> TaskError {
        if let proxyStatus, proxyStatus >= 300, proxyStatus <= 599 {
            return TaskError(
                code: .proxy(proxyStatus),
                message: "the proxy answered \(proxyStatus) \(HTTPStatus.reason(proxyStatus, statusLine: nil)) to CONNECT")
        }
        let code = code(result, osErrno: osErrno)
        switch code {
        case .redirectRefused:
            let target = location.map { " to \($0)" } ?? ""
            let scheme = location.flatMap { $0.split(separator: ":", maxSplits: 1).first?.lowercased() }
            if downgradeGuarded, scheme == "http" || scheme == "ftp" {
                return TaskError(
                    code: code,
                    message: "refused to follow the redirect from https\(target): it leaves TLS (--allow-downgrade allows it)")
            }
            return TaskError(code: code, message: "refused to follow the redirect\(target): only http, https and ftp are followed")
        case .tooManyRedirects:
            return TaskError(code: code, message: "more than \(Redirects.limit) redirects (\(message))")
        case .internal:
            return TaskError(code: code, message: "curl error \(result.rawValue): \(message)")
        case .connect where osErrno != 0 && message.hasSuffix(": Couldn't connect to server"):
            // curl 7.88 words every refusal alike; the OS says what happened.
            let reason = String(cString: strerror(osErrno))
            return TaskError(code: code, message: message.dropLast("Couldn't connect to server".count) + reason)
        default:
            return TaskError(code: code, message: message)
        }
    }
}

enum Redirects {
    /// README, "Transfers": at most 20 redirects.
    static let limit = 20
}
