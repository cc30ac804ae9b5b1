/// Finds a few fields in one JSON document without building a tree or allocating: the hot path's reader for
/// upstream stream events.
///
/// A scanner borrows a buffer, so use it only inside `withUnsafeBytes`:
/// ```swift
/// event.data.withUnsafeBytes { raw in
///     let json = JSONScanner(raw)
///     let delta = json.member("delta", of: json.element(0, of: json.member("choices", of: json.root())))
///     let text = json.string(json.member("content", of: delta))
/// }
/// ```
/// Lookups take an optional span and return nil for nil, so a path reads as one nested expression.
/// Every lookup validates what it walks with the same grammar as `JSONValue.parse` (iteratively, with the
/// same depth limit), and answers nil on malformed input instead of trapping.
public struct JSONScanner {
    /// The buffer being read.
    public let bytes: UnsafeRawBufferPointer

    /// Wraps a buffer holding one JSON document.
    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The top-level value, or nil unless the buffer is exactly one well-formed JSON value plus whitespace.
    public func root() -> JSONSpan? {
        let start = skipWhitespace(from: 0)
        guard let value = span(at: start), skipWhitespace(from: value.range.upperBound) == bytes.count else {
            return nil
        }
        return value
    }

    /// The value of member `key` of `object`, or nil if `object` is nil, not an object, or has no such key.
    ///
    /// Keys are compared after decoding escapes; with duplicate keys the last one wins, as in `JSONValue`.
    public func member(_ key: StaticString, of object: JSONSpan?) -> JSONSpan? {
        guard let object else { return nil }
        var found: JSONSpan?
        let wellFormed = forEachMember(of: object) { name, value in
            if stringEquals(name, key) { found = value }
            return true
        }
        return wellFormed ? found : nil
    }

    /// The values of members `keys` of `object`, in the order of `keys`, found in one pass (where `member(_:of:)`
    /// per key would walk the object once each); nil if `object` is nil or not a well-formed object.
    ///
    /// Same rules as `member(_:of:)`: keys compared after decoding escapes, the last of duplicates wins.
    public func members(_ keys: [StaticString], of object: JSONSpan?) -> [JSONSpan?]? {
        guard let object else { return nil }
        var found = [JSONSpan?](repeating: nil, count: keys.count)
        let wellFormed = forEachMember(of: object) { name, value in
            if let slot = keys.firstIndex(where: { stringEquals(name, $0) }) { found[slot] = value }
            return true
        }
        return wellFormed ? found : nil
    }

    /// Element `index` of `array`, or nil if `array` is nil, not an array, or too short.
    public func element(_ index: Int, of array: JSONSpan?) -> JSONSpan? {
        guard let array, index >= 0 else { return nil }
        var position = 0
        var found: JSONSpan?
        let wellFormed = forEachElement(of: array) { value in
            if position == index {
                found = value
                return false
            }
            position += 1
            return true
        }
        return wellFormed ? found : nil
    }

    /// Calls `body` with each member's key (a string span) and value, in document order, until it returns false.
    ///
    /// Returns false if `object` is not a well-formed object of this buffer; stopping early is not a failure.
    public func forEachMember(of object: JSONSpan, _ body: (_ key: JSONSpan, _ value: JSONSpan) -> Bool) -> Bool {
        guard object.kind == .object, owns(object) else { return false }
        let last = object.range.upperBound - 1
        var index = skipWhitespace(from: object.range.lowerBound + 1)
        if index == last { return true }
        while true {
            guard index < last, bytes[index] == UInt8(ascii: "\""), let key = span(at: index) else { return false }
            index = skipWhitespace(from: key.range.upperBound)
            guard index < last, bytes[index] == UInt8(ascii: ":") else { return false }
            index = skipWhitespace(from: index + 1)
            guard index < last, let value = span(at: index), value.range.upperBound <= last else { return false }
            guard body(key, value) else { return true }
            index = skipWhitespace(from: value.range.upperBound)
            guard index < last, bytes[index] == UInt8(ascii: ",") else { return index == last }
            index = skipWhitespace(from: index + 1)
        }
    }

    /// Calls `body` with each element of `array`, in order, until it returns false.
    ///
    /// Returns false if `array` is not a well-formed array of this buffer; stopping early is not a failure.
    public func forEachElement(of array: JSONSpan, _ body: (JSONSpan) -> Bool) -> Bool {
        guard array.kind == .array, owns(array) else { return false }
        let last = array.range.upperBound - 1
        var index = skipWhitespace(from: array.range.lowerBound + 1)
        if index == last { return true }
        while true {
            guard index < last, let value = span(at: index), value.range.upperBound <= last else { return false }
            guard body(value) else { return true }
            index = skipWhitespace(from: value.range.upperBound)
            guard index < last, bytes[index] == UInt8(ascii: ",") else { return index == last }
            index = skipWhitespace(from: index + 1)
        }
    }

    /// The exact bytes of `span` (a string's include its quotes and escapes), e.g. to copy a value verbatim.
    public func rawBytes(_ span: JSONSpan) -> UnsafeRawBufferPointer {
        precondition(owns(span), "span does not belong to this scanner's buffer")
        return UnsafeRawBufferPointer(rebasing: bytes[span.range])
    }

    /// Whether `span` lies inside this scanner's buffer (a span from another buffer would be meaningless here).
    func owns(_ span: JSONSpan) -> Bool {
        span.range.lowerBound >= 0 && span.range.upperBound <= bytes.count && span.range.count >= 1
    }

    func skipWhitespace(from start: Int) -> Int {
        var index = start
        while index < bytes.count, JSONSyntax.isWhitespace(bytes[index]) { index += 1 }
        return index
    }
}
