import ProxyCore

extension WireJSON {
    /// How an upstream lays out JSON text.
    struct Style {
        /// Python's `json.dumps` default: `", "` between items and `": "` after keys.
        var spacedSeparators: Bool
        /// Go's `encoding/json` sorts map keys; Perplexity's Agent API events come out sorted.
        var sortsKeys: Bool
        /// Go's encoder escapes `<`, `>`, `&`, U+2028 and U+2029 inside strings (`\u0026`, as in live captures).
        var escapesHTML: Bool

        /// Sonar chat completions, 2026 era: compact, fields in the server's fixed order.
        static let sonar = Style(spacedSeparators: false, sortsKeys: false, escapesHTML: false)
        /// Sonar chat completions, 2024–2025 era: Python separators.
        static let sonarPython = Style(spacedSeparators: true, sortsKeys: false, escapesHTML: false)
        /// Agent API events and bodies built from Go maps: sorted keys.
        static let goMap = Style(spacedSeparators: false, sortsKeys: true, escapesHTML: true)
        /// Agent API bodies built from Go structs (the error envelope): declaration order.
        static let goStruct = Style(spacedSeparators: false, sortsKeys: false, escapesHTML: true)
    }

    /// The JSON text in `style`.
    func encoded(_ style: Style) -> [UInt8] {
        var out: [UInt8] = []
        append(to: &out, style: style)
        return out
    }

    /// Appends the JSON text in `style`.
    func append(to out: inout [UInt8], style: Style) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let lexeme): out.append(contentsOf: lexeme.utf8)
        case .string(let value): Self.appendString(value, to: &out, style: style)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { Self.appendItemSeparator(to: &out, style: style) }
                element.append(to: &out, style: style)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            let ordered = style.sortsKeys ? members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : members
            out.append(UInt8(ascii: "{"))
            for (position, member) in ordered.enumerated() {
                if position > 0 { Self.appendItemSeparator(to: &out, style: style) }
                Self.appendString(member.key, to: &out, style: style)
                out.append(UInt8(ascii: ":"))
                if style.spacedSeparators { out.append(UInt8(ascii: " ")) }
                member.value.append(to: &out, style: style)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func appendItemSeparator(to out: inout [UInt8], style: Style) {
        out.append(UInt8(ascii: ","))
        if style.spacedSeparators { out.append(UInt8(ascii: " ")) }
    }

    private static func appendString(_ value: String, to out: inout [UInt8], style: Style) {
        guard style.escapesHTML else {
            JSONEscaping.appendQuoted(value, to: &out)
            return
        }
        out.append(UInt8(ascii: "\""))
        var run = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                JSONEscaping.appendEscaped(run.utf8, to: &out)
                run = ""
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default:
                run.unicodeScalars.append(scalar)
            }
        }
        JSONEscaping.appendEscaped(run.utf8, to: &out)
        out.append(UInt8(ascii: "\""))
    }
}
