/// Rules for a file name that comes from outside (a URL, a `Content-Disposition` header).
public enum FileName {
    /// Returns `name` when it is safe as a single file name in a directory the user chose:
    /// not empty, not `.` or `..`, no `/`, no control characters, no leading dot (which would
    /// hide the file, or worse, name a dotfile), at most 255 bytes.
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
        if name.utf8.count > 255 { return "it is longer than 255 bytes" }
        return nil
    }
}
