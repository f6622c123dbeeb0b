import Foundation

/// Where a finished download goes, decided as a value: `Transfer.putInPlace` makes the file
/// calls it says (README, "Transfers"). The bytes are verified by then; a placement
/// that cannot be done fails the task with the bytes kept, and the message says where.
enum Placement: Equatable {
    /// 304 Not Modified: the destination is current; the empty partial file goes.
    case discardPartial
    /// Rename the partial file onto `name`, in the same directory, atomically; an existing
    /// file there is replaced only when `replace` (`--overwrite`), and never written through.
    case rename(to: String, replace: Bool)
    case refuse(PlacementError)

    static func decide(verdict: ResponseVerdict?, destination: String?, partialPath: String, overwrite: Bool) -> Placement {
        if verdict == .notModified { return .discardPartial }
        guard let destination else {
            return .refuse(PlacementError(code: .internal, message: "no destination was named; the downloaded file is kept as \(partialPath)"))
        }
        let (directory, name) = SafeFile.split(destination)
        guard directory == SafeFile.split(partialPath).directory else {
            return .refuse(PlacementError(code: .internal, message: "\(partialPath) is not in \(directory)"))
        }
        return .rename(to: name, replace: overwrite)
    }

    /// The rename failed with `errno`: why, in words, and where the bytes are.
    static func renameFailure(errno code: Int32, destination: String, partialPath: String) -> PlacementError {
        let reason = code == EEXIST
            ? "\(destination) appeared while downloading and --overwrite was not given"
            : "cannot rename onto \(destination): \(FileSystem.describe(errno: code))"
        return PlacementError(code: .destinationExists, message: "\(reason); the downloaded file is kept as \(partialPath)")
    }
}

/// `--content-disposition`: which name a download is saved under, from the server's
/// `Content-Disposition` or else the URL's last path segment, as a value; `Transfer` then checks
/// that the name is free and claims it.
enum FileNaming: Equatable {
    /// `origin` says where the name came from, for messages; `note`, why the server's
    /// suggestion was not used, when it was not.
    case named(String, origin: String, note: String?)
    /// Neither names a usable file: the attempt fails with `error`.
    case unnamed(TaskError, note: String?)

    static let serverOrigin = "the server's Content-Disposition"
    static let urlOrigin = "the URL's name"

    static func choose(contentDisposition header: String?, url: String) -> FileNaming {
        var note: String?
        switch header.map(ContentDisposition.fileName) ?? .none {
        case .name(let suggested):
            return .named(suggested, origin: serverOrigin, note: nil)
        case .refused(let why):
            note = "the server's Content-Disposition is not used: \(why)"
        case .none:
            break
        }
        guard let name = TransferURL.lastPathSegment(url).flatMap(FileName.validate) else {
            let error = TaskError(
                code: .noFileName, message: "neither the server (Content-Disposition) nor the URL names the file: use -o")
            return .unnamed(error, note: note)
        }
        return .named(name, origin: urlOrigin, note: note)
    }
}
