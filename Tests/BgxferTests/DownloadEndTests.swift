import CCurl
import Foundation
import Testing

@testable import BgxferCore

/// How a download attempt ended, decided from its facts alone (README, "Interruptions").
@Suite struct DownloadEndTests {
    static func failure(_ end: DownloadEnd) -> TaskError? {
        if case .failed(let error, _) = end.outcome { return error }
        return nil
    }

    @Test func noResponseAtAllIsNeverJudgedAsAStatus() {
        for result in [CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_OPERATION_TIMEDOUT, CURLE_GOT_NOTHING] {
            #expect(!DownloadEnd.judgesUnstartedResponse(result: result, status: 0, isHTTP: true))
            #expect(!DownloadEnd.judgesUnstartedResponse(result: result, status: nil, isHTTP: true))
        }
        #expect(!DownloadEnd.judgesUnstartedResponse(result: CURLE_OK, status: 100, isHTTP: true))
    }

    @Test func aFinalResponseWithoutABodyIsJudged() {
        #expect(DownloadEnd.judgesUnstartedResponse(result: CURLE_OK, status: 200, isHTTP: true))
        #expect(DownloadEnd.judgesUnstartedResponse(result: CURLE_OK, status: 304, isHTTP: true))
        #expect(DownloadEnd.judgesUnstartedResponse(result: CURLE_PARTIAL_FILE, status: 200, isHTTP: true))
        #expect(DownloadEnd.judgesUnstartedResponse(result: CURLE_RECV_ERROR, status: 503, isHTTP: true))
        // A redirect curl refused or gave up following is not the answer: the curl result is.
        #expect(!DownloadEnd.judgesUnstartedResponse(result: CURLE_TOO_MANY_REDIRECTS, status: 302, isHTTP: true))
        #expect(!DownloadEnd.judgesUnstartedResponse(result: CURLE_UNSUPPORTED_PROTOCOL, status: 301, isHTTP: true))
        // FTP: a whole (empty) transfer is judged; a failed one is the curl result.
        #expect(DownloadEnd.judgesUnstartedResponse(result: CURLE_OK, status: nil, isHTTP: false))
        #expect(!DownloadEnd.judgesUnstartedResponse(result: CURLE_REMOTE_FILE_NOT_FOUND, status: nil, isHTTP: false))
    }

    @Test func aServerThatIsDownIsAConnectFailureWithCurlsWords() {
        var end = DownloadEnd(result: CURLE_COULDNT_CONNECT)
        end.curlMessage = "Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server"
        let error = Self.failure(end)
        #expect(error?.code == .connect)
        #expect(error?.message == end.curlMessage)
        #expect(error?.code.isTransient == true)
    }

    @Test func aTLSHandshakeCutShortIsTransientARefusedCertificateIsNot() {
        var reset = DownloadEnd(result: CURLE_SSL_CONNECT_ERROR)
        reset.osErrno = ECONNRESET
        #expect(Self.failure(reset)?.code == .tls)
        #expect(Self.failure(reset)?.code.isTransient == true)
        var wrongVersion = DownloadEnd(result: CURLE_SSL_CONNECT_ERROR)
        wrongVersion.curlMessage = "error:0A00010B:SSL routines::wrong version number"
        #expect(Self.failure(wrongVersion)?.code == .tlsRefused)
        var selfSigned = DownloadEnd(result: CURLE_PEER_FAILED_VERIFICATION)
        selfSigned.curlMessage = "SSL certificate problem: self-signed certificate"
        let error = Self.failure(selfSigned)
        #expect(error?.code == .tlsRefused && error?.code.rawValue == "tls" && error?.message == selfSigned.curlMessage)
        #expect(error?.code.isTransient == false)
    }

    @Test func tooManyRedirectsIsNotTheLastRedirectsStatus() {
        var end = DownloadEnd(result: CURLE_TOO_MANY_REDIRECTS)
        end.status = 302
        end.curlMessage = "Maximum (20) redirects followed"
        #expect(Self.failure(end)?.code == .tooManyRedirects)
    }

    @Test func aRefusedDowngradeNamesTheOptionThatAllowsIt() {
        var end = DownloadEnd(result: CURLE_UNSUPPORTED_PROTOCOL)
        end.status = 301
        end.location = "http://example.com/a.iso"
        end.downgradeGuarded = true
        let error = Self.failure(end)
        #expect(error?.code == .redirectRefused)
        #expect(error?.message.contains("--allow-downgrade") == true && error?.message.contains("http://example.com/a.iso") == true)
        end.location = "gopher://example.com/"
        #expect(Self.failure(end)?.message.contains("only http, https and ftp") == true)
        #expect(Self.failure(end)?.message.contains("--allow-downgrade") == false)
    }

    @Test func aProxysAnswerToConnectIsTheProxysStatus() {
        var end = DownloadEnd(result: CURLE_RECV_ERROR)
        end.proxyStatus = 407
        end.curlMessage = "CONNECT tunnel failed, response 407"
        let error = Self.failure(end)
        #expect(error?.code == .proxy(407) && error?.code.rawValue == "proxy-407")
        #expect(error?.message == "the proxy answered 407 Proxy Authentication Required to CONNECT")
        #expect(error?.code.isTransient == false)
        end.proxyStatus = 503
        #expect(Self.failure(end)?.code.isTransient == true)
    }

    @Test func anErrorStatusIsRefusedWithItsPhraseAndRetryAfter() {
        var end = DownloadEnd(result: CURLE_WRITE_ERROR)
        end.verdict = .rejected(status: 503)
        end.status = 503
        end.statusLine = "HTTP/1.1 503 Busy Right Now"
        end.retryAfter = 2
        #expect(end.outcome == .failed(TaskError(code: .http(503), message: "the server answered 503 Busy Right Now"), retryAfter: 2))
        // HTTP/2 has no reason phrase: the standard one is used.
        end.statusLine = "HTTP/2 503"
        #expect(Self.failure(end)?.message == "the server answered 503 Service Unavailable")
        end.verdict = .rejected(status: 418)
        end.statusLine = "HTTP/2 418"
        #expect(Self.failure(end)?.message == "the server answered 418 (no reason given)")
    }

    @Test func ourOwnVerdictsWinOverTheAbortTheyCaused() {
        var end = DownloadEnd(result: CURLE_WRITE_ERROR)
        end.verdict = .restart("the server sent bytes from 0, not from 100")
        #expect(end.outcome == .restart(reason: "the server sent bytes from 0, not from 100"))
        let refused = TaskError(code: .destinationExists, message: "taken")
        end.verdict = .nameRefused(refused)
        #expect(end.outcome == .failed(refused, retryAfter: nil))
        end.verdict = .alreadyComplete
        #expect(end.outcome == .verified)
        end.verdict = .truncateFailed(EIO)
        #expect(Self.failure(end)?.code == .writeError)
    }

    @Test func aRefreshRunsNotModifiedIsVerified() {
        var end = DownloadEnd(result: CURLE_OK)
        end.status = 304
        end.verdict = .notModified
        #expect(end.outcome == .verified)
    }

    @Test func aDropAfterTheBodyBeganIsAConnectionDrop() {
        var end = DownloadEnd(result: CURLE_PARTIAL_FILE)
        end.status = 200
        end.verdict = .accepted
        end.curlMessage = "transfer closed with 100 bytes remaining to read"
        #expect(Self.failure(end) == TaskError(code: .connectionDropped, message: end.curlMessage))
    }

    @Test func aServerThatCannotResumeStartsAgainFromZero() {
        var end = DownloadEnd(result: CURLE_FTP_COULDNT_USE_REST)
        end.curlMessage = "REST command failed"
        guard case .restart(let reason) = end.outcome else {
            Issue.record("expected a restart, got \(end.outcome)")
            return
        }
        #expect(reason.contains("REST command failed"))
    }

    @Test func localFailuresComeBeforeTheResultAndTheChecksumLast() {
        var end = DownloadEnd(result: CURLE_WRITE_ERROR)
        end.verdict = .accepted
        end.writeErrno = ENOSPC
        end.partialPath = "/tmp/a.part"
        #expect(Self.failure(end)?.code == .writeError)
        #expect(Self.failure(end)?.message.contains("/tmp/a.part") == true)

        var whole = DownloadEnd(result: CURLE_OK)
        whole.verdict = .accepted
        whole.expectedChecksum = "sha256:AB"
        whole.actualChecksum = "sha256:ab"
        #expect(whole.outcome == .verified)
        whole.actualChecksum = "sha256:cd"
        #expect(Self.failure(whole)?.code == .checksumMismatch)
        whole.actualChecksum = "sha256:ab"
        whole.flushErrno = EIO
        #expect(Self.failure(whole)?.code == .writeError)
    }

    @Test func aSuccessWithoutAnyResponseIsAProtocolError() {
        #expect(Self.failure(DownloadEnd(result: CURLE_OK))?.code == .protocolError)
    }
}

/// Every curl result the worker can meet has a name, and none of them is an HTTP status.
@Suite struct CurlFailureTests {
    /// Results that keep curl's number (`curl-N`) on purpose.
    static let numbered: Set<UInt32> = [
        CURLE_UPLOAD_FAILED.rawValue, CURLE_OUT_OF_MEMORY.rawValue, CURLE_REMOTE_DISK_FULL.rawValue,
        CURLE_REMOTE_FILE_EXISTS.rawValue,
    ]

    @Test func everyResultHasANameAndIsNeverAStatus() {
        for raw in UInt32(1)..<100 {
            let code = CurlFailure.code(CURLcode(rawValue: raw))
            if case .http = code { Issue.record("curl \(raw) became \(code)") }
            if case .curl = code {
                #expect(Self.numbered.contains(raw), "curl \(raw) has no name")
            }
            var end = DownloadEnd(result: CURLcode(rawValue: raw))
            end.status = nil
            switch end.outcome {
            case .failed(let error, _): #expect(!error.code.rawValue.hasPrefix("http-"), "curl \(raw)")
            case .restart: #expect(code == .restart)
            default: Issue.record("curl \(raw) ended as \(end.outcome)")
            }
        }
        #expect(CurlFailure.code(CURLcode(rawValue: 120)) == .curl(120))
    }

    @Test(arguments: [
        (CURLE_COULDNT_RESOLVE_HOST, "dns", true), (CURLE_COULDNT_RESOLVE_PROXY, "dns", true),
        (CURLE_COULDNT_CONNECT, "connect", true), (CURLE_OPERATION_TIMEDOUT, "timeout", true),
        (CURLE_PARTIAL_FILE, "connection-dropped", true), (CURLE_RECV_ERROR, "connection-dropped", true),
        (CURLE_SEND_ERROR, "connection-dropped", true), (CURLE_GOT_NOTHING, "connection-dropped", true),
        (CURLE_HTTP2, "connection-dropped", true), (CURLE_HTTP2_STREAM, "connection-dropped", true),
        (CURLE_PEER_FAILED_VERIFICATION, "tls", false), (CURLE_SSL_CACERT_BADFILE, "tls", false),
        (CURLE_TOO_MANY_REDIRECTS, "too-many-redirects", false), (CURLE_UNSUPPORTED_PROTOCOL, "redirect-refused", false),
        (CURLE_WEIRD_SERVER_REPLY, "protocol-error", false), (CURLE_REMOTE_FILE_NOT_FOUND, "not-found", false),
        (CURLE_LOGIN_DENIED, "access-denied", false), (CURLE_REMOTE_ACCESS_DENIED, "access-denied", false),
        (CURLE_WRITE_ERROR, "write-error", false), (CURLE_READ_ERROR, "read-error", false),
        (CURLE_OUT_OF_MEMORY, "curl-27", false), (CURLE_ABORTED_BY_CALLBACK, "internal", false),
    ])
    func theFailuresPeopleMeet(result: CURLcode, name: String, transient: Bool) {
        let code = CurlFailure.code(result)
        #expect(code.rawValue == name)
        #expect(code.isTransient == transient)
    }
}

@Suite struct FailureCodeTests {
    @Test(arguments: [
        "dns", "connect", "timeout", "connection-dropped", "tls", "too-many-redirects", "redirect-refused",
        "protocol-error", "proxy-407", "http-404", "http-503", "not-found", "access-denied", "write-error",
        "checksum-mismatch", "destination-exists", "no-file-name", "source-changed", "reply-error", "restart",
        "upload-conflict", "tus-protocol", "rufh-protocol", "no-network", "metered", "on-battery", "curl-27",
    ])
    func storedCodesReadBackAsTheyWereWritten(name: String) {
        let code = FailureCode(rawValue: name)
        #expect(code.rawValue == name)
        if case .unrecognized = code { Issue.record("\(name) is not recognised") }
    }

    @Test func thereIsNoHTTPStatusZero() {
        #expect(FailureCode(rawValue: "http-0") == .unrecognized("http-0"))
        #expect(FailureCode(rawValue: "http-99999999999") == .unrecognized("http-99999999999"))
        #expect(FailureCode(rawValue: "proxy-0") == .unrecognized("proxy-0"))
    }

    @Test func conditionsAreWhatAWaitingTaskWaitsFor() {
        let conditions: [FailureCode] = [.noNetwork, .metered, .onBattery]
        let failures: [FailureCode] = [.connect, .http(503), .restart]
        #expect(conditions.filter(\.isCondition).count == 3)
        #expect(failures.filter(\.isCondition).isEmpty)
        #expect(conditions.filter(\.isTransient).isEmpty)
    }

    @Test func codesTravelInJSONAsTheirNames() throws {
        let error = TaskError(code: .http(404), message: "m")
        let data = try JSONEncoder().encode(error)
        #expect(String(decoding: data, as: UTF8.self).contains(#""code":"http-404""#))
        #expect(try JSONDecoder().decode(TaskError.self, from: data) == error)
    }
}

@Suite struct RetryAfterTests {
    @Test func secondsOrAnHTTPDate() throws {
        let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryAfter.seconds("120", now: now) == 120)
        #expect(RetryAfter.seconds(" 0 ", now: now) == 0)
        #expect(RetryAfter.seconds("Wed, 21 Oct 2015 07:28:30 GMT", now: now) == 30)
        #expect(RetryAfter.seconds("Wed, 21 Oct 2015 07:27:00 GMT", now: now) == 0)
        #expect(RetryAfter.seconds("-5", now: now) == nil)
        #expect(RetryAfter.seconds("soon", now: now) == nil)
        #expect(RetryAfter.seconds(nil, now: now) == nil)
    }
}
