import ArgumentParser
import BgxferCore
import Foundation

struct Show: ContextCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one task in full: request, response headers, validators, attempts, error, log.")

    @Argument(help: "The task's ID (or a unique prefix).", completion: TaskIDCompletion.kind)
    var id: String

    @Flag(help: "Print the task object as JSON, with the request, response and log.")
    var json = false

    func run(_ context: Context) throws {
        let task = try context.openStore().resolve(id)
        let log = TaskLog.tail(task.id, paths: context.paths)
        if json {
            context.console.out(TaskJSON.value(task, detailed: true, log: log).rendered(pretty: true) + "\n")
        } else {
            context.console.out(TaskDetails.render(task, log: log))
        }
    }
}

/// The text form of `show`.
enum TaskDetails {
    static func render(_ task: TransferTask, log: [String]) -> String {
        var rows: [(String, String)] = [
            ("ID", task.id.rawValue), ("Kind", task.kind.rawValue), ("Session", task.session),
            ("State", task.state.rawValue), ("URL", Redaction.url(task.url)),
        ]
        if let destination = task.destination {
            rows.append(("Destination", destination))
        } else if let directory = task.nameDirectory {
            rows.append(("Destination", "\(directory)/ (named by the server's first response)"))
        }
        if let source = task.source { rows.append(("Source", "\(source.path) (\(Format.bytes(source.size)))")) }
        for part in task.form ?? [] {
            let what = part.file.map { "\($0.path) (\(Format.bytes($0.size)), \(part.contentType ?? "-"))" } ?? "\"\(part.value ?? "")\""
            rows.append(("Form part", "\(part.name) = \(what)"))
        }
        if task.kind == .upload {
            let kind = task.uploadProtocol ?? .plain
            rows.append(("Protocol", kind.isResumable ? kind.rawValue : "plain: a stopped upload starts again from zero"))
        }
        if let resource = task.uploadURL { rows.append(("Upload resource", Redaction.url(resource))) }
        if let method = task.method, task.url.lowercased().hasPrefix("http"), task.uploadProtocol != .tus {
            rows.append(("Method", method))
        }
        if let reply = task.replyPath { rows.append(("Reply file", reply)) }
        if let partial = task.partialPath, task.state != .completed, FileSystem.exists(partial) {
            rows.append(("Partial file", partial))
        }
        var progress = Format.bytes(task.bytesTransferred)
        if let expected = task.bytesExpected { progress += " of \(Format.bytes(expected)) (\(Format.percent(task.progress)))" }
        rows.append(("Transferred", progress))
        if let speed = task.bytesPerSecond {
            rows.append((task.state == .running ? "Speed" : "Average speed", Format.rate(speed)))
        }
        rows.append(("Created", Timestamp.string(task.createdAt)))
        if let started = task.startedAt { rows.append(("Started", Timestamp.string(started))) }
        if let finished = task.finishedAt { rows.append(("Finished", Timestamp.string(finished))) }
        let limit = task.retries.map { "\(task.budgetUsed) of \($0)" } ?? "\(task.budgetUsed)"
        rows.append(("Attempts", "\(task.attempts) (\(limit) since created or resumed)"))
        if task.retries == nil, !task.state.isTerminal {
            rows.append(("Gives up", "after \(Format.span(task.giveUpAfter)) without progress"))
        }
        if let reason = WaitingReason.describe(task) { rows.append(("Waiting for", reason)) }
        if let next = task.nextAttemptAt, task.state == .waiting {
            let left = next.timeIntervalSinceNow
            rows.append(("Next attempt", Timestamp.string(next) + (left > 0 ? " (in \(Format.span(left)))" : "")))
        }
        if task.metered == .wait || task.battery == .wait {
            let policies = [task.metered == .wait ? "not on a metered network" : nil, task.battery == .wait ? "not on battery" : nil]
            rows.append(("Runs only", policies.compactMap { $0 }.joined(separator: ", ")))
        }
        if let pid = task.workerPid { rows.append(("Worker PID", "\(pid)")) }
        if let checksum = task.checksum { rows.append(("Checksum", checksum)) }
        if let limit = task.limitRate { rows.append(("Rate limit", Format.rate(Double(limit)))) }
        if task.overwrite { rows.append(("Overwrite", "yes")) }
        if let status = task.httpStatus { rows.append(("HTTP status", "\(status)")) }
        if let effective = task.effectiveURL, effective != task.url { rows.append(("Final URL", Redaction.url(effective))) }
        if let etag = task.etag { rows.append(("ETag", etag)) }
        if let modified = task.lastModified { rows.append(("Last-Modified", modified)) }
        let resumable =
            task.kind == .upload ? "yes, from what the server holds (it confirmed \(task.durableBytes) bytes)" : "yes, from byte \(task.durableBytes)"
        rows.append(("Resumable", task.resumable ? resumable : "no"))
        if let note = task.restartNote { rows.append(("Restarted", "from zero: \(note)")) }
        if let error = task.error { rows.append(("Error", "\(error.code): \(error.message)")) }
        if let notify = task.notify {
            rows.append(
                ("Notify", "\"\(notify.successTitle(for: task.kind))\" / \"\(notify.failureTitle(for: task.kind))\""))
            if let outcome = task.notification { rows.append(("Notification", outcome)) }
        }

        // Much of this came from a server (headers, reasons, names): nothing in it reaches the
        // terminal as a control character.
        let width = rows.map(\.0.count).max() ?? 0
        var text = rows.map { "\($0.0 + ":")\(String(repeating: " ", count: width - $0.0.count + 1))\($0.1.escapedForMessage)" }
            .joined(separator: "\n") + "\n"
        text += section("Request headers", Redaction.headers(task.requestHeaders))
        text += section("Response headers", task.responseHeaders.map(Redaction.headers) ?? [])
        if let reply = task.replyBody, !reply.isEmpty {
            let lines = String(decoding: reply.prefix(1024), as: UTF8.self).split(separator: "\n").prefix(10).map(String.init)
            text += section("Reply (start)", lines)
        }
        text += section("Log", log)
        return text
    }

    private static func section(_ title: String, _ lines: [String]) -> String {
        lines.isEmpty ? "" : "\n\(title):\n" + lines.map { "  \($0.escapedForMessage)\n" }.joined()
    }
}
