/// Rows printed as aligned columns, two spaces apart, the last column unpadded: the tables of
/// `list`, `refresh list` and `session list`. Control characters in a cell (a name or reason a
/// server gave) are shown escaped.
public enum TextTable {
    public static func render(_ rows: [[String]]) -> String {
        let rows = rows.map { $0.map(\.escapedForMessage) }
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
