import Foundation

/// The JSON task object (README, "JSON"). Every key is always present (null when unknown), in the
/// order the spec lists them; secrets are masked. `detailed` adds what `show --json` prints.
public enum TaskJSON {
    public static func value(_ task: TransferTask, detailed: Bool = false, log: [String] = []) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(task.id.rawValue)),
            ("kind", .string(task.kind.rawValue)),
            ("session", .string(task.session)),
            ("state", .string(task.state.rawValue)),
            ("url", .string(Redaction.url(task.url))),
            // README, "JSON": uploads carry `source` in place of `destination`.
            task.kind == .upload ? ("source", JSONValue(task.source?.path)) : ("destination", JSONValue(task.destination)),
            ("bytesTransferred", .int(task.bytesTransferred)),
            ("bytesExpected", JSONValue(task.bytesExpected)),
            ("progress", JSONValue(task.progress.map { ($0 * 10000).rounded() / 10000 })),
            ("bytesPerSecond", JSONValue(task.bytesPerSecond.map { $0.rounded() })),
            ("createdAt", .string(Timestamp.string(task.createdAt))),
            ("startedAt", JSONValue(task.startedAt.map { Timestamp.string($0) })),
            ("finishedAt", JSONValue(task.finishedAt.map { Timestamp.string($0) })),
            ("attempts", .int(Int64(task.attempts))),
            ("httpStatus", JSONValue(task.httpStatus)),
            ("resumable", .bool(task.resumable)),
            ("notify", task.notify.map { notify in
                .object([
                    ("success", .string(notify.successTitle(for: task.kind))),
                    ("failure", .string(notify.failureTitle(for: task.kind))),
                ])
            } ?? .null),
            ("error", task.error.map(value) ?? .null),
            ("workerPid", JSONValue(task.workerPid)),
        ]
        if detailed {
            members += [
                ("partialPath", JSONValue(task.partialPath)),
                ("requestHeaders", JSONValue(Redaction.headers(task.requestHeaders))),
                ("responseHeaders", JSONValue(task.responseHeaders.map(Redaction.headers))),
                ("effectiveURL", JSONValue(task.effectiveURL.map(Redaction.url))),
                ("etag", JSONValue(task.etag)),
                ("validator", JSONValue(task.validator)),
                ("durableBytes", .int(task.durableBytes)),
                ("restartNote", JSONValue(task.restartNote)),
                ("notification", JSONValue(task.notification)),
                ("form", task.form.map { parts in .array(parts.map(value)) } ?? .null),
                ("method", JSONValue(task.method)),
                ("protocol", JSONValue(task.kind == .upload ? (task.uploadProtocol ?? .plain).rawValue : nil)),
                ("uploadURL", JSONValue(task.uploadURL.map(Redaction.url))),
                ("replyPath", JSONValue(task.replyPath)),
                ("reply", JSONValue(task.replyBody.map { String(decoding: $0.prefix(4096), as: UTF8.self) })),
                ("retries", JSONValue(task.retries)),
                ("giveUpAfter", .double(task.giveUpAfter)),
                ("progressAt", JSONValue(task.progressAt.map { Timestamp.string($0) })),
                ("metered", .string(task.metered.rawValue)),
                ("battery", .string(task.battery.rawValue)),
                ("nextAttemptAt", JSONValue(task.nextAttemptAt.map { Timestamp.string($0) })),
                ("lastModified", JSONValue(task.lastModified)),
                ("checksum", JSONValue(task.checksum)),
                ("limitRate", JSONValue(task.limitRate)),
                ("overwrite", .bool(task.overwrite)),
                ("log", JSONValue(log)),
            ]
        }
        return .object(members)
    }

    static func value(_ part: FormPart) -> JSONValue {
        .object([
            ("name", .string(part.name)), ("value", JSONValue(part.value)), ("file", JSONValue(part.file?.path)),
            ("filename", JSONValue(part.filename)), ("contentType", JSONValue(part.contentType)),
        ])
    }

    static func value(_ error: TaskError) -> JSONValue {
        .object([("code", .string(error.code.rawValue)), ("message", .string(error.message))])
    }
}
