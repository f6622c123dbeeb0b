import Foundation
import Testing

/// bgxfer fed by files, servers and numbers it does not control, in directories another user
/// shares (README, "Files"): each attack as it was found, with a second unprivileged user where
/// the attack needs one. Nothing outside bgxfer's own files changes (hash and inode), nothing
/// crashes, refusals are one line, and no secret is printed.
@Suite struct AttackTests {
    static let secret = "s3cr3t-t0ken"

    /// A refusal: the exit status, one line on stderr, no secret, and no task made.
    static func expectRefusal(
        _ outcome: Outcome, _ status: Int32, _ message: String, _ sandbox: Sandbox, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(outcome.status == status, "\(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(!(outcome.stdout + outcome.stderr).contains(secret), sourceLocation: sourceLocation)
        #expect(try sandbox.tasks().isEmpty, sourceLocation: sourceLocation)
    }

    static func write(_ object: [String: Any], to path: String) throws {
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
    }

    @Test func craftedDownloadResumeDataIsRefusedAndTouchesNothing() throws {
        try withSandbox { sandbox in
            let attacker = try Attacker()
            let shared = try Attacker.sharedDirectory(in: sandbox)
            let home = sandbox.root + "/home"
            try "the user's shell settings\n".write(toFile: home + "/.bashrc", atomically: false, encoding: .utf8)
            try "the user's notes\n".write(toFile: shared + "/victim.txt", atomically: false, encoding: .utf8)
            // Named like bgxfer's partial files: one of the attacker's, a link to the user's
            // file, and one of the user's that is not the file the data claims.
            try attacker.run("echo planted > '\(shared)/out.bin.bgxfer-aaaaaa.part'; chmod 0666 '\(shared)/out.bin.bgxfer-aaaaaa.part'")
            try attacker.run("ln -s '\(home)/.bashrc' '\(shared)/out.bin.bgxfer-bbbbbb.part'")
            try "the user's own\n".write(toFile: shared + "/out.bin.bgxfer-cccccc.part", atomically: false, encoding: .utf8)
            let watched = [
                home + "/.bashrc", shared + "/victim.txt", shared + "/out.bin.bgxfer-aaaaaa.part",
                shared + "/out.bin.bgxfer-bbbbbb.part", shared + "/out.bin.bgxfer-cccccc.part",
            ]
            let before = FileSnapshot.of(watched)

            // The issue's example: a 404 URL, the victim as the partial file, one byte received.
            let base: [String: Any] = [
                "version": 2, "kind": "download", "url": "http://127.0.0.1:9/404", "headers": ["Authorization: Bearer \(Self.secret)"],
                "destination": shared + "/out.bin", "bytesReceived": 1, "validator": "\"e1\"",
            ]
            let data = sandbox.root + "/crafted.resume"
            let cases: [([String: Any], Int32, String)] = [
                (["partialPath": shared + "/victim.txt"], 64, "partialPath \(shared)/victim.txt is not a bgxfer partial file"),
                (["partialPath": home + "/.bashrc"], 64, "is not a bgxfer partial file next to the destination"),
                (["partialPath": shared + "/out.bin.bgxfer-bbbbbb.part"], 64, "it is a symbolic link"),
                (["partialPath": shared + "/out.bin.bgxfer-aaaaaa.part"], 64, "it belongs to user \(attacker.uid)"),
                (
                    ["partialPath": shared + "/out.bin.bgxfer-cccccc.part", "partialIdentity": ["device": 1, "inode": 1]], 64,
                    "is another file than the one bgxfer made there"
                ),
                (["partialPath": shared + "/out.bin.bgxfer-cccccc.part", "url": "file:///etc/passwd"], 64, "url is refused"),
                (
                    ["partialPath": shared + "/out.bin.bgxfer-cccccc.part", "headers": ["X-A: 1\r\nAuthorization: \(Self.secret)"]], 64,
                    "headers are refused"
                ),
                (
                    ["partialPath": shared + "/out.bin.bgxfer-cccccc.part", "destination": shared + "/../home/out.bin"], 64,
                    "must be a plain absolute path"
                ),
                (["partialPath": shared + "/out.bin.bgxfer-cccccc.part", "limitRate": -1], 64, "limitRate is out of range"),
                (["partialPath": shared + "/out.bin.bgxfer-cccccc.part", "noProgressTimeout": 1e300], 64, "noProgressTimeout is out of range"),
            ]
            for (changes, status, message) in cases {
                try Self.write(base.merging(changes) { $1 }, to: data)
                try Self.expectRefusal(try sandbox.bgxfer("resume", "--resume-data", data), status, message, sandbox)
            }
            #expect(FileSnapshot.of(watched) == before)
            #expect(sandbox.workerPIDs().isEmpty)
        }
    }

    @Test func craftedUploadResumeDataIsRefused() throws {
        try withSandbox { sandbox in
            let source = sandbox.root + "/source.bin"
            try "payload".write(toFile: source, atomically: false, encoding: .utf8)
            let victim = sandbox.root + "/home/.profile"
            try "the user's profile\n".write(toFile: victim, atomically: false, encoding: .utf8)
            let before = FileSnapshot.of([victim, source])
            var info = stat()
            lstat(source, &info)
            let identity: [String: Any] = [
                "path": source, "size": 7, "modified": Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec),
                "inode": Int(info.st_ino), "device": Int(info.st_dev),
            ]
            let base: [String: Any] = [
                "version": 2, "kind": "upload", "url": "https://up.example/files/", "headers": [], "source": identity,
                "uploadURL": "https://up.example/files/1", "protocol": "tus", "bytesSent": 0,
            ]
            let data = sandbox.root + "/upload.resume"
            for (changes, status, message) in [
                (["url": "gopher://h/x"], 64, "url is refused"),
                (["url": "ftp://h/x"], 64, "url must be an http or https URL"),
                (["uploadURL": "dict://h:2628/d:x"], 64, "uploadURL must be an http or https URL"),
                (["replyPath": victim], 73, "the reply file \(victim) exists"),
                (["replyPath": "relative/reply"], 64, "replyPath must be a plain absolute path"),
            ] as [([String: Any], Int32, String)] {
                try Self.write(base.merging(changes) { $1 }, to: data)
                try Self.expectRefusal(try sandbox.bgxfer("resume", "--resume-data", data), status, message, sandbox)
            }
            #expect(FileSnapshot.of([victim, source]) == before)
        }
    }

    @Test func aLinkPlantedAtTheDestinationIsReplacedNeverWrittenThrough() throws {
        try withSandbox { sandbox in
            let attacker = try Attacker()
            let shared = try Attacker.sharedDirectory(in: sandbox)
            let nginx = try Nginx(in: sandbox.root)
            let digest = try nginx.serve("a.bin", size: 1 << 20)
            let victim = sandbox.root + "/home/victim.bin"
            try "the user's file\n".write(toFile: victim, atomically: false, encoding: .utf8)
            let before = FileSnapshot.of([victim])
            try attacker.run("ln -s '\(victim)' '\(shared)/out.bin'")
            // ./ in the path once made bgxfer resolve the link itself, and write its target.
            let id = try sandbox.download(nginx.url("a.bin"), "-o", shared + "/./out.bin", "--overwrite")
            #expect(try sandbox.bgxfer(["wait", id], timeout: 60).status == 0)
            #expect(FileSnapshot.of([victim]) == before)
            let result = FileSnapshot(shared + "/out.bin")
            #expect(!result.isLink && result.sha256 == digest, "\(result)")
            #expect(try sandbox.task(id)["destination"] as? String == shared + "/out.bin")
        }
    }

    @Test func aPartialFilePlantedByAnotherUserIsNeverAdopted() throws {
        try withSandbox { sandbox in
            let attacker = try Attacker()
            let shared = try Attacker.sharedDirectory(in: sandbox)
            let nginx = try Nginx(in: sandbox.root)
            try nginx.serve("p.bin", size: 1 << 20)
            // Scheduled: its partial file's name is known before any worker makes it.
            let id = try sandbox.download(nginx.url("p.bin"), "-o", shared + "/p.bin", "--begin-after", "1h")
            let partial = try #require(try sandbox.task(id)["partialPath"] as? String)
            try attacker.run("printf planted > '\(partial)'; chmod 0666 '\(partial)'")
            let before = FileSnapshot.of([partial])
            let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(2 * 3600))
            #expect(try sandbox.bgxfer(["wake"], environment: ["BGXFER_NOW": later]).status == 0)
            #expect(try sandbox.bgxfer(["wait", id], timeout: 60).status == 1)
            let task = try sandbox.task(id)
            let message = (task["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(task["state"] as? String == "failed" && message.contains("is in the way and is not bgxfer's"), "\(task)")
            #expect(message.contains("it belongs to user \(attacker.uid)"))
            #expect(FileSnapshot.of([partial]) == before)
            #expect(!FileManager.default.fileExists(atPath: shared + "/p.bin"))
        }
    }

    @Test func aLinkPlantedAtTheReplyFileIsReplacedNeverWrittenThrough() throws {
        try withSandbox { sandbox in
            let attacker = try Attacker()
            let shared = try Attacker.sharedDirectory(in: sandbox)
            let server = try UploadServer(in: sandbox.root)
            let source = sandbox.root + "/up.bin"
            try TestFiles.random(at: source, size: 4096)
            let victim = sandbox.root + "/home/victim.json"
            try "{\"mine\": true}\n".write(toFile: victim, atomically: false, encoding: .utf8)
            let before = FileSnapshot.of([victim])
            try attacker.run("ln -s '\(victim)' '\(shared)/reply.json'")
            let made = try sandbox.bgxfer("upload", source, server.url("r"), "-X", "PUT", "--reply", shared + "/reply.json")
            let id = try #require(made.lines.first, "\(made.stderr)")
            #expect(try sandbox.bgxfer(["wait", id], timeout: 60).status == 0)
            #expect(FileSnapshot.of([victim]) == before)
            #expect(!FileSnapshot(shared + "/reply.json").isLink)
            let left = try FileManager.default.contentsOfDirectory(atPath: shared).filter { $0.contains("bgxfer-reply") }
            #expect(left.isEmpty, "spool files left: \(left)")
        }
    }

    @Test func hugeNumbersAreRefusedAtOnceAndNeverCrashAWorker() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            let digest = try nginx.serve("n.bin", size: 1 << 20)
            let auth = "Authorization: Bearer \(Self.secret)"
            for (arguments, message) in [
                (["download", nginx.url("n.bin"), "--no-progress-timeout", "99999999999999999999999s"], "is too long: at most 36525d"),
                (["download", nginx.url("n.bin"), "-H", auth, "--begin-after", "1000000000d"], "is too long"),
                (["download", nginx.url("n.bin"), "--limit-rate", "99999999999999999999T"], "is too large"),
                (["refresh", "add", nginx.url("n.bin"), "-o", "r.bin", "--every", "9999999999999999999999999s"], "is too long"),
                (["clean", "--older-than", "1e400d"], "malformed duration"),
            ] {
                try Self.expectRefusal(try sandbox.bgxfer(arguments), 64, message, sandbox)
            }
            // A store written by something else: numbers no bgxfer makes, in a task and a refresh.
            let id = try sandbox.download(nginx.url("n.bin"), "-o", "n.bin", "--begin-after", "1h")
            try #require(try sandbox.bgxfer("refresh", "add", nginx.url("n.bin"), "-o", "r.bin", "--every", "1h").status == 0)
            let sql = """
                UPDATE task SET noProgressTimeout = 1e300, connectTimeout = 1e300, giveUpAfter = 1e300, limitRate = 9223372036854775807;
                UPDATE refresh SET every = 1e300;
                """
            let edit = try Command.run(
                "/usr/bin/python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()",
                    sandbox.state + "/bgxfer/bgxfer.sqlite", sql], environment: [:])
            try #require(edit.status == 0, "\(edit.stderr)")
            for arguments in [["refresh", "list"], ["list"], ["show", id], ["refresh", "list", "--json"]] {
                let outcome = try sandbox.bgxfer(arguments)
                #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
            }
            let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(2 * 3600))
            #expect(try sandbox.bgxfer(["wake"], environment: ["BGXFER_NOW": later]).status == 0)
            let wait = try sandbox.bgxfer(["wait", id], timeout: 60)
            #expect(wait.status == 0, "\(wait.stderr)")
            #expect(try TestFiles.sha256(sandbox.file("n.bin")) == digest)
            #expect(!HeldScript.read(sandbox.state + "/bgxfer/log/worker-default.log").contains("Fatal error"))
        }
    }

    @Test func secretsStayOutOfRefusals() throws {
        try withSandbox { sandbox in
            for (arguments, message) in [
                (["download", "http://h/x", "-H", "Authorization Bearer \(Self.secret)"], "malformed header 'Authorization …'"),
                (["download", "http://h/x", "-H", "X: 1\r\nCookie: \(Self.secret)"], "must not contain CR, LF or NUL"),
                (["download", "http://u:\(Self.secret) x@h/x"], "malformed URL 'http://u:***@h/x'"),
                (["download", "http//u:\(Self.secret)@h/x"], "malformed URL 'http//u:***@h/x'"),
                (["download", "gopher://u:\(Self.secret)@h/x"], "unsupported URL scheme 'gopher'"),
            ] {
                try Self.expectRefusal(try sandbox.bgxfer(arguments), 64, message, sandbox)
            }
        }
    }

    @Test func proxyAuthorizationNeverReachesAnOriginAndAuthorizationStaysWithItsOwn() throws {
        try withSandbox { sandbox in
            let other = try Nginx(in: sandbox.root + "/other")
            let digest = try other.serve("a.bin", size: 4096)
            let first = try Nginx(in: sandbox.root + "/first", extraServerConfig: "location /go { return 302 \(other.url("a.bin")); }")
            let id = try sandbox.download(
                first.url("go"), "-o", "a.bin", "-H", "Authorization: Bearer \(Self.secret)", "-H", "Proxy-Authorization: Basic \(Self.secret)")
            #expect(try sandbox.bgxfer(["wait", id], timeout: 60).status == 0)
            #expect(try TestFiles.sha256(sandbox.file("a.bin")) == digest)
            let asked = try #require(try first.requests("go").first)
            #expect(asked.authorization == "Bearer \(Self.secret)" && asked.proxyAuthorization == nil, "\(asked)")
            let redirected = try #require(try other.requests("a.bin").first)
            #expect(redirected.authorization == nil && redirected.proxyAuthorization == nil, "\(redirected)")
            let show = try sandbox.bgxfer("show", id).stdout + HeldScript.read(sandbox.state + "/bgxfer/log/task-\(id).log")
            #expect(!show.contains(Self.secret))
        }
    }

    @Test func serverTextReachesTheTerminalEscaped() throws {
        try withSandbox { sandbox in
            let server = try FaultServer(in: sandbox.root)
            try server.serve("evil.bin", size: 1024)
            let reason = "Busy \u{1B}]0;pwned\u{07}\u{1B}[2J<b>now</b>"
            try server.faults("evil.bin", ["plan": [["status": 418, "reason": reason, "header": "X-Evil: \u{1B}[31mred"]]])
            let id = try sandbox.download(server.url("evil.bin"))
            #expect(try sandbox.bgxfer(["wait", id], timeout: 60).status == 1)
            for arguments in [["show", id], ["list"]] {
                let outcome = try sandbox.bgxfer(arguments)
                #expect(!outcome.stdout.unicodeScalars.contains("\u{1B}") && !outcome.stdout.unicodeScalars.contains("\u{07}"), "\(arguments)")
            }
            let show = try sandbox.bgxfer("show", id).stdout
            #expect(show.contains("Busy \\x1b]0;pwned\\x7\\x1b[2J<b>now</b>"), "\(show)")
            #expect(show.contains("X-Evil: \\x1b[31mred"))
        }
    }

    @Test func aStoreFromANewerBgxferIsLeftAloneAndATooLongNameIsRefused() throws {
        try withSandbox { sandbox in
            try #require(try sandbox.bgxfer("session", "set", "s", "--parallel", "2").status == 0)
            let database = sandbox.state + "/bgxfer/bgxfer.sqlite"
            let add = try Command.run(
                "/usr/bin/python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO grdb_migrations VALUES ('v99: later')\"); c.commit()", database],
                environment: [:])
            try #require(add.status == 0, "\(add.stderr)")
            let before = FileSnapshot(database)
            let list = try sandbox.bgxfer("list")
            #expect(list.status == 1 && list.stderr.contains("was written by a newer bgxfer (schema 'v99: later')"), "\(list.stderr)")
            let download = try sandbox.bgxfer("download", "http://127.0.0.1:9/x")
            #expect(download.status == 1 && download.stderr.split(separator: "\n").count == 1)
            // Reading a WAL database makes SQLite create an empty -wal file; nothing is written.
            #expect(FileSnapshot(database) == before)
            #expect((fileSize(database + "-wal") ?? 0) == 0)

            let long = try sandbox.bgxfer("download", "http://127.0.0.1:9/x", "-o", String(repeating: "n", count: 240) + ".bin")
            #expect(long.status == 64 && long.stderr.contains("is too long: at most 236 bytes"), "\(long.stderr)")
        }
    }
}
