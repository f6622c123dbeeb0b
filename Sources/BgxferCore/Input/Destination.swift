import Foundation

/// Works out where a download goes (`-o`, `-d`, or the URL's name in the current directory)
/// and checks it can go there, before a task is made.
public struct Destination: Sendable {
    public var output: String?
    public var directory: String?
    public var overwrite: Bool
    public var workingDirectory: String

    public init(output: String?, directory: String?, overwrite: Bool, workingDirectory: String) {
        self.output = output
        self.directory = directory
        self.overwrite = overwrite
        self.workingDirectory = workingDirectory
    }

    /// The destination's absolute path, without touching the file system.
    public func path(for url: String) throws -> String {
        if output != nil && directory != nil {
            throw BgxferError.usage("-o and -d cannot be used together: -o names the file, -d its directory")
        }
        if let output {
            guard !output.isEmpty else { throw BgxferError.usage("-o needs a file name") }
            if output.hasSuffix("/") {
                throw BgxferError.usage("-o '\(output)' names a directory: use -d for a directory")
            }
            return absolute(output)
        }
        let segment = TransferURL.lastPathSegment(url) ?? ""
        guard let name = FileName.validate(segment) else {
            let shown = segment.isEmpty ? "no file name" : "no safe file name ('\(segment.escapedForMessage)')"
            throw BgxferError.usage("the URL has \(shown) to save as: give one with -o")
        }
        return absolute(directory ?? ".") + "/" + name
    }

    /// Checks the destination's directory exists and takes new files, and that the file does
    /// not exist unless `--overwrite` was given.
    public func check(_ path: String) throws {
        let name = (path as NSString).lastPathComponent
        if name.utf8.count > FileName.longest {
            throw BgxferError.usage(
                "the file name '\(String(name.prefix(40)).escapedForMessage)…' is too long: at most \(FileName.longest) bytes, "
                    + "so that its partial file's name (NAME.bgxfer-ID.part) fits in 255")
        }
        try checkDirectory((path as NSString).deletingLastPathComponent)
        if FileSystem.isDirectory(path) {
            throw BgxferError.cannotCreate("destination \(path) is a directory: use -d for a directory")
        }
        if FileSystem.exists(path) && !overwrite {
            throw BgxferError.cannotCreate("destination \(path) exists: use --overwrite to replace it")
        }
    }

    /// Checks the destination directory exists and takes new files.
    public func checkDirectory(_ parent: String) throws {
        guard FileSystem.exists(parent) else {
            throw BgxferError.cannotCreate("destination directory \(parent) does not exist")
        }
        guard FileSystem.isDirectory(parent) else {
            throw BgxferError.cannotCreate("destination directory \(parent) is not a directory")
        }
        if let error = FileSystem.canCreateFiles(in: parent) {
            throw BgxferError.cannotCreate(
                "destination directory \(parent) is not writable: \(FileSystem.describe(errno: error))")
        }
    }

    private func absolute(_ path: String) -> String { Self.absolute(path, in: workingDirectory) }

    /// `path` made absolute against `directory`, by its text (LexicalPath).
    public static func absolute(_ path: String, in directory: String) -> String { LexicalPath.absolute(path, in: directory) }
}
