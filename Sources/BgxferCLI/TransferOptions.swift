import ArgumentParser
import Foundation
import BgxferCore

/// Options every transfer command takes (README, "Reference"). Each is applied only when
/// given, so that `resume --resume-data` can take them as overrides of what the resume data
/// carries; a new task otherwise has TaskDraft's defaults.
struct TransferOptions: ParsableArguments {
    @Option(
        name: [.customShort("H"), .customLong("header")],
        help: ArgumentHelp("Send this request header; repeat for more.", valueName: "name: value"))
    var headers: [String] = []

    @Option(help: ArgumentHelp("Run the task in this session (one worker per session; default: default).", valueName: "name"))
    var session: String?

    @Option(help: ArgumentHelp("Limit the speed, in bytes per second: 500K, 2M, 1G.", valueName: "rate"))
    var limitRate: String?

    @Option(help: ArgumentHelp("Give up connecting after this long: 30s, 2m.", valueName: "duration"))
    var connectTimeout: String?

    @Option(help: ArgumentHelp("Abandon an attempt that receives nothing for this long (default: 2m).", valueName: "duration"))
    var noProgressTimeout: String?

    @Option(
        help: ArgumentHelp(
            "Fail after this many attempts in all, the first included (default: retry until --give-up-after).",
            valueName: "n"))
    var retries: Int?

    @Option(
        help: ArgumentHelp(
            "Fail when transient failures have let nothing through for this long: 30m, 2d (default: 7d).",
            valueName: "duration"))
    var giveUpAfter: String?

    @Option(help: ArgumentHelp("Start no sooner than this long from now: 90s, 15m, 2h.", valueName: "duration"))
    var beginAfter: String?

    @Option(help: ArgumentHelp("Start no sooner than this time: RFC 3339, or HH:MM (the next such moment).", valueName: "time"))
    var beginAt: String?

    @Flag(help: "Do not verify the server's TLS certificate.")
    var insecure = false

    @Flag(help: "Follow redirects from https to http or ftp.")
    var allowDowngrade = false

    @OptionGroup var policy: PolicyOptions

    /// `--give-up-after` at most ten years: any longer is "never", and dates past it overflow.
    static let longestGiveUp: Double = 3650 * 86400

    /// Checks every option and fills them into `draft`; throws a one-line message on bad input.
    /// `clock` says what "now" is for --begin-after and --begin-at.
    func apply(to draft: inout TaskDraft, clock: SchedulerClock) throws {
        switch (beginAfter, beginAt) {
        case (_?, _?): throw BgxferError.usage("--begin-after and --begin-at exclude each other")
        case (let after?, nil): draft.beginAt = clock.now.addingTimeInterval(try Quantity.seconds(after, what: "duration"))
        case (nil, let at?): draft.beginAt = try clock.beginning(at: at)
        case (nil, nil): break
        }
        if let begin = draft.beginAt, begin <= clock.now { draft.beginAt = nil }  // a time already past: start now
        if let session { draft.session = try SessionName.validate(session) }
        draft.requestHeaders += try headers.map(HeaderField.parse)
        if let limitRate { draft.limitRate = try Quantity.bytes(limitRate, what: "rate") }
        if let connectTimeout { draft.connectTimeout = try Quantity.seconds(connectTimeout, what: "connect timeout") }
        if let noProgressTimeout { draft.noProgressTimeout = try Quantity.seconds(noProgressTimeout, what: "no-progress timeout") }
        if let retries {
            guard TaskDraft.retriesRange.contains(retries) else {
                let range = TaskDraft.retriesRange
                throw BgxferError.usage(
                    "--retries must be between \(range.lowerBound) and \(range.upperBound) (attempts in all, the first included)")
            }
            draft.retries = retries
        }
        if let giveUpAfter {
            draft.giveUpAfter = try Quantity.seconds(giveUpAfter, what: "give-up time")
            if draft.giveUpAfter > Self.longestGiveUp {
                throw BgxferError.usage("--give-up-after '\(giveUpAfter)' is too long: at most \(Int(Self.longestGiveUp / 86400))d")
            }
        }
        if insecure { draft.insecure = true }
        if allowDowngrade { draft.allowDowngrade = true }
        let (metered, battery) = try policy.policies()
        if let metered { draft.metered = metered }
        if let battery { draft.battery = battery }
    }

    /// The options given, by name: what `resume` with task IDs (which takes none) names.
    var given: [String] {
        [
            (!headers.isEmpty, "-H"), (session != nil, "--session"), (limitRate != nil, "--limit-rate"),
            (connectTimeout != nil, "--connect-timeout"), (noProgressTimeout != nil, "--no-progress-timeout"),
            (retries != nil, "--retries"), (giveUpAfter != nil, "--give-up-after"), (beginAfter != nil, "--begin-after"),
            (beginAt != nil, "--begin-at"), (insecure, "--insecure"), (allowDowngrade, "--allow-downgrade"),
            (policy.metered != nil, "--metered"), (policy.battery != nil, "--battery"), (policy.discretionary, "--discretionary"),
        ].compactMap { $0.0 ? $0.1 : nil }
    }
}

/// `--metered`, `--battery`, `--discretionary` (README, "Network, cost and power"): what
/// download, upload, refresh add and session set take. Not given, a task takes its session's
/// (`session set`), else allow.
struct PolicyOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "On a metered network (NetworkManager): allow the transfer, or wait for an unmetered one.",
            valueName: "allow|wait"))
    var metered: ConditionPolicy?

    @Option(
        help: ArgumentHelp(
            "On battery power (UPower): allow the transfer, or wait for mains power.",
            valueName: "allow|wait"))
    var battery: ConditionPolicy?

    @Flag(help: "Transfer only when it costs nothing: --metered wait --battery wait.")
    var discretionary = false

    /// The policies asked for (nil: not given); throws when --discretionary meets an allow.
    func policies() throws -> (metered: ConditionPolicy?, battery: ConditionPolicy?) {
        guard discretionary else { return (metered, battery) }
        for (option, value) in [("--metered", metered), ("--battery", battery)] where value == .allow {
            throw BgxferError.usage("--discretionary waits on metered networks and on battery: it excludes \(option) allow")
        }
        return (.wait, .wait)
    }
}

extension ConditionPolicy: ExpressibleByArgument {}

/// `--notify` and the titles (README, "Notifications"): what download and resume take.
struct NotifyOptions: ParsableArguments {
    @Flag(help: "Show a desktop notification when the task ends.")
    var notify = false

    @Option(help: ArgumentHelp("The notification's title when the task completes (implies --notify).", valueName: "title"))
    var successTitle: String?

    @Option(help: ArgumentHelp("The notification's title when the task fails (implies --notify).", valueName: "title"))
    var failureTitle: String?

    /// The settings to store, or nil when no notification was asked for.
    func settings() throws -> NotifySettings? {
        for (option, title) in [("--success-title", successTitle), ("--failure-title", failureTitle)] {
            guard let title else { continue }
            if title.trimmingCharacters(in: .whitespaces).isEmpty {
                throw BgxferError.usage("\(option) must not be empty")
            }
            if !NotifySettings.isValidTitle(title) {
                throw BgxferError.usage("\(option) '\(title.escapedForMessage)' must be one line, without control characters")
            }
        }
        guard notify || successTitle != nil || failureTitle != nil else { return nil }
        return NotifySettings(success: successTitle, failure: failureTitle)
    }
}

/// One or more task IDs (or unique prefixes), completed from the store: what wait, suspend,
/// cancel and remove take.
struct TaskIDs: ParsableArguments {
    @Argument(help: "The tasks' IDs (or unique prefixes).", completion: TaskIDCompletion.kind)
    var ids: [String]

    func validate() throws {
        if ids.isEmpty { throw ValidationError("give at least one task ID") }
    }
}

/// Task ID arguments complete from the store.
enum TaskIDCompletion {
    static let kind = CompletionKind.custom { _, _, prefix in
        let paths = Paths()
        guard let store = try? Store.openExisting(paths), let ids = try? store.recentIDs() else { return [] }
        return ids.map(\.rawValue).filter { $0.hasPrefix(prefix) }
    }
}

/// Refresh task IDs complete from the store too.
enum RefreshIDCompletion {
    static let kind = CompletionKind.custom { _, _, prefix in
        guard let store = try? Store.openExisting(Paths()), let refreshes = try? store.refreshTasks() else { return [] }
        return refreshes.map(\.id.rawValue).filter { $0.hasPrefix(prefix) }
    }
}

extension TaskState: ExpressibleByArgument {}
