import Foundation

/// A second, unprivileged user who shares a directory with the user bgxfer runs as (the tests
/// run as root, the user), and plants files and symbolic links in it.
struct Attacker {
    static let name = "bgxfer-attacker"
    let uid: uid_t
    let gid: gid_t

    init() throws {
        if getpwnam(Self.name) == nil {
            let outcome = try Command.run(
                "/usr/sbin/useradd", ["--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", Self.name],
                environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
            guard outcome.status == 0 || getpwnam(Self.name) != nil else {
                throw HarnessError.failed("useradd \(Self.name): \(outcome.stderr)")
            }
        }
        guard let entry = getpwnam(Self.name) else { throw HarnessError.failed("no user \(Self.name)") }
        uid = entry.pointee.pw_uid
        gid = entry.pointee.pw_gid
    }

    /// Runs a shell command as the attacker (setpriv, no supplementary groups); it must succeed.
    func run(_ script: String) throws {
        let outcome = try Command.run(
            "/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--", "/bin/sh", "-c", script],
            environment: ["PATH": "/usr/bin:/bin"])
        guard outcome.status == 0 else { throw HarnessError.failed("as \(Self.name): \(script): \(outcome.stderr)") }
    }

    /// A directory both may write in, without the sticky bit (where fs.protected_symlinks would
    /// stop the user following the attacker's links, and hide what bgxfer does).
    static func sharedDirectory(in sandbox: Sandbox) throws -> String {
        let path = sandbox.root + "/shared"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(sandbox.root, 0o755)
        chmod(path, 0o777)
        return path
    }
}

/// What a file is, to show it did not change: its content's hash and its inode (nil: absent).
struct FileSnapshot: Equatable, CustomStringConvertible {
    var sha256: String?
    var inode: UInt64?
    var isLink: Bool

    init(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            (sha256, inode, isLink) = (nil, nil, false)
            return
        }
        inode = UInt64(info.st_ino)
        isLink = info.st_mode & S_IFMT == S_IFLNK
        sha256 = isLink ? (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) : try? TestFiles.sha256(path)
    }

    var description: String { "\(isLink ? "link to" : "sha256") \(sha256 ?? "-"), inode \(inode.map(String.init) ?? "-")" }

    /// Snapshots of `paths`, to compare after.
    static func of(_ paths: [String]) -> [String: FileSnapshot] {
        Dictionary(uniqueKeysWithValues: paths.map { ($0, FileSnapshot($0)) })
    }
}
