import Testing

@testable import BgxferCore

@Suite struct ContentDispositionParsingTests {
    @Test(arguments: [
        ("attachment; filename=report.pdf", "report.pdf"),
        ("attachment; filename=\"annual report.pdf\"", "annual report.pdf"),
        ("ATTACHMENT; FILENAME=\"a \\\"quoted\\\" name.txt\"", "a \"quoted\" name.txt"),
        ("attachment;filename=\"semi;colon.txt\";size=10", "semi;colon.txt"),
        ("inline; filename=page.html", "page.html"),
        // filename* (RFC 8187) wins, wherever it stands.
        ("attachment; filename*=UTF-8''na%C3%AFve%20caf%C3%A9.txt; filename=\"naive.txt\"", "naïve café.txt"),
        ("attachment; filename=\"fallback.txt\"; filename*=utf-8'en'%E2%82%AC%20rates.csv", "€ rates.csv"),
        ("attachment; filename*=ISO-8859-1''caf%E9.txt", "café.txt"),
        // Reduced to a base name.
        ("attachment; filename=\"../../etc/passwd\"", "passwd"),
        ("attachment; filename=\"C:\\\\Users\\\\me\\\\x.doc\"", "x.doc"),
        ("attachment; filename=\"/tmp/abs.bin\"", "abs.bin"),
    ])
    func namesAreTakenFromTheHeader(header: String, name: String) {
        #expect(ContentDisposition.fileName(header) == .name(name))
    }

    @Test(arguments: [
        ("attachment; filename=\".bashrc\"", "starts with a dot"),
        ("attachment; filename=\"..\"", "names a directory"),
        ("attachment; filename=\"dir/\"", "it is empty"),
        ("attachment; filename=\"\"", "it is empty"),
        ("attachment; filename=\"bad\u{7}bell\"", "control characters"),
        ("attachment; filename*=UTF-8''evil%0Aline.txt", "control characters"),
        ("attachment; filename*=UTF-8''%C3%28bad.txt", "not valid RFC 8187"),
        ("attachment; filename*=KOI8-R''x.txt", "not valid RFC 8187"),
        ("attachment; filename*=noquotes.txt", "not valid RFC 8187"),
    ])
    func unsafeNamesAreRefusedSayingWhy(header: String, why: String) {
        guard case .refused(let reason) = ContentDisposition.fileName(header) else {
            Issue.record("\(header) was not refused")
            return
        }
        #expect(reason.contains(why), "\(reason)")
    }

    @Test func aHeaderWithoutAFileNameSuggestsNone() {
        #expect(ContentDisposition.fileName("attachment") == .none)
        #expect(ContentDisposition.fileName("inline; size=3") == .none)
        #expect(ContentDisposition.fileName("") == .none)
    }
}
