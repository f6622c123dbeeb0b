/// Paths as text.
public enum LexicalPath {
    /// `path` made absolute against `directory`, with `.`, `..` and repeated slashes resolved
    /// by their text alone, as a shell's `cd` does: no symbolic link is followed here (the
    /// kernel follows those of the directories when the file is made; a link at the name
    /// itself is replaced, never written through).
    public static func absolute(_ path: String, in directory: String) -> String {
        let joined = path.hasPrefix("/") ? path : directory + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
