import CCurl
import Foundation

/// Turns HTTP statuses and curl result codes into the task's `error` (code and sentence).
enum HTTPStatus {
    static func error(_ status: Int, statusLine: String?) -> TaskError {
        let reason = statusLine.flatMap(reasonPhrase) ?? standardReason(status) ?? "error"
        return TaskError(code: "http-\(status)", message: "the server answered \(status) \(reason)")
    }

    /// `HTTP/1.1 404 Not Found` → `Not Found`; HTTP/2 has no reason phrase.
    private static func reasonPhrase(_ line: String) -> String? {
        let parts = line.split(separator: " ", maxSplits: 2)
        guard parts.count == 3 else { return nil }
        let phrase = parts[2].trimmingCharacters(in: .whitespaces)
        return phrase.isEmpty ? nil : phrase
    }

    private static func standardReason(_ status: Int) -> String? {
        [
            300: "Multiple Choices", 304: "Not Modified", 400: "Bad Request", 401: "Unauthorized",
            403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
            410: "Gone", 416: "Range Not Satisfiable", 429: "Too Many Requests",
            500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
            503: "Service Unavailable", 504: "Gateway Timeout",
        ][status]
    }
}

enum CurlFailure {
    /// Stable, readable codes for the failures people meet; `curl-N` for the rest.
    static func error(_ code: CURLcode, message: String) -> TaskError {
        TaskError(code: name(code), message: message)
    }

    static func name(_ code: CURLcode) -> String {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: "dns"
        case CURLE_COULDNT_CONNECT: "connect"
        case CURLE_OPERATION_TIMEDOUT: "timeout"
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING: "connection-dropped"
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE:
            "tls"
        case CURLE_REMOTE_FILE_NOT_FOUND: "not-found"
        case CURLE_LOGIN_DENIED, CURLE_REMOTE_ACCESS_DENIED: "access-denied"
        case CURLE_TOO_MANY_REDIRECTS: "too-many-redirects"
        case CURLE_UNSUPPORTED_PROTOCOL: "unsupported-redirect"
        case CURLE_WRITE_ERROR: "write-error"
        default: "curl-\(code.rawValue)"
        }
    }
}
