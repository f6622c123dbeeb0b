import Foundation

/// One line of `wait --json` (README, "JSON"): `event`, `id`, `time`, and the event's fields.
public enum WaitEvent: Equatable {
    case headers(TaskID, status: Int?, headers: [String])
    case progress(TaskID, bytesTransferred: Int64, bytesExpected: Int64?, bytesPerSecond: Double?)
    /// `error`: why a waiting task waits, why a failed one failed (null otherwise).
    case state(TaskID, TaskState, error: TaskError?)
    case completed(TaskID, destination: String?, bytesTransferred: Int64)
    case failed(TaskID, TaskError)

    /// The events that tell how a task went from `previous` to `current` (nil: removed).
    /// With no previous observation, the current state is reported.
    public static func between(_ previous: TransferTask?, _ current: TransferTask?, id: TaskID) -> [WaitEvent] {
        guard let current else {
            return previous == nil ? [] : [.failed(id, TaskError(code: .unrecognized("removed"), message: "the task was removed"))]
        }
        var events: [WaitEvent] = []
        // A waiting task's reason may change while it waits (a retry's error, then no network).
        if previous?.state != current.state || (current.state == .waiting && previous?.error != current.error) {
            events.append(.state(id, current.state, error: current.state.isTerminal || current.state == .waiting ? current.error : nil))
        }
        if let headers = current.responseHeaders, headers != previous?.responseHeaders {
            events.append(.headers(id, status: current.httpStatus, headers: Redaction.headers(headers)))
        }
        if current.state == .running || previous?.state == .running,
            previous.map({ $0.bytesTransferred != current.bytesTransferred || $0.bytesExpected != current.bytesExpected })
                ?? (current.bytesTransferred > 0)
        {
            events.append(.progress(
                id, bytesTransferred: current.bytesTransferred, bytesExpected: current.bytesExpected,
                bytesPerSecond: current.bytesPerSecond))
        }
        if previous?.state != current.state {
            switch current.state {
            case .completed:
                events.append(.completed(id, destination: current.destination, bytesTransferred: current.bytesTransferred))
            case .failed:
                events.append(.failed(id, current.error ?? TaskError(code: .unrecognized("failed"), message: "failed")))
            default: break
            }
        }
        return events
    }
}

extension WaitEvent {
    /// The event as one JSON object: `event`, `id`, `time`, then the event's fields.
    public func json(at time: Date = Date()) -> JSONValue {
        let (name, id, fields): (String, TaskID, [(String, JSONValue)])
        switch self {
        case .headers(let task, let status, let headers):
            (name, id, fields) = ("headers", task, [("status", JSONValue(status)), ("headers", JSONValue(headers))])
        case .progress(let task, let transferred, let expected, let speed):
            (name, id, fields) = (
                "progress", task,
                [
                    ("bytesTransferred", .int(transferred)), ("bytesExpected", JSONValue(expected)),
                    ("bytesPerSecond", JSONValue(speed.map { $0.rounded() })),
                ]
            )
        case .state(let task, let state, let error):
            (name, id, fields) = ("state", task, [("state", .string(state.rawValue)), ("error", error.map(TaskJSON.value) ?? .null)])
        case .completed(let task, let destination, let transferred):
            (name, id, fields) = (
                "completed", task, [("destination", JSONValue(destination)), ("bytesTransferred", .int(transferred))]
            )
        case .failed(let task, let error):
            (name, id, fields) = ("failed", task, [("error", TaskJSON.value(error))])
        }
        return .object(
            [("event", .string(name)), ("id", .string(id.rawValue)), ("time", .string(Timestamp.string(time, fractional: true)))]
                + fields)
    }
}
