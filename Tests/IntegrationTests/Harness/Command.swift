import CBgxferSupport
import Foundation

/// The result of running a program to its end.
struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String

    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

enum HarnessError: Error, CustomStringConvertible {
    case failed(String)
    var description: String {
        switch self { case .failed(let message): message }
    }
}

/// Runs programs with a given environment, capturing their output.
enum Command {
    /// Runs `executable` to completion. Output goes through files, not pipes, so a child that
    /// leaves a grandchild holding the descriptors (a detached worker) cannot hang the read.
    /// `timeout`: seconds after which the program is killed (SIGTERM, then SIGKILL); its
    /// status then says so, and the test that waited on it fails instead of hanging.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String? = nil,
        stdin: String? = nil, timeout: Double? = nil
    ) throws -> Outcome {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bgxfer-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process(withDefaultSignals: executable, arguments)
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        if let stdin {
            let input = scratch.appendingPathComponent("in")
            try Data(stdin.utf8).write(to: input)
            process.standardInput = try FileHandle(forReadingFrom: input)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        if let timeout, exited.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            if exited.wait(timeout: .now() + 2) == .timedOut { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// Starts a long-running program (a server); the caller stops it by PID.
    static func start(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, log: String
    ) throws -> Process {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process(withDefaultSignals: executable, arguments)
        if let environment { process.environment = environment }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }
}

extension Process {
    /// A process that runs `executable` with every signal unblocked and at its default
    /// disposition, through `env --default-signal`. Swift Testing runs tests on thread-pool
    /// threads that block most signals, and a child inherits that mask: an nginx started
    /// directly from a test ignores SIGTERM, and a bgxfer would not behave as it does from a
    /// shell.
    convenience init(withDefaultSignals executable: String, _ arguments: [String]) {
        self.init()
        executableURL = URL(fileURLWithPath: "/usr/bin/env")
        self.arguments = ["--default-signal", executable] + arguments
    }
}

/// Waiting for things without sleeping as synchronisation.
enum Await {
    /// Blocks until process `pid` (not necessarily our child) exits, or the timeout passes.
    /// Returns true when it exited. Uses a pidfd, which becomes readable on exit.
    static func exit(of pid: Int32, timeout: Double) -> Bool {
        let fd = bgx_pidfd_open(pid)
        if fd < 0 { return errno == ESRCH }
        defer { close(fd) }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, Int32(timeout * 1000)) > 0
    }

    /// Tries to connect to a loopback port until it accepts or the timeout passes: the only
    /// way to know a server we started is ready.
    static func port(_ port: Int, timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if canConnect(port) { return }
            usleep(20_000)
        }
        throw HarnessError.failed("nothing listens on 127.0.0.1:\(port) after \(timeout) s")
    }

    static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// A free loopback port, as the kernel picks it.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length)
                return getsockname(fd, pointer, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A program started with its stdout on a pipe, read line by line as it writes.
final class StreamingCommand {
    let process: Process
    private let pipe = Pipe()
    private var buffer = Data()

    /// `standardInput`: a pipe the caller writes to (else /dev/null).
    init(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String? = nil,
        standardInput: Pipe? = nil
    ) throws {
        process = Process(withDefaultSignals: executable, arguments)
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = standardInput ?? FileHandle.nullDevice
        try process.run()
    }

    /// The next line, or nil at end of output (blocks until one is written).
    func nextLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }

    /// Reads lines until one satisfies `predicate`; returns it (nil if output ended first).
    func line(where predicate: (String) -> Bool) -> String? {
        while let line = nextLine() {
            if predicate(line) { return line }
        }
        return nil
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }
}
