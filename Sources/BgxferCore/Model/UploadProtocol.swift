/// How an upload reaches the server (`--protocol`).
public enum UploadProtocol: String, Codable, Sendable, CaseIterable {
    /// One request with the whole body; a stopped upload starts again from zero (FTP: appends).
    case plain
    /// tus 1.0.0 core + creation (https://tus.io/protocols/resumable-upload).
    case tus
    /// IETF Resumable Uploads for HTTP, draft interop version 6.
    case rufh

    /// Whether an upload of this protocol continues where it stopped, asking the server where.
    public var isResumable: Bool { self != .plain }

    /// The header every request of a resumable upload carries: the protocol version it speaks.
    public var versionHeader: String? {
        switch self {
        case .plain: nil
        case .tus: "Tus-Resumable: 1.0.0"
        case .rufh: "Upload-Draft-Interop-Version: 6"
        }
    }
}
