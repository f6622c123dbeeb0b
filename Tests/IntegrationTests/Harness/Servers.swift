import Foundation

/// nginx on loopback with its own configuration and document root, run in the foreground
/// under the test's PID and stopped by PID. Besides nginx's usual access.log it keeps
/// `ranges.log`: a line per request with its Range and If-Range (`requests()`).
final class Nginx {
    let port: Int
    let documentRoot: String
    private let prefix: String
    private var process: Process

    /// `port`: listen there (a server that comes back where it was); nil: a free one. `tls`:
    /// serve https (HTTP/2 or HTTP/1.1, as the client asks) with a self-signed certificate
    /// made for the test.
    init(in directory: String, port fixedPort: Int? = nil, tls: Bool = false, extraServerConfig: String = "") throws {
        prefix = directory + "/nginx"
        documentRoot = prefix + "/www"
        for sub in [prefix, documentRoot, prefix + "/tmp", prefix + "/logs"] {
            try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        }
        var tlsConfig = ""
        if tls {
            let made = try Command.run(
                "/usr/bin/openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-keyout", prefix + "/key.pem", "-out", prefix + "/cert.pem",
                ], environment: [:])
            guard made.status == 0 else { throw HarnessError.failed("openssl req: \(made.stderr)") }
            tlsConfig = "ssl_certificate \(prefix)/cert.pem; ssl_certificate_key \(prefix)/key.pem;"
        }
        var lastError = ""
        for _ in 0..<(fixedPort == nil ? 5 : 1) {
            let port = fixedPort ?? Await.freePort()
            let config = """
                daemon off;
                master_process off;
                worker_processes 1;
                pid \(prefix)/nginx.pid;
                error_log \(prefix)/logs/error.log;
                events { worker_connections 1024; }
                http {
                    log_format ranges '$request_method $uri $status "$http_range" "$http_if_range" $body_bytes_sent "$http_authorization" "$http_proxy_authorization"';
                    access_log \(prefix)/logs/access.log;
                    access_log \(prefix)/logs/ranges.log ranges;
                    client_body_temp_path \(prefix)/tmp/body;
                    proxy_temp_path \(prefix)/tmp/proxy;
                    fastcgi_temp_path \(prefix)/tmp/fastcgi;
                    uwsgi_temp_path \(prefix)/tmp/uwsgi;
                    scgi_temp_path \(prefix)/tmp/scgi;
                    default_type application/octet-stream;
                    sendfile on;
                    server {
                        listen 127.0.0.1:\(port)\(tls ? " ssl http2" : "");
                        \(tlsConfig)
                        root \(documentRoot);
                        \(extraServerConfig)
                    }
                }
                """
            try config.write(toFile: prefix + "/nginx.conf", atomically: true, encoding: .utf8)
            do {
                process = try Self.start(prefix: prefix, port: port)
                self.port = port
                return
            } catch {
                lastError = "\(error)"
            }
        }
        throw HarnessError.failed("nginx did not start: \(lastError)")
    }

    private static func start(prefix: String, port: Int) throws -> Process {
        let process = try Command.start(
            "/usr/sbin/nginx", ["-p", prefix, "-c", prefix + "/nginx.conf", "-e", prefix + "/logs/error.log"],
            log: prefix + "/logs/stderr.log")
        do {
            try Await.port(port, timeout: 5)
            return process
        } catch {
            process.terminate()
            process.waitUntilExit()
            let log = (try? String(contentsOfFile: prefix + "/logs/error.log", encoding: .utf8)) ?? ""
            throw HarnessError.failed("\(error): \(log.suffix(400))")
        }
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    /// Writes `size` random bytes to the document root; returns their sha256.
    @discardableResult
    func serve(_ name: String, size: Int) throws -> String {
        try TestFiles.random(at: documentRoot + "/" + name, size: size)
    }

    /// The requests for `path` so far, from ranges.log.
    func requests(_ path: String) throws -> [LoggedRequest] {
        let log = (try? String(contentsOfFile: prefix + "/logs/ranges.log", encoding: .utf8)) ?? ""
        return LoggedRequest.parse(log).filter { $0.path == "/" + path }
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    /// Starts again after `stop`, on the same port with the same files.
    func restart() throws {
        guard !process.isRunning else { return }
        process = try Self.start(prefix: prefix, port: port)
    }

    deinit { if process.isRunning { stop() } }
}

/// One line of an nginx `ranges` log: `GET /a.bin 206 "bytes=100-" "\"etag\"" 4096 "-" "-"` (the
/// last two: Authorization and Proxy-Authorization).
struct LoggedRequest: Equatable {
    var method: String
    var path: String
    var status: Int
    /// nil when the request had none (nginx logs "-").
    var range: String?
    var ifRange: String?
    var bytesSent: Int
    var authorization: String?
    var proxyAuthorization: String?

    static func parse(_ log: String) -> [LoggedRequest] {
        log.split(separator: "\n").compactMap { line in
            // nginx writes a quote inside a value as \x22: splitting at quotes is safe.
            let quoted = line.split(separator: "\"", omittingEmptySubsequences: false)
            let head = quoted.first?.split(separator: " ") ?? []
            guard head.count >= 3, quoted.count >= 5, let status = Int(head[2]),
                let sent = Int(quoted[4].trimmingCharacters(in: .whitespaces))
            else { return nil }
            let value = { (index: Int) in quoted.indices.contains(index) && quoted[index] != "-" ? String(quoted[index]) : nil }
            return LoggedRequest(
                method: String(head[0]), path: String(head[1]), status: status, range: value(1), ifRange: value(3),
                bytesSent: sent, authorization: value(5), proxyAuthorization: value(7))
        }
    }
}

/// pyftpdlib (Debian's python3-pyftpdlib), a real FTP server, on loopback, through
/// Tests/Servers/ftp_server.py; `rate` throttles its data connections (bytes per second).
final class FTPServer {
    let port: Int
    let root: String
    let user = "bgxfer"
    let password = "s3cret"
    private let process: Process

    init(in directory: String, rate: Int = 0) throws {
        root = directory + "/ftp"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        port = Await.freePort()
        let passive = 30000 + (port % 300) * 100
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Servers/ftp_server.py").path
        process = try Command.start(
            "/usr/bin/python3", [script, "\(port)", root, user, password, "\(passive)", "\(rate)"],
            log: directory + "/ftp.log")
        try Await.port(port, timeout: 10)
    }

    func url(_ path: String) -> String { "ftp://\(user):\(password)@127.0.0.1:\(port)/\(path)" }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    deinit { if process.isRunning { stop() } }
}

enum TestFiles {
    /// Random content (from /dev/urandom, in 1 MiB pieces); returns its sha256.
    static func random(at path: String, size: Int) throws -> String {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? output.close() }
        let source = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom"))
        defer { try? source.close() }
        var remaining = size
        while remaining > 0 {
            let chunk = try source.read(upToCount: min(remaining, 1 << 20)) ?? Data()
            guard !chunk.isEmpty else { throw HarnessError.failed("/dev/urandom gave nothing") }
            try output.write(contentsOf: chunk)
            remaining -= chunk.count
        }
        return try sha256(path)
    }

    static func sha256(_ path: String) throws -> String {
        let outcome = try Command.run("/usr/bin/sha256sum", [path], environment: [:])
        guard outcome.status == 0, let digest = outcome.stdout.split(separator: " ").first else {
            throw HarnessError.failed("sha256sum \(path): \(outcome.stderr)")
        }
        return String(digest)
    }
}

/// Tests/Servers/fault_server.py: files with real Range/If-Range/ETag logic, faults on request
/// (dropped connections, stalls, ignored ranges, wrong Content-Range, 503/429 with
/// Retry-After, throttling) and a count of the bytes sent per file.
final class FaultServer {
    let port: Int
    let root: String
    private let process: Process

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Servers/fault_server.py").path

    init(in directory: String) throws {
        root = directory + "/fault-www"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        port = Await.freePort()
        process = try Command.start(
            "/usr/bin/python3", [Self.script, "\(port)", root], log: directory + "/fault-server.log")
        try Await.port(port, timeout: 10)
    }

    func url(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name)" }

    /// Writes `size` random bytes as `name`, replacing any earlier version with a new file (so
    /// a new ETag); returns their sha256.
    @discardableResult
    func serve(_ name: String, size: Int) throws -> String {
        let temporary = root + "/.\(name).new"
        let digest = try TestFiles.random(at: temporary, size: size)
        guard rename(temporary, root + "/" + name) == 0 else { throw HarnessError.failed("rename \(name)") }
        return digest
    }

    /// Sets faults for `name` (see the script's documentation).
    func faults(_ name: String, _ settings: [String: Any]) throws {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: settings), as: UTF8.self)
        let outcome = try Command.run(
            "/usr/bin/curl", ["-sS", "-f", "-X", "POST", "--data-binary", body, url("_faults/" + name)], environment: [:])
        guard outcome.status == 0 else { throw HarnessError.failed("faults \(name): \(outcome.stderr)") }
    }

    struct Stats {
        var bytesSent: Int
        var requests: [[String: Any]]
    }

    func stats(_ name: String) throws -> Stats {
        let outcome = try Command.run("/usr/bin/curl", ["-sS", "-f", url("_stats/" + name)], environment: [:])
        guard outcome.status == 0,
            let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        else { throw HarnessError.failed("stats \(name): \(outcome.stderr)") }
        return Stats(
            bytesSent: object["bytes_sent"] as? Int ?? -1, requests: object["requests"] as? [[String: Any]] ?? [])
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    deinit { if process.isRunning { stop() } }
}

/// Tests/Servers/upload_server.py: takes PUT, POST and PATCH bodies into `root`, answers 201
/// with what it got as JSON (or a chosen status under `/_status/<code>/`).
final class UploadServer {
    let port: Int
    let root: String
    private let process: Process

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Servers/upload_server.py").path

    init(in directory: String) throws {
        root = directory + "/received"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        port = Await.freePort()
        process = try Command.start(
            "/usr/bin/python3", [Self.script, "\(port)", root], log: directory + "/upload-server.log")
        try Await.port(port, timeout: 10)
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    deinit { if process.isRunning { stop() } }
}

/// A server that picks its own port and says so as the first line of its output,
/// `listening on 127.0.0.1:PORT`, and logs one JSON object per line to `log`: the resumable
/// upload servers (Tests/RUFHServer, Tests/Servers/tus_server.py).
final class AnnouncingServer {
    let name: String
    let port: Int
    let root: String
    let log: String
    private let command: StreamingCommand

    init(_ executable: String, _ arguments: [String], in directory: String, name: String) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw HarnessError.failed("\(executable) is missing: run 'make test' (it builds and installs the test servers)")
        }
        self.name = name
        root = directory + "/\(name)-root"
        log = directory + "/\(name).log"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        command = try StreamingCommand(
            executable, arguments + ["--root", root, "--log", log], environment: ProcessInfo.processInfo.environment)
        let prefix = "listening on 127.0.0.1:"
        guard let line = command.line(where: { $0.hasPrefix(prefix) }), let port = Int(line.dropFirst(prefix.count)) else {
            command.stop()
            throw HarnessError.failed("\(name) did not start (see \(log))")
        }
        self.port = port
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    /// The log's records so far.
    func events() throws -> [[String: Any]] {
        try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The request records (`"event": "request"`) with this method.
    func requests(_ method: String) throws -> [[String: Any]] {
        try events().filter { $0["event"] as? String == "request" && $0["method"] as? String == method }
    }

    /// Waits until the log has a record matching `predicate` (the server's own account of an
    /// event, such as a cut-off request); false when none came within `timeout` seconds.
    func await(timeout: Double, _ predicate: ([String: Any]) -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try events().contains(where: predicate) { return true }
            usleep(50_000)
        }
        return false
    }

    func stop() { command.stop() }

    deinit { stop() }

    /// Tests/RUFHServer's `rufh-server`, on swift-nio-extras' NIOResumableUpload; `make test`
    /// builds it into .build-rufh. `rate`: bytes per second it reads request bodies at.
    static func rufh(in directory: String, rate: Int? = nil) throws -> AnnouncingServer {
        let executable = repository + "/.build-rufh/debug/rufh-server"
        return try AnnouncingServer(
            executable, ["--port", "0"] + (rate.map { ["--rate", "\($0)"] } ?? []), in: directory, name: "rufh")
    }

    /// PyPI's tuspyserver under uvicorn, in the venv .ci/install-deps makes; uploads go to
    /// `/files/`.
    static func tus(in directory: String, rate: Int? = nil) throws -> AnnouncingServer {
        try AnnouncingServer(
            "/opt/bgxfer-test-venv/bin/python", [repository + "/Tests/Servers/tus_server.py"] + (rate.map { ["--rate", "\($0)"] } ?? []),
            in: directory, name: "tus")
    }

    /// PyPI's tusfilter (sha1 checksum extension) behind a small WSGI wrapper, in the same
    /// venv; `corruptFirst`: that many PATCH bodies are damaged before the checksum is checked.
    static func tusWithChecksums(in directory: String, corruptFirst: Int = 0) throws -> AnnouncingServer {
        try AnnouncingServer(
            "/opt/bgxfer-test-venv/bin/python",
            [repository + "/Tests/Servers/tus_checksum_server.py", "--corrupt-first", "\(corruptFirst)"],
            in: directory, name: "tus-checksum")
    }

    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
}
