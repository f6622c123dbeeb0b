import Foundation

/// What a response told us, stored with the task (`show`, the `headers` event).
struct ResponseInfo: Equatable {
    /// Takes one header line as curl's header callback gives it: a status line starts a new
    /// response (an interim 1xx or a redirect came before), other lines are its headers.
    static func collect(_ bytes: UnsafeRawBufferPointer, statusLine: inout String?, headers: inout [String]) {
        var end = bytes.count
        while end > 0, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = String(decoding: bytes[..<end], as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            statusLine = line
            headers = []
        } else if !line.isEmpty {
            headers.append(line)
        }
    }

    var status: Int?
    var headers: [String]?
    /// The whole file's length (for a 206, the total of its Content-Range).
    var bytesExpected: Int64?
    var effectiveURL: String?
    /// The strong validator the bytes of this response can be resumed with later.
    var validator: String?
    /// The body goes into the partial file: this response's validators now describe the bytes
    /// on disk. An error response (or one that was refused) leaves them as they were.
    var describesFile = false
    /// Uploads: the start of the reply's body (at most `TransferTask.replyLimit` bytes).
    var body: Data?
    /// Something about the response worth a line in the task's log (the name it was saved as).
    var note: String?

    /// The header's value in the final response (names compare case-insensitively).
    func value(of name: String) -> String? {
        headers?.lazy.compactMap { line -> String? in
            guard let colon = line.firstIndex(of: ":"),
                line[..<colon].trimmingCharacters(in: .whitespaces).caseInsensitiveCompare(name) == .orderedSame
            else { return nil }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }.first
    }
}
