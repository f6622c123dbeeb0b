// rufh-server: a test server for IETF "Resumable Uploads for HTTP" (draft interop version 6), built on
// swift-nio-extras' NIOResumableUpload. See README.md beside Package.swift.
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypesHTTP1
import NIOPosix
import NIOResumableUpload

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct Options {
    var port = 0
    var root: String?
    var log: String?
    var rate: Int64?
    var origin: String?
    var sendContinue = true

    static let usage = """
        usage: rufh-server --root DIR [--port P] [--log FILE] [--rate BYTES_PER_SEC] [--origin URL]
                           [--no-continue]
          --root DIR     where uploads land: POST/PUT /any/path/NAME is written to DIR/NAME
          --port P       port on 127.0.0.1 (default 0: any free port); the first line on standard
                         output is "listening on 127.0.0.1:PORT"
          --log FILE     one JSON object per line per event ("-": standard error; default: none)
          --rate N       read from each connection at most N bytes per second
          --origin URL   what the library puts before "/resumable_upload/…" in Location
                         (default http://127.0.0.1:PORT; "" gives a path-only Location)
          --no-continue  don't answer "Expect: 100-continue" with a 100 (the library alone doesn't)

        """

    init(arguments: [String]) throws {
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let value = rest.popFirst() else { throw UsageError(message: "\(flag) needs a value") }
            return value
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--port":
                guard let port = Int(try value(flag)), (0...65535).contains(port) else {
                    throw UsageError(message: "bad --port")
                }
                self.port = port
            case "--root": self.root = try value(flag)
            case "--log": self.log = try value(flag)
            case "--rate":
                guard let rate = Int64(try value(flag)), rate > 0 else { throw UsageError(message: "bad --rate") }
                self.rate = rate
            case "--origin": self.origin = try value(flag)
            case "--no-continue": self.sendContinue = false
            case "-h", "--help": throw UsageError(message: nil)
            default: throw UsageError(message: "unknown argument \(flag)")
            }
        }
        if self.root == nil { throw UsageError(message: "--root is required") }
    }
}

struct UsageError: Error {
    var message: String?
}

func run(_ options: Options) throws {
    let root = URL(fileURLWithPath: options.root!, isDirectory: true)
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    let log = try EventLog(path: options.log)
    // The Location origin needs the port, which port 0 tells only after bind; connections come only
    // after that, so the initializer below always finds the context set.
    let uploadContext = NIOLockedValueBox<HTTPResumableUploadContext?>(nil)
    let connections = NIOLockedValueBox(0)

    // One thread: the library keeps each upload on the event loop of the connection that created it and
    // hops to it from others; a single loop keeps that simple. Files are written on the loop, blocking.
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var bootstrap = ServerBootstrap(group: group)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let conn = connections.withLockedValue {
                    $0 += 1
                    return $0
                }
                let context = uploadContext.withLockedValue { $0 }!
                let sync = channel.pipeline.syncOperations
                if let rate = options.rate {
                    try sync.addHandler(ReadThrottle(bytesPerSecond: rate))
                }
                try sync.configureHTTPServerPipeline()
                try sync.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                try sync.addHandler(FrontHandler(log: log, conn: conn, sendContinue: options.sendContinue))
                // A fresh UploadSink for each upload: the library builds a new child channel per request
                // (or per logical upload, for resumable ones) and calls this to fill it.
                try sync.addHandler(
                    HTTPResumableUploadHandler(context: context) { uploadChannel in
                        try? uploadChannel.pipeline.syncOperations.addHandler(UploadSink(root: root, log: log))
                    }
                )
            }
        }
    if let rate = options.rate {
        // Small reads, one per read() call, and a small kernel buffer (set on the listening socket, which
        // accepted sockets inherit), so the throttle decides how much of the client's data got in.
        let chunk = Int(min(max(rate / 10, 1024), 64 * 1024))
        bootstrap =
            bootstrap
            .serverChannelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(chunk))
            .childChannelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: chunk))
            .childChannelOption(.maxMessagesPerRead, value: 1)
    }

    let server = try bootstrap.bind(host: "127.0.0.1", port: options.port).wait()
    let port = server.localAddress!.port!
    uploadContext.withLockedValue {
        $0 = HTTPResumableUploadContext(origin: options.origin ?? "http://127.0.0.1:\(port)")
    }

    // SIGTERM / SIGINT: close the listening socket; the group's shutdown then closes every connection.
    let signals = [SIGTERM, SIGINT].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { server.close(promise: nil) }
        source.resume()
        return source
    }
    // Last, so that a test that read this line may already send SIGTERM.
    FileHandle.standardOutput.write(Data("listening on 127.0.0.1:\(port)\n".utf8))

    try server.closeFuture.wait()
    for source in signals { source.cancel() }
    try group.syncShutdownGracefully()
}

do {
    try run(Options(arguments: Array(CommandLine.arguments.dropFirst())))
} catch let error as UsageError {
    if let message = error.message {
        FileHandle.standardError.write(Data("rufh-server: \(message)\n".utf8))
    }
    FileHandle.standardError.write(Data(Options.usage.utf8))
    exit(error.message == nil ? 0 : 2)
} catch {
    FileHandle.standardError.write(Data("rufh-server: \(error)\n".utf8))
    exit(1)
}
