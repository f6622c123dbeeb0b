import CCurl
import Foundation

/// A libcurl result code that is not CURLE_OK, with curl's own words for it.
struct CurlError: Error, CustomStringConvertible {
    let code: CURLcode
    var description: String { String(cString: curl_easy_strerror(code)) }
}

extension CURLcode {
    /// Turns a curl result into a Swift error right at the call.
    func check() throws {
        if self != CURLE_OK { throw CurlError(code: self) }
    }
}

/// Initialises libcurl once per process, before any thread could race it.
enum CurlLibrary {
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    static var version: String { String(cString: curl_version()) }
}

/// Owns one `CURL *` easy handle and what it points to (header list, error buffer). Not
/// `Sendable`: a handle is used by one thread at a time, the worker's.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// CURLOPT_PROXYHEADER: what only a proxy gets.
    private var proxyHeaderList: UnsafeMutablePointer<curl_slist>?
    /// A multipart body (CURLOPT_MIMEPOST), freed after the handle.
    private var mime: OpaquePointer?
    /// CURLOPT_ERRORBUFFER: curl writes a more specific message here than curl_easy_strerror.
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init() throws {
        precondition(CurlLibrary.initialized, "curl_global_init failed")
        guard let handle = curl_easy_init() else { throw BgxferError("cannot create a curl handle") }
        self.handle = handle
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_mime_free(mime)
        curl_slist_free_all(headerList)
        curl_slist_free_all(proxyHeaderList)
        errorBuffer.deallocate()
    }

    /// Back to a fresh handle's options (curl_easy_reset) for the next request of the same
    /// attempt; the handle, and what curl keeps for it (DNS cache, connections in its multi
    /// handle), stay. It must not be in a multi handle.
    func reset() throws {
        curl_easy_reset(handle)
        curl_slist_free_all(headerList)
        headerList = nil
        curl_slist_free_all(proxyHeaderList)
        proxyHeaderList = nil
        curl_mime_free(mime)
        mime = nil
        errorBuffer[0] = 0
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    }

    /// https://curl.se/libcurl/c/curl_easy_setopt.html: options taking a `long`.
    func set(_ option: CURLoption, _ value: Int) throws {
        try bgx_curl_easy_setopt_long(handle, option, value).check()
    }

    func set(_ option: CURLoption, _ value: Bool) throws {
        try set(option, value ? 1 : 0)
    }

    /// Options taking a `curl_off_t` (the `_LARGE` ones).
    func set(_ option: CURLoption, offset value: Int64) throws {
        try bgx_curl_easy_setopt_off(handle, option, curl_off_t(value)).check()
    }

    /// Options taking a string; curl copies it.
    func set(_ option: CURLoption, _ value: String) throws {
        try value.withCString { try bgx_curl_easy_setopt_string(handle, option, $0).check() }
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws {
        try bgx_curl_easy_setopt_pointer(handle, option, value).check()
    }

    func set(_ option: CURLoption, callback: bgx_curl_data_callback) throws {
        try bgx_curl_easy_setopt_data_callback(handle, option, callback).check()
    }

    func set(_ option: CURLoption, seek callback: bgx_curl_seek_callback) throws {
        try bgx_curl_easy_setopt_seek_callback(handle, option, callback).check()
    }

    /// CURLOPT_HTTPHEADER, for the server; `Proxy-Authorization` goes to CURLOPT_PROXYHEADER
    /// instead (with CURLHEADER_SEPARATE), so that only a proxy ever gets it: no origin, and no
    /// other origin after a redirect (curl itself drops only Authorization and Cookie there).
    /// The lists live as long as the handle.
    func setHeaders(_ lines: [String]) throws {
        let forProxy = { (line: String) in
            line.split(separator: ":", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces).lowercased() == "proxy-authorization"
        }
        curl_slist_free_all(headerList)
        curl_slist_free_all(proxyHeaderList)
        headerList = try Self.list(lines.filter { !forProxy($0) })
        proxyHeaderList = try Self.list(lines.filter(forProxy))
        try set(CURLOPT_HEADEROPT, Int(CURLHEADER_SEPARATE))
        try bgx_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList).check()
        try bgx_curl_easy_setopt_slist(handle, CURLOPT_PROXYHEADER, proxyHeaderList).check()
    }

    private static func list(_ lines: [String]) throws -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw BgxferError("cannot allocate a header list")
            }
            list = appended
        }
        return list
    }

    /// CURLOPT_MIMEPOST: a `multipart/form-data` body whose parts `build` adds; the handle owns it.
    func setMultipart(_ build: (_ addPart: () throws -> OpaquePointer) throws -> Void) throws {
        curl_mime_free(mime)
        guard let created = curl_mime_init(handle) else { throw BgxferError("cannot create a multipart body") }
        mime = created
        try build {
            guard let part = curl_mime_addpart(created) else { throw BgxferError("cannot add a multipart part") }
            return part
        }
        try set(CURLOPT_MIMEPOST, pointer: UnsafeMutableRawPointer(created))
    }

    /// Lets a paused transfer go on (curl_easy_pause with CURLPAUSE_CONT). Data curl kept while
    /// it was paused reaches the write callback before this returns.
    func unpause() -> CURLcode { curl_easy_pause(handle, 0) }

    /// Runs the request to its end, blocking (outside the worker's multi handle).
    func perform() -> CURLcode { curl_easy_perform(handle) }

    func info(long info: CURLINFO) -> Int? {
        var value = 0
        return bgx_curl_easy_getinfo_long(handle, info, &value) == CURLE_OK ? value : nil
    }

    func info(offset info: CURLINFO) -> Int64? {
        var value: curl_off_t = 0
        return bgx_curl_easy_getinfo_off(handle, info, &value) == CURLE_OK ? Int64(value) : nil
    }

    func info(string info: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard bgx_curl_easy_getinfo_string(handle, info, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    /// The most specific description of a failed transfer curl can give.
    func message(for code: CURLcode) -> String {
        let specific = String(cString: errorBuffer)
        return specific.isEmpty ? String(cString: curl_easy_strerror(code)) : specific
    }
}

@available(*, unavailable)
extension CurlEasy: Sendable {}

/// Owns one `CURLM *` multi handle, which drives many easy handles on one thread.
final class CurlMulti {
    let handle: UnsafeMutableRawPointer

    init() throws {
        precondition(CurlLibrary.initialized, "curl_global_init failed")
        guard let handle = curl_multi_init() else { throw BgxferError("cannot create a curl multi handle") }
        self.handle = handle
    }

    deinit { curl_multi_cleanup(handle) }

    func add(_ easy: CurlEasy) throws {
        let code = curl_multi_add_handle(handle, easy.handle)
        if code != CURLM_OK { throw BgxferError("curl: \(String(cString: curl_multi_strerror(code)))") }
    }

    func remove(_ easy: CurlEasy) {
        curl_multi_remove_handle(handle, easy.handle)
    }

    /// Moves every transfer along as far as it can go without blocking.
    func perform() {
        var running: Int32 = 0
        while curl_multi_perform(handle, &running) == CURLM_CALL_MULTI_PERFORM {}
    }

    /// Transfers that have ended since the last call: the easy handle and its result.
    func completed() -> [(easy: UnsafeMutableRawPointer, result: CURLcode)] {
        var done: [(UnsafeMutableRawPointer, CURLcode)] = []
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(handle, &remaining) {
            if message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle {
                done.append((easy, message.pointee.data.result))
            }
        }
        return done
    }

    /// Sleeps until a transfer's socket, one of `extra` descriptors, or the timeout needs
    /// attention. Returns the extra descriptors that became readable.
    func poll(extra: [Int32], timeoutMilliseconds: Int32) -> Set<Int32> {
        var waits = extra.map { curl_waitfd(fd: $0, events: Int16(CURL_WAIT_POLLIN), revents: 0) }
        var count: Int32 = 0
        _ = waits.withUnsafeMutableBufferPointer {
            curl_multi_poll(handle, $0.baseAddress, UInt32($0.count), timeoutMilliseconds, &count)
        }
        return Set(waits.filter { $0.revents != 0 }.map(\.fd))
    }
}

@available(*, unavailable)
extension CurlMulti: Sendable {}
