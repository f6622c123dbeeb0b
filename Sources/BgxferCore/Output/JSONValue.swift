import Foundation

/// A JSON document that keeps its keys in the order they were written.
///
/// Foundation's `JSONEncoder` on Linux orders keys arbitrarily (or alphabetically); bgxfer's
/// objects are read by people too, so they print in the order the README's "JSON" lists them, with
/// `event` first in `wait --json` lines.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.rendered() == rhs.rendered()
    }

    /// Compact (one line) or indented by two spaces.
    public func rendered(pretty: Bool = false) -> String {
        var output = ""
        write(to: &output, pretty: pretty, depth: 0)
        return output
    }

    private func write(to output: inout String, pretty: Bool, depth: Int) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .double(let value):
            if !value.isFinite {
                output += "null"
            } else if value == value.rounded(), abs(value) < 1e15 {
                output += String(Int64(value))
            } else {
                output += "\(value)"
            }
        case .string(let value): Self.writeString(value, to: &output)
        case .array(let elements):
            writeContainer(
                elements, open: "[", close: "]", to: &output, pretty: pretty, depth: depth
            ) { element, output in element.write(to: &output, pretty: pretty, depth: depth + 1) }
        case .object(let members):
            writeContainer(
                members, open: "{", close: "}", to: &output, pretty: pretty, depth: depth
            ) { member, output in
                Self.writeString(member.0, to: &output)
                output += pretty ? ": " : ":"
                member.1.write(to: &output, pretty: pretty, depth: depth + 1)
            }
        }
    }

    private func writeContainer<Element>(
        _ elements: [Element], open: String, close: String, to output: inout String, pretty: Bool, depth: Int,
        writeElement: (Element, inout String) -> Void
    ) {
        output += open
        guard !elements.isEmpty else { return output += close }
        let indent = pretty ? "\n" + String(repeating: "  ", count: depth + 1) : ""
        for (index, element) in elements.enumerated() {
            if index > 0 { output += "," }
            output += indent
            writeElement(element, &output)
        }
        output += pretty ? "\n" + String(repeating: "  ", count: depth) + close : close
    }

    /// RFC 8259 §7: quotes, backslashes and control characters escaped; everything else as is.
    private static func writeString(_ value: String, to output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}

extension JSONValue {
    public init(_ value: String?) { self = value.map(JSONValue.string) ?? .null }
    public init(_ value: Int64?) { self = value.map(JSONValue.int) ?? .null }
    public init(_ value: Int?) { self = value.map { .int(Int64($0)) } ?? .null }
    public init(_ value: Int32?) { self = value.map { .int(Int64($0)) } ?? .null }
    public init(_ value: Double?) { self = value.map(JSONValue.double) ?? .null }
    public init(_ values: [String]?) { self = values.map { .array($0.map(JSONValue.string)) } ?? .null }
}
