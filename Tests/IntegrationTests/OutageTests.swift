import Foundation
import Testing

/// Servers that are down, come back, or never answer usefully (README, "Interruptions"): the
/// real binary against real nginx, stopped and started, and against ports and certificates
/// that refuse. Outages are waited out; failures are named by what failed, never `http-0`.
@Suite struct OutageTests {
    static let mebibyte = 1 << 20

    @Test(.timeLimit(.minutes(5)))
    func aServerThatStopsForNinetySecondsIsWaitedOutAndTheDownloadResumes() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.tearDown() }
        let nginx = try Nginx(in: sandbox.root)
        let size = 40 * Self.mebibyte
        let digest = try nginx.serve("big.bin", size: size)
        let id = try sandbox.download(nginx.url("big.bin"), "--limit-rate", "4M")
        let events = try EventRecorder(sandbox, id)
        defer { events.stop() }
        #expect(try ResumeTests.follow(sandbox, id, until: ResumeTests.progressed(to: 8 * Self.mebibyte)) != nil)

        nginx.stop()
        let stopped = Date()
        var codes: Set<String> = []
        // Ninety seconds without the server: the task waits, and says why, throughout.
        while Date().timeIntervalSince(stopped) < 90 {
            try await Task.sleep(for: .seconds(10))
            let task = try sandbox.task(id)
            #expect(task["state"] as? String == "waiting" || task["state"] as? String == "running", "\(task)")
            if let code = (task["error"] as? [String: Any])?["code"] as? String { codes.insert(code) }
        }
        #expect(codes.contains("connect"), "\(codes)")
        #expect(!codes.contains { $0.hasPrefix("http-") }, "\(codes)")

        try nginx.restart()
        let back = Date()
        let wait = try sandbox.bgxfer(["wait", id], timeout: 120)
        let took = Date().timeIntervalSince(back)
        #expect(wait.status == 0, "\(wait.stderr)")
        #expect(took <= 75, "completed \(took) s after the server came back")
        print("outage: completed \(String(format: "%.1f", took)) s after the server's return")
        #expect(try TestFiles.sha256(sandbox.file("big.bin")) == digest)

        // It went on from its bytes: the last request asked for the rest, conditionally.
        let last = try #require(try nginx.requests("big.bin").last)
        #expect(last.status == 206 && last.range?.hasPrefix("bytes=") == true && last.ifRange != nil, "\(last)")
        let states = events.states()
        #expect(!states.contains("failed"), "\(states)")
        #expect(states.contains("waiting"))
    }

    @Test(.timeLimit(.minutes(3)))
    func aServerThatIsNotThereYetIsWaitedFor() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.tearDown() }
        let port = Await.freePort()
        let id = try sandbox.download("http://127.0.0.1:\(port)/later.bin")
        try await Task.sleep(for: .seconds(30))
        let waiting = try sandbox.task(id)
        #expect(waiting["state"] as? String == "waiting", "\(waiting)")
        #expect((waiting["error"] as? [String: Any])?["code"] as? String == "connect")
        #expect(try sandbox.bgxfer("list").stdout.contains("waiting (retry in "))

        let nginx = try Nginx(in: sandbox.root, port: port)
        let digest = try nginx.serve("later.bin", size: 2 * Self.mebibyte)
        let back = Date()
        let wait = try sandbox.bgxfer(["wait", id], timeout: 120)
        #expect(wait.status == 0, "\(wait.stderr)")
        print("not there yet: completed \(String(format: "%.1f", Date().timeIntervalSince(back))) s after the server started")
        #expect(try TestFiles.sha256(sandbox.file("later.bin")) == digest)
        #expect((try sandbox.task(id)["attempts"] as? Int ?? 0) > 1)
    }

    @Test func aRefusedPortFailsAfterItsRetriesAsConnect() throws {
        try withSandbox { sandbox in
            let id = try sandbox.download("http://127.0.0.1:\(Await.freePort())/x", "--retries", "2")
            #expect(try sandbox.bgxfer(["wait", id], timeout: 60).status == 1)
            let task = try sandbox.task(id)
            #expect(task["state"] as? String == "failed" && task["attempts"] as? Int == 2, "\(task)")
            let error = try #require(task["error"] as? [String: Any])
            #expect(error["code"] as? String == "connect")
            #expect((error["message"] as? String)?.hasSuffix("Connection refused") == true, "\(error)")
            #expect(task["httpStatus"] is NSNull)
        }
    }

    /// Failures no retry changes end at the first attempt, even without --retries, named by
    /// what failed and in curl's words.
    @Test func certificatesRedirectsAndProxiesThatRefuseFailAtOnceByName() throws {
        try withSandbox { sandbox in
            let plain = try Nginx(in: sandbox.root + "/plain", extraServerConfig: "location /loop { return 302 /loop; }")
            let tls = try Nginx(
                in: sandbox.root + "/tls", tls: true,
                extraServerConfig: "location /down { return 301 \(plain.url("a.bin")); } location /legal { return 451; }")
            try plain.serve("a.bin", size: 1024)
            try tls.serve("a.bin", size: 1024)
            let proxy = try FaultServer(in: sandbox.root)
            let https = "https://127.0.0.1:\(tls.port)"

            let cases: [(arguments: [String], environment: [String: String], code: String, message: String)] = [
                ([https + "/a.bin", "-o", sandbox.file("cert.bin")], [:], "tls", "SSL certificate problem: self-signed certificate"),
                ([plain.url("loop"), "-o", sandbox.file("loop.bin")], [:], "too-many-redirects", "more than 20 redirects"),
                ([https + "/down", "-o", sandbox.file("down.bin"), "--insecure"], [:], "redirect-refused", "--allow-downgrade"),
                // HTTP/2 has no reason phrase: the standard one is named.
                (
                    [https + "/legal", "-o", sandbox.file("legal.bin"), "--insecure"], [:], "http-451",
                    "the server answered 451 Unavailable For Legal Reasons"
                ),
                // A session of its own: its worker starts with the proxy in its environment.
                (
                    ["https://127.0.0.1:9/a.bin", "-o", sandbox.file("proxy.bin"), "--session", "proxied"],
                    ["https_proxy": "http://127.0.0.1:\(proxy.port)"], "proxy-407",
                    "the proxy answered 407 Proxy Authentication Required to CONNECT"
                ),
            ]
            for (arguments, environment, code, message) in cases {
                let made = try sandbox.bgxfer(["download"] + arguments, environment: environment)
                let id = try #require(made.lines.first, "\(made.stderr)")
                #expect(try sandbox.bgxfer(["wait", id], timeout: 60).status == 1)
                let task = try sandbox.task(id)
                let error = try #require(task["error"] as? [String: Any], "\(task)")
                #expect(error["code"] as? String == code, "\(arguments): \(error)")
                #expect((error["message"] as? String)?.contains(message) == true, "\(arguments): \(error)")
                #expect(task["attempts"] as? Int == 1, "\(arguments)")
                #expect(task["state"] as? String == "failed")
            }
            // Allowed, the downgrade is followed.
            let allowed = try sandbox.download(https + "/down", "-o", sandbox.file("allowed.bin"), "--insecure", "--allow-downgrade")
            #expect(try sandbox.bgxfer(["wait", allowed], timeout: 60).status == 0)
            #expect(try sandbox.bgxfer("list").stdout.contains("failed (tls)"))
        }
    }
}

/// `bgxfer wait --json ID` in the background, its events kept in a file until `stop`.
final class EventRecorder {
    private let process: Process
    private let path: String

    init(_ sandbox: Sandbox, _ id: String) throws {
        path = sandbox.root + "/events-\(id).jsonl"
        process = try Command.start(Binary.path, ["wait", "--json", id], environment: sandbox.environment, log: path)
    }

    /// The events so far.
    func events() -> [[String: Any]] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The states the task went through, in order.
    func states() -> [String] {
        events().filter { $0["event"] as? String == "state" }.compactMap { $0["state"] as? String }
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
