import Foundation
import GRDB
import Testing

@testable import BgxferCore

@Suite struct TimestampTests {
    @Test func formatsRFC3339InUTC() {
        #expect(Timestamp.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: 1_795_512_780.125), fractional: true) == "2026-11-24T09:33:00.125Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: 1_795_512_780.9999)) == "2026-11-24T09:33:00Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: -0.5), fractional: true) == "1969-12-31T23:59:59.500Z")
    }

    /// What it replaces (in this test alone), over times whose fraction is exact in binary.
    @Test func agreesWithFoundationsISO8601() {
        for seconds in stride(from: 0.0, to: 4_000_000_000, by: 97_654_321.125) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(Timestamp.string(date, fractional: true) == Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date))
            #expect(Timestamp.parse(Timestamp.string(date)) == Date(timeIntervalSince1970: seconds.rounded(.down)))
        }
    }

    @Test func parsesOffsetsAndFractions() {
        #expect(Timestamp.parse("2026-11-24T10:00:00Z") == Date(timeIntervalSince1970: 1_795_514_400))
        #expect(Timestamp.parse("2026-11-24T11:30:00+01:30") == Date(timeIntervalSince1970: 1_795_514_400))
        #expect(Timestamp.parse("2026-11-24T08:00:00-02:00") == Date(timeIntervalSince1970: 1_795_514_400))
        #expect(Timestamp.parse("2026-11-24t10:00:00.25z") == Date(timeIntervalSince1970: 1_795_514_400.25))
        #expect(Timestamp.parse("2026-11-24 10:00:00Z") == Date(timeIntervalSince1970: 1_795_514_400))
    }

    @Test(arguments: [
        "", "2026-11-24", "2026-11-24T10:00:00", "2026-11-24T10:00Z", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-24T24:00:00Z", "2026-11-24T10:00:00.Z", "2026-11-24T10:00:00+0100", "2026-11-24T10:00:00Z ", "tomorrow",
    ])
    func refusesWhatIsNotRFC3339(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func readsHTTPDatesInAllThreeForms() {
        let expected = Date(timeIntervalSince1970: 784_111_777)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == expected)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == expected)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == expected)
        #expect(HTTPDate.parse(" Sun, 06 Nov 1994 08:49:37 GMT ") == expected)
        #expect(HTTPDate.parse("yesterday") == nil)
        #expect(HTTPDate.parse("") == nil)
    }

    /// Stores written before (by GRDB's own `Date` conversion) read the same, and new rows are
    /// written in the same form.
    @Test func storedDatesKeepGRDBsForm() {
        for seconds in [0, 1_795_512_780.125, 951_782_400.5, 4_000_000_000.25] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(StoredDate(date).databaseValue == date.databaseValue)
            #expect(StoredDate.fromDatabaseValue(date.databaseValue)?.date == date)
            #expect(Date.fromDatabaseValue(StoredDate(date).databaseValue) == date)
        }
        #expect(StoredDate.text(Date(timeIntervalSince1970: 1_795_512_780.125)) == "2026-11-24 09:33:00.125")
        #expect(StoredDate.fromDatabaseValue(1_795_512_780.databaseValue)?.date == Date(timeIntervalSince1970: 1_795_512_780))
        #expect(StoredDate.fromDatabaseValue("2026-11-24 09:33:00".databaseValue)?.date == Date(timeIntervalSince1970: 1_795_512_780))
        #expect(StoredDate.fromDatabaseValue("soon".databaseValue) == nil)
        #expect(StoredDate.fromDatabaseValue(.null) == nil)
    }
}
