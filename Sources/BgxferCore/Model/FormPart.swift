import Foundation

/// One part of a `multipart/form-data` upload (`--form`, as curl's `-F`): a field with a
/// value, or a file sent under a file name with a content type.
public struct FormPart: Codable, Sendable, Equatable {
    public var name: String
    /// A field's value (nil for a file part).
    public var value: String?
    /// A file part's file, as it was when the task was made (nil for a field).
    public var file: UploadSource?
    /// A file part's `filename` parameter: the file's base name unless `;filename=` says.
    public var filename: String?
    /// A file part's `Content-Type`: `;type=` or a guess from the file name's extension.
    public var contentType: String?

    public init(name: String, value: String? = nil, file: UploadSource? = nil, filename: String? = nil, contentType: String? = nil) {
        self.name = name
        self.value = value
        self.file = file
        self.filename = filename
        self.contentType = contentType
    }
}
