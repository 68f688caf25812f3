/// A page model as the templates read it, built in one pass per page by the model's own `Encodable` conformance (code the
/// compiler writes, no reflection): the renderer then answers every `{{key}}` with a dictionary lookup. A nil field is
/// left out, so a lookup climbs the stack past it.
enum TemplateTree {
    /// The tree of `value`; nil when it encodes nothing (a nil optional).
    static func of<Value: Encodable>(_ value: Value) throws -> TemplateValue? {
        let encoder = TreeEncoder()
        try value.encode(to: encoder)
        return encoder.tree
    }
}

private final class Fields { var values: [String: TemplateValue] = [:] }
private final class Items { var values: [TemplateValue] = [] }

private final class TreeEncoder: Encoder {
    enum Storage { case nothing, value(TemplateValue), fields(Fields), items(Items) }
    var storage = Storage.nothing
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    var tree: TemplateValue? {
        switch storage {
        case .nothing: nil
        case .value(let value): value
        case .fields(let fields): .object(fields.values)
        case .items(let items): .list(items.values)
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .fields(let fields) = storage { return KeyedEncodingContainer(FieldContainer(fields: fields)) }
        let fields = Fields()
        storage = .fields(fields)
        return KeyedEncodingContainer(FieldContainer(fields: fields))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .items(let items) = storage { return ItemContainer(items: items) }
        let items = Items()
        storage = .items(items)
        return ItemContainer(items: items)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { ValueContainer(encoder: self) }

    static let customEncoding = "a page model encodes each field as a value (the conformance the compiler writes)"
}

private struct FieldContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let fields: Fields
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) {}
    mutating func encode(_ value: String, forKey key: Key) { fields.values[key.stringValue] = .text(value) }
    mutating func encode(_ value: Bool, forKey key: Key) { fields.values[key.stringValue] = .flag(value) }
    mutating func encode(_ value: Int, forKey key: Key) { fields.values[key.stringValue] = .number(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if let tree = try TemplateTree.of(value) { fields.values[key.stringValue] = tree }
    }
    // Page models use the conformances the compiler writes, which encode each field as a value; the page tests render
    // every page, so a model that does otherwise fails there.
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        preconditionFailure(TreeEncoder.customEncoding)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { preconditionFailure(TreeEncoder.customEncoding) }
    mutating func superEncoder() -> any Encoder { preconditionFailure(TreeEncoder.customEncoding) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { preconditionFailure(TreeEncoder.customEncoding) }
}

private struct ItemContainer: UnkeyedEncodingContainer {
    let items: Items
    var codingPath: [any CodingKey] { [] }
    var count: Int { items.values.count }

    mutating func encodeNil() {}
    mutating func encode(_ value: String) { items.values.append(.text(value)) }
    mutating func encode(_ value: Bool) { items.values.append(.flag(value)) }
    mutating func encode(_ value: Int) { items.values.append(.number(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        if let tree = try TemplateTree.of(value) { items.values.append(tree) }
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        preconditionFailure(TreeEncoder.customEncoding)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { preconditionFailure(TreeEncoder.customEncoding) }
    mutating func superEncoder() -> any Encoder { preconditionFailure(TreeEncoder.customEncoding) }
}

/// A leaf: strings, numbers and flags as they are; other numbers as their text.
private struct ValueContainer: SingleValueEncodingContainer {
    let encoder: TreeEncoder
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() {}
    mutating func encode(_ value: String) { encoder.storage = .value(.text(value)) }
    mutating func encode(_ value: Bool) { encoder.storage = .value(.flag(value)) }
    mutating func encode(_ value: Int) { encoder.storage = .value(.number(value)) }
    mutating func encode(_ value: Double) { encoder.storage = .value(.text(String(describing: value))) }
    mutating func encode(_ value: Float) { encoder.storage = .value(.text(String(describing: value))) }
    mutating func encode(_ value: Int8) { encoder.storage = .value(.text(String(value))) }
    mutating func encode(_ value: Int16) { encoder.storage = .value(.text(String(value))) }
    mutating func encode(_ value: Int32) { encoder.storage = .value(.text(String(value))) }
    mutating func encode(_ value: Int64) { encoder.storage = .value(.text(String(value))) }
    mutating func encode(_ value: UInt) { encoder.storage = .value(.text(String(value))) }
    mutating func encode(_ value: UInt8) { encoder.storage = .value(.text(String(value))) }
    mutating func encode(_ value: UInt16) { encoder.storage = .value(.text(String(value))) }
    mutating func encode(_ value: UInt32) { encoder.storage = .value(.text(String(value))) }
    mutating func encode(_ value: UInt64) { encoder.storage = .value(.text(String(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws { try value.encode(to: encoder) }
}
