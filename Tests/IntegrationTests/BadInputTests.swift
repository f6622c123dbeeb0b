import Foundation
import Testing

/// Bad input: one line on stderr naming the problem, a non-zero exit, and no task or file.
@Suite(.serialized) struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var arguments: [String]
        var environment: [String: String] = [:]
        var status: Int32
        var message: String
        var testDescription: String {
            (environment.map { "\($0.key)=\($0.value) " }.joined() + arguments.joined(separator: " "))
        }
    }

    /// `URL` stands for a file the test's nginx serves.
    static let cases: [Case] = [
        Case(arguments: ["download", "not a url"], status: 64, message: "malformed URL"),
        Case(arguments: ["download", "example.com/file"], status: 64, message: "malformed URL"),
        Case(arguments: ["download", "file:///etc/passwd"], status: 64, message: "unsupported URL scheme 'file'"),
        Case(arguments: ["download", "sftp://host/x"], status: 64, message: "unsupported URL scheme 'sftp'"),
        Case(arguments: ["download", "URL", "-d", "/nonexistent/dir"], status: 73, message: "does not exist"),
        Case(arguments: ["download", "URL", "-d", "READONLY"], status: 73, message: "is not writable"),
        Case(arguments: ["download", "URL", "-o", "EXISTING"], status: 73, message: "exists: use --overwrite"),
        Case(arguments: ["download", "URL", "-H", "NoColonHere"], status: 64, message: "malformed header"),
        Case(arguments: ["download", "URL", "-H", "X-A: 1\r\nX-Injected: 2"], status: 64, message: "CR, LF"),
        Case(arguments: ["download", "URL", "-H", "X-A: 1\nX-B: 2"], status: 64, message: "CR, LF"),
        Case(arguments: ["download", "URL", "--checksum", "md5:abc"], status: 64, message: "malformed checksum"),
        Case(arguments: ["download", "URL", "--checksum", "sha256:1234"], status: 64, message: "64 hex digits"),
        Case(arguments: ["download", "URL", "--limit-rate", "fast"], status: 64, message: "malformed rate 'fast'"),
        Case(arguments: ["download", "URL", "--limit-rate=-5M"], status: 64, message: "malformed rate"),
        Case(arguments: ["download", "URL", "--session", "../etc"], status: 64, message: "invalid session name"),
        Case(arguments: ["download", "URL", "--bogus"], status: 64, message: "Unknown option '--bogus'"),
        Case(arguments: ["download", "URL", "--content-disposition", "-o", "x"], status: 64, message: "--content-disposition takes the file's name from the server: it excludes -o"),
        Case(arguments: ["download", "URL", "--content-disposition", "-d", "/nonexistent/dir"], status: 73, message: "does not exist"),
        Case(arguments: ["download", "URL", "--success-title", " "], status: 64, message: "--success-title must not be empty"),
        Case(arguments: ["download", "URL", "--failure-title", "a\nb"], status: 64, message: "must be one line"),
        Case(arguments: ["download", "URL"], environment: ["BGXFER_LAUNCHER": "systemd"], status: 64, message: "invalid BGXFER_LAUNCHER 'systemd'"),
        Case(arguments: ["upload", "/nonexistent/file", "URL"], status: 64, message: "cannot read the file to upload /nonexistent/file"),
        Case(arguments: ["upload", "READONLY", "URL"], status: 64, message: "is not a regular file"),
        Case(arguments: ["upload", "EXISTING", "URL", "-X", "DELETE"], status: 64, message: "unsupported method 'DELETE'"),
        Case(arguments: ["upload", "EXISTING", "gopher://h/x"], status: 64, message: "unsupported URL scheme 'gopher'"),
        Case(arguments: ["upload", "EXISTING", "URL", "--reply", "/nonexistent/reply"], status: 73, message: "does not exist"),
        Case(arguments: ["upload", "EXISTING"], status: 64, message: "missing the URL to upload to"),
        Case(arguments: ["upload", "EXISTING", "URL", "--form", "a=b"], status: 64, message: "either a file to send or --form parts, not both"),
        Case(arguments: ["upload", "--form", "a=@/nonexistent/f", "URL"], status: 64, message: "cannot read the file to upload /nonexistent/f"),
        Case(arguments: ["upload", "--form", "novalue", "URL"], status: 64, message: "malformed form part 'novalue'"),
        Case(arguments: ["upload", "--form", "a=b", "ftp://h/x"], status: 64, message: "--form sends multipart/form-data over HTTP"),
        Case(arguments: ["upload", "EXISTING", "ftp://h/x", "--protocol", "tus"], status: 64, message: "--protocol tus is an HTTP protocol"),
        Case(arguments: ["upload", "EXISTING", "URL", "--protocol", "s3"], status: 64, message: "unknown upload protocol 's3'"),
        Case(arguments: ["upload", "EXISTING", "URL", "--protocol", "tus", "-X", "PUT"], status: 64, message: "tus chooses its own requests"),
        Case(arguments: ["upload", "--form", "a=@EXISTING", "URL", "--protocol", "rufh"], status: 64, message: "--form works only with --protocol plain"),
        Case(arguments: ["download", "URL", "--retries", "0"], status: 64, message: "--retries must be between 1 and 1000"),
        Case(arguments: ["download", "URL", "--give-up-after", "0s"], status: 64, message: "malformed give-up time '0s'"),
        Case(arguments: ["download", "URL", "--give-up-after", "5000d"], status: 64, message: "--give-up-after '5000d' is too long: at most 3650d"),
        Case(arguments: ["download", "URL", "--give-up-after", "99999d"], status: 64, message: "give-up time '99999d' is too long: at most 36525d"),
        Case(arguments: ["download", "URL", "--metered", "sometimes"], status: 64, message: "The value 'sometimes' is invalid for '--metered <allow|wait>'"),
        Case(arguments: ["download", "URL", "--discretionary", "--battery", "allow"], status: 64, message: "--discretionary waits on metered networks and on battery: it excludes --battery allow"),
        Case(arguments: ["session", "set", "s"], status: 64, message: "give --parallel, --metered, --battery or --discretionary"),
        Case(arguments: ["download", "URL", "--begin-at", "25:00"], status: 64, message: "malformed time '25:00'"),
        Case(arguments: ["download", "URL", "--begin-after", "soon"], status: 64, message: "malformed duration 'soon'"),
        Case(arguments: ["download", "URL", "--begin-after", "1m", "--begin-at", "10:00"], status: 64, message: "exclude each other"),
        Case(arguments: ["download", "URL", "--begin-after", "1m"], environment: ["BGXFER_NOW": "yesterday"], status: 64, message: "invalid BGXFER_NOW 'yesterday'"),
        Case(arguments: ["refresh", "add", "URL", "-o", "out.bin", "--every", "10m"], status: 64, message: "--every 10m is too often: refresh tasks run at most every 15m"),
        Case(arguments: ["refresh", "add", "URL", "-o", "/nonexistent/dir/x", "--every", "1h"], status: 73, message: "does not exist"),
        Case(arguments: ["refresh", "add", "gopher://h/x", "-o", "x", "--every", "1h"], status: 64, message: "unsupported URL scheme 'gopher'"),
        Case(arguments: ["refresh", "run", "zzzzzz"], status: 1, message: "no refresh task zzzzzz"),
        Case(arguments: ["wake"], environment: ["BGXFER_NOW": "2026-13-01"], status: 64, message: "invalid BGXFER_NOW"),
        Case(arguments: ["show", "zzzzzz"], status: 1, message: "no task zzzzzz"),
        Case(arguments: ["wait", "zzz"], status: 1, message: "no task zzz"),
        Case(arguments: ["cancel", "not-an-id!"], status: 1, message: "no task not-an-id!"),
        Case(arguments: ["remove", "zzzzzz"], status: 1, message: "no task zzzzzz"),
        Case(arguments: ["session", "finish", "nope"], status: 1, message: "no session nope"),
        Case(arguments: ["session", "cancel", "nope"], status: 1, message: "no session nope"),
        Case(arguments: ["session", "cancel", "../x"], status: 64, message: "invalid session name"),
        Case(arguments: ["session", "set", "s", "--parallel", "0"], status: 64, message: "parallelism 0 is out of range: a session runs 1 to 200"),
        Case(arguments: ["session", "set", "s", "--parallel", "201"], status: 64, message: "parallelism 201 is out of range"),
        Case(arguments: ["session", "set", "s", "--parallel", "many"], status: 64, message: "many"),
    ]

    @Test(arguments: cases)
    func isRefusedWithOneLineAndNothingMade(_ testCase: Case) throws {
        try withSandbox { sandbox in
            // A server and a read-only directory only for the cases that name them: most do not,
            // and starting them is most of a case's time.
            let nginx = try testCase.arguments.contains("URL") ? Nginx(in: sandbox.root) : nil
            try nginx?.serve("file.bin", size: 1024)
            let existing = sandbox.file("existing.bin")
            _ = FileManager.default.createFile(atPath: existing, contents: Data("keep me".utf8))
            let readOnly = try testCase.arguments.contains("READONLY") ? ReadOnlyDirectory(in: sandbox.root) : nil
            defer { readOnly?.remove() }
            let arguments = testCase.arguments.map {
                switch $0 {
                case "URL": nginx?.url("file.bin") ?? $0
                case "READONLY": readOnly?.path ?? $0
                case "EXISTING": existing
                case "a=@EXISTING": "a=@" + existing
                default: $0
                }
            }
            let before = try sandbox.tasks().count

            let outcome = try sandbox.bgxfer(arguments, environment: testCase.environment)
            #expect(outcome.status == testCase.status)
            #expect(outcome.stdout.isEmpty)
            let lines = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 2 && lines[1].isEmpty, "not one line: \(outcome.stderr)")
            #expect(outcome.stderr.hasPrefix("bgxfer: "))
            #expect(outcome.stderr.contains(testCase.message), "\(outcome.stderr)")

            #expect(try sandbox.tasks().count == before)
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.downloads) == ["existing.bin"])
            #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")
            #expect(sandbox.workerPIDs().isEmpty)
        }
    }

    @Test func anAmbiguousPrefixIsRefusedNamingTheCandidates() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            // Failing tasks are cheap; make them until two IDs share a first character and
            // another does not.
            var ids: [String] = []
            var shared: Character?
            while shared == nil || ids.allSatisfy({ $0.first == shared }) {
                ids.append(try sandbox.download(nginx.url("missing-\(ids.count)")))
                let firsts = ids.compactMap(\.first)
                shared = firsts.first { first in firsts.filter { $0 == first }.count > 1 }
            }
            let outcome = try sandbox.bgxfer("show", String(shared!))
            #expect(outcome.status == 1)
            #expect(outcome.stderr.hasPrefix("bgxfer: task ID '\(shared!)' is ambiguous"))
            #expect(outcome.stderr.split(separator: "\n").count == 1)
            // A unique prefix still works.
            let unique = try #require(ids.first { $0.first != shared })
            #expect(try sandbox.bgxfer("show", String(unique.prefix(4))).status == 0)
        }
    }

    @Test func aDestinationAlreadyBeingDownloadedIsRefused() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            try nginx.serve("slow.bin", size: 64 << 20)
            let first = try sandbox.download(nginx.url("slow.bin"), "--limit-rate", "256K")
            let second = try sandbox.bgxfer("download", nginx.url("slow.bin"), "--overwrite")
            #expect(second.status == 73)
            #expect(second.stderr == "bgxfer: \(sandbox.file("slow.bin")) is already the destination of task \(first) (running)\n"
                || second.stderr == "bgxfer: \(sandbox.file("slow.bin")) is already the destination of task \(first) (queued)\n")
            #expect(try sandbox.tasks().count == 1)
            let cancel = try sandbox.bgxfer("cancel", first)
            #expect(cancel.status == 0, "\(cancel.stderr)")
        }
    }
}

/// A directory no file can be created in, even by root: a read-only tmpfs when we may mount,
/// else mode 0555 (which stops an unprivileged user).
struct ReadOnlyDirectory {
    let path: String
    let mounted: Bool

    init(in root: String) throws {
        path = root + "/readonly"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if geteuid() == 0 {
            let outcome = try Command.run(
                "/bin/mount", ["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", path], environment: [:])
            guard outcome.status == 0 else {
                throw HarnessError.failed("cannot mount a read-only tmpfs as root: \(outcome.stderr)")
            }
            mounted = true
        } else {
            chmod(path, 0o555)
            mounted = false
        }
    }

    func remove() {
        if mounted { _ = try? Command.run("/bin/umount", [path], environment: [:]) }
        chmod(path, 0o755)
    }
}
