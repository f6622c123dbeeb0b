/// Rules for a file name that comes from outside (a URL, later `Content-Disposition`).
public enum FileName {
    /// Returns `name` when it is safe as a single file name in a directory the user chose:
    /// not empty, not `.` or `..`, no `/`, no control characters, no leading dot (which would
    /// hide the file, or worse, name a dotfile).
    public static func validate(_ name: String) -> String? {
        guard !name.isEmpty, name != ".", name != "..", !name.hasPrefix("."), !name.contains("/"),
            !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }),
            name.utf8.count <= 255
        else { return nil }
        return name
    }
}
