/// A task's short identifier: six characters from an alphabet without look-alikes, so it can be
/// read aloud and typed; any unique prefix names the task.
public struct TaskID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String

    /// Lowercase letters and digits without 0/o, 1/l/i: 31 symbols, 6 of them ≈ 887 million IDs.
    static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
    static let length = 6

    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static func random() -> TaskID {
        var generator = SystemRandomNumberGenerator()
        return TaskID(String((0..<length).map { _ in alphabet.randomElement(using: &generator)! }))
    }

    /// Whether `text` could be (a prefix of) an ID: used to reject junk before asking the store.
    public static func isPlausiblePrefix(_ text: String) -> Bool {
        !text.isEmpty && text.count <= length && text.allSatisfy { alphabet.contains($0) }
    }

    public var description: String { rawValue }

    public static func < (lhs: TaskID, rhs: TaskID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
