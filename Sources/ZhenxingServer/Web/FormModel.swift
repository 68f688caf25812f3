import ZhenxingDomain

/// A form as the generic `form` template draws it: every field with its value, choices and error.
struct FormModel {
    /// One field.
    struct Field {
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
    }

    /// One choice of a select or checkbox group.
    struct Option { let value: String; let label: String; let selected: Bool }

    /// A field where the saved record and the user's entry differ (edit conflicts).
    struct Difference { let label: String; let saved: String; let yours: String }

    let heading: String
    let action: String
    let cancelHref: String
    let version: Int?
    let fields: [Field]
    let hasErrors: Bool
    let conflict: [Difference]
    let hasConflict: Bool

    enum Kind { case text, date, select([(String, String)]), checks([(String, String)]) }

    /// Builds a field; `issues` are matched by field name, `values` holds every value posted under the name.
    static func field(
        _ name: String, _ label: String, _ kind: Kind, values: [String], hint: String? = nil, issues: [FieldIssue], language: Language
    ) -> Field {
        let messages = issues.filter { $0.field == name }.map { $0.message.text(language) }
        var options: [Option] = []
        switch kind {
        case .select(let choices), .checks(let choices):
            options = choices.map { Option(value: $0.0, label: $0.1, selected: values.contains($0.0)) }
        case .text, .date:
            break
        }
        let isSelect: Bool, isChecks: Bool
        switch kind {
        case .select: (isSelect, isChecks) = (true, false)
        case .checks: (isSelect, isChecks) = (false, true)
        default: (isSelect, isChecks) = (false, false)
        }
        var isDate = false
        if case .date = kind { isDate = true }
        return Field(
            name: name, label: label, value: values.first ?? "", hint: hint,
            error: messages.isEmpty ? nil : messages.joined(separator: "；"), options: options,
            isText: !isSelect && !isChecks && !isDate, isDate: isDate, isSelect: isSelect, isChecks: isChecks)
    }
}
