import CCurl
import Foundation

/// An upload's source file, open for reading, that stays the file it was when the task was
/// made (README, "Uploads"): its identity is checked when it is opened and after
/// every read, and a read that finds it changed aborts the transfer before the changed bytes
/// go out. curl reads it through `SourceReader.read`/`seek` (a request body, or one part of a
/// multipart body).
final class SourceReader {
    let source: UploadSource
    private var descriptor: Int32
    /// The next byte a read returns.
    private(set) var position: Int64 = 0
    /// Reads stop here (a chunk of a resumable upload); the file's end otherwise.
    private var end: Int64
    /// Why a read aborted the transfer.
    private(set) var problem: String?

    init(_ source: UploadSource) throws {
        self.source = source
        end = source.size
        descriptor = open(source.path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 { throw BgxferError.system("cannot read the file to upload", path: source.path) }
        // From here a throw runs deinit, which closes the descriptor.
        if let change = UploadSource.identity(of: descriptor, path: source.path).flatMap(source.change) {
            throw UploadSourceChanged(message: "\(source.path) changed after the upload was queued: \(change)")
        }
    }

    deinit { close() }

    /// Reads from `start` up to `end` next (a resumable upload's chunk). Returns false when
    /// the file cannot be positioned there.
    func select(from start: Int64, to end: Int64) -> Bool {
        self.end = min(end, source.size)
        return seek(to: start)
    }

    /// curl's read callback: bytes for the request body, 0 at the end, or an abort.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let wanted = Int(min(Int64(buffer.count), end - position))
        guard wanted > 0 else { return 0 }
        let count = Foundation.read(descriptor, buffer.baseAddress, wanted)
        if count < 0 { return abort("cannot read \(source.path): \(FileSystem.describe(errno: errno))") }
        // Checked after the read, before curl sends what was read.
        if let change = UploadSource.identity(of: descriptor, path: source.path).flatMap(source.change) {
            return abort("\(source.path) changed while it was being sent: \(change)")
        }
        if count == 0 { return abort("\(source.path) ended after \(position) of \(source.size) bytes") }
        position += Int64(count)
        return count
    }

    /// curl's seek callback (a rewound request body, an FTP upload appending from the server's size).
    func seek(to offset: Int64) -> Bool {
        guard offset >= 0, offset <= source.size, descriptor >= 0, lseek(descriptor, off_t(offset), SEEK_SET) == offset
        else { return false }
        position = offset
        return true
    }

    /// Hands `body` the bytes from `start` to `end` in blocks (a checksum of a chunk before it
    /// is sent), checking the file after each read; false when it cannot be read or changed.
    func forEachBlock(from start: Int64, to end: Int64, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        var at = start
        while at < end {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, Int(min(Int64($0.count), end - at)), off_t(at)) }
            if count <= 0 {
                problem = "cannot read \(source.path) at byte \(at)"
                return false
            }
            if let change = UploadSource.identity(of: descriptor, path: source.path).flatMap(source.change) {
                problem = "\(source.path) changed while it was being sent: \(change)"
                return false
            }
            buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
            at += Int64(count)
        }
        return true
    }

    func close() {
        if descriptor >= 0 {
            Foundation.close(descriptor)
            descriptor = -1
        }
    }

    private func abort(_ reason: String) -> Int {
        problem = reason
        return Int(CURL_READFUNC_ABORT)
    }

    /// The C callbacks; the reader comes back through the user-data pointer, which must stay
    /// valid (the reader alive) while curl may call them.
    static let readCallback: bgx_curl_data_callback = { buffer, size, count, context in
        guard let buffer, let context else { return Int(CURL_READFUNC_ABORT) }
        return Unmanaged<SourceReader>.fromOpaque(context).takeUnretainedValue()
            .read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
    }

    static let seekCallback: bgx_curl_seek_callback = { context, offset, origin in
        guard let context, origin == SEEK_SET else { return CURL_SEEKFUNC_FAIL }
        return Unmanaged<SourceReader>.fromOpaque(context).takeUnretainedValue().seek(to: Int64(offset))
            ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL
    }

    var context: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }
}

/// The source changed between queueing and the attempt: not worth retrying.
struct UploadSourceChanged: Error {
    let message: String
}

@available(*, unavailable)
extension SourceReader: Sendable {}
