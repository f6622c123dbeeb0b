import Foundation
import GRDB

/// A time as the store keeps it: GRDB's own text form, `2026-11-24 15:33:00.125` in UTC, which
/// compares and sorts as text. Written and read here, on libc, rather than by GRDB's `Date`
/// conversion: that one formats with a `DateFormatter` and reads through a `Calendar`, and both
/// load ICU and its data into the worker (5 MiB of resident memory, for a column's value).
///
/// Records take it through their date strategies (`StoredRecord`); queries compare with
/// `StoredDate(now)`.
struct StoredDate: DatabaseValueConvertible {
    let date: Date

    init(_ date: Date) { self.date = date }

    var databaseValue: DatabaseValue { Self.text(date).databaseValue }

    /// Text in the form above; a number as seconds since 1970 (as GRDB reads it).
    static func fromDatabaseValue(_ value: DatabaseValue) -> StoredDate? {
        switch value.storage {
        case .string(let text): Timestamp.parse(text, zoneless: true).map(StoredDate.init)
        case .double(let seconds): StoredDate(Date(timeIntervalSince1970: seconds))
        case .int64(let seconds): StoredDate(Date(timeIntervalSince1970: Double(seconds)))
        default: nil
        }
    }

    static func text(_ date: Date) -> String { Timestamp.string(date, fractional: true, separator: " ", zone: "") }

    static let encoding = DatabaseDateEncodingStrategy.custom { text($0) }
    static let decoding = DatabaseDateDecodingStrategy.custom { fromDatabaseValue($0)?.date }
}

/// A record of the store: its times are written and read as `StoredDate`.
protocol StoredRecord: FetchableRecord, PersistableRecord {}

extension StoredRecord {
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoredDate.encoding }
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { StoredDate.decoding }
}
