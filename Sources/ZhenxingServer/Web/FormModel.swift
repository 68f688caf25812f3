import ZhenxingDomain

/// A form as the generic `form` template draws it: every field with its value, choices and error.
struct FormModel: Encodable {
    /// One field.
    struct Field: Encodable {
        let name: String
        let label: String
        let value: String
        let hint: String?
        let error: String?
        let options: [Option]
        let isText: Bool
        let isDate: Bool
        let isSelect: Bool
        let isChecks: Bool
        let isTextarea: Bool
        let rows: Int
    }

    /// One choice of a select or checkbox group.
    struct Option: Encodable { let value: String; let label: String; let selected: Bool }

    /// A field where the saved record and the user's entry differ (edit conflicts).
    struct Difference: Encodable { let label: String; let saved: String; let yours: String }

    let heading: String
    let action: String
    let cancelHref: String
    let version: Int?
    let fields: [Field]
    let hasErrors: Bool
    let conflict: [Difference]
    let hasConflict: Bool
    /// Forms that field work records on a phone without a network are marked with what they record (app.js keeps them until it is back).
    var offline: String? = nil

    /// `suggested` is free text with a list to pick from as one types (a `<datalist>`: value, label).
    enum Kind { case text, suggested([(String, String)]), date, textarea(rows: Int), select([(String, String)]), checks([(String, String)]) }

    /// The fields whose saved value differs from the one shown, for an edit conflict.
    static func differences(saved: [Field], shown: [Field]) -> [Difference] {
        func text(_ field: Field) -> String {
            field.isSelect || field.isChecks ? field.options.filter(\.selected).map(\.label).joined(separator: "、") : field.value
        }
        return zip(saved, shown).filter { text($0) != text($1) }.map { Difference(label: $1.label, saved: text($0), yours: text($1)) }
    }

    /// Builds a field holding one value (or none).
    static func field(
        _ name: String, _ label: String, _ kind: Kind, value: String?, hint: String? = nil, issues: [FieldIssue], language: Language
    ) -> Field {
        field(name, label, kind, values: [value ?? ""], hint: hint, issues: issues, language: language)
    }

    /// Builds a field; `issues` are matched by field name, `values` holds every value posted under the name.
    static func field(
        _ name: String, _ label: String, _ kind: Kind, values: [String], hint: String? = nil, issues: [FieldIssue], language: Language
    ) -> Field {
        let messages = issues.filter { $0.field == name }.map { $0.message.text(language) }
        var options: [Option] = []
        var (isText, isDate, isSelect, isChecks, rows) = (false, false, false, false, 0)
        switch kind {
        case .text: isText = true
        case .suggested(let choices):
            isText = true
            options = choices.map { Option(value: $0.0, label: $0.1, selected: false) }
        case .date: isDate = true
        case .textarea(let count): rows = count
        case .select(let choices), .checks(let choices):
            options = choices.map { Option(value: $0.0, label: $0.1, selected: values.contains($0.0)) }
            if case .select = kind { isSelect = true } else { isChecks = true }
        }
        return Field(
            name: name, label: label, value: values.first ?? "", hint: hint,
            error: messages.isEmpty ? nil : messages.joined(separator: "；"), options: options,
            isText: isText, isDate: isDate, isSelect: isSelect, isChecks: isChecks, isTextarea: rows > 0, rows: rows)
    }
}
