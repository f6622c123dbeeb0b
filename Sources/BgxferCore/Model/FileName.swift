/// Rules for a file name that comes from outside (a URL, a `Content-Disposition` header).
public enum FileName {
    /// 255 bytes less `.bgxfer-XXXXXX.part`.
    public static let longest = 255 - ".bgxfer-XXXXXX.part".utf8.count

    /// Returns `name` when it is safe as a single file name in a directory the user chose:
    /// not empty, not `.` or `..`, no `/`, no control characters, no leading dot (which would
    /// hide the file, or worse, name a dotfile), short enough that its partial file's name
    /// (`NAME.bgxfer-ID.part`) fits the 255 bytes a file name may have.
    public static func validate(_ name: String) -> String? {
        problem(name) == nil ? name : nil
    }

    /// Why `name` is not safe as a file name, or nil when it is.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name == "." || name == ".." { return "it names a directory" }
        if name.hasPrefix(".") { return "it starts with a dot" }
        if name.contains("/") { return "it contains '/'" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) { return "it contains control characters" }
        if name.utf8.count > longest {
            return "it is longer than \(longest) bytes (with bgxfer's partial-file suffix it would pass the 255 a name may have)"
        }
        return nil
    }
}
