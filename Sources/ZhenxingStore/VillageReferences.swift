import SQLKit
import ZhenxingDomain

/// A kind of record a request may name by id inside its body (attendees, the household an issue concerns, …).
public enum VillageReference: Sendable, CaseIterable {
    /// A person who is or was a member of a household of the village.
    case person
    /// A household of the village.
    case household
    /// A registered helper of the village.
    case helper
    /// An issue of the village's ledger.
    case issue
    /// A meeting of the village.
    case meeting
    /// A grid of the village.
    case grid
    /// An item of the village's four lists.
    case listItem
    /// A nomination made in the village.
    case nomination

    /// The most ids one request may name in one field (a meeting's attendees, a project's beneficiaries): far above
    /// any village, and within what both engines bind in one statement.
    public static let most = 5_000

    /// The ids among `ids` that are records of this kind in `village`.
    func found(_ ids: [Int], in village: DivisionCode, sql: any SQLDatabase) async throws -> Set<Int> {
        let code = village.rawValue
        let query: SQLQueryString = switch self {
        case .person: """
            SELECT DISTINCT m.person_id AS id FROM memberships m JOIN households h ON h.id = m.household_id
            WHERE m.person_id IN (\(binds: ids)) AND h.village_code = \(bind: code)
            """
        case .household: "SELECT id FROM households WHERE id IN (\(binds: ids)) AND village_code = \(bind: code)"
        case .helper: "SELECT id FROM helpers WHERE id IN (\(binds: ids)) AND village_code = \(bind: code)"
        case .issue: "SELECT id FROM issues WHERE id IN (\(binds: ids)) AND village_code = \(bind: code)"
        case .meeting: "SELECT id FROM meetings WHERE id IN (\(binds: ids)) AND village_code = \(bind: code)"
        case .grid: "SELECT id FROM grids WHERE id IN (\(binds: ids)) AND village_code = \(bind: code)"
        case .listItem: "SELECT id FROM list_items WHERE id IN (\(binds: ids)) AND village_code = \(bind: code)"
        case .nomination: "SELECT id FROM nominations WHERE id IN (\(binds: ids)) AND village_code = \(bind: code)"
        }
        return Set(try await sql.raw(query).all(decodingColumn: "id", as: Int.self))
    }

    private var title: LocalizedText {
        switch self {
        case .person: LocalizedText(zh: "本村村民", en: "villager")
        case .household: LocalizedText(zh: "本村农户", en: "household of the village")
        case .helper: LocalizedText(zh: "本村帮扶责任人", en: "helper of the village")
        case .issue: LocalizedText(zh: "本村问题", en: "issue of the village")
        case .meeting: LocalizedText(zh: "本村会议", en: "meeting of the village")
        case .grid: LocalizedText(zh: "本村网格", en: "grid of the village")
        case .listItem: LocalizedText(zh: "本村清单事项", en: "list item of the village")
        case .nomination: LocalizedText(zh: "本村推荐", en: "nomination of the village")
        }
    }

    /// The problem with `ids` for `field` when any is not a record of this kind in `village`; nil when all are.
    /// Records of other villages and ids that exist nowhere get the same answer, which names only the ids sent,
    /// so the answer tells nothing of other villages.
    public func problem(_ ids: [Int], in village: DivisionCode, field: String, sql: any SQLDatabase) async throws -> FieldIssue? {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return nil }
        guard unique.count <= Self.most else {
            return FieldIssue(field: field, message: LocalizedText(
                zh: "一次最多 \(Self.most) 条，实际 \(unique.count) 条", en: "At most \(Self.most) at once; there are \(unique.count)"))
        }
        let missing = Set(unique).subtracting(try await found(unique, in: village, sql: sql)).sorted()
        guard !missing.isEmpty else { return nil }
        let shown = missing.prefix(10).map(String.init) + (missing.count > 10 ? ["…"] : [])
        return FieldIssue(field: field, message: LocalizedText(
            zh: "不是\(title.zh)：\(shown.joined(separator: "、"))", en: "Not a \(title.en): \(shown.joined(separator: ", "))"))
    }

    /// Throws the problem `problem(_:in:field:sql:)` finds.
    public func require(_ ids: [Int], in village: DivisionCode, field: String, sql: any SQLDatabase) async throws {
        if let problem = try await problem(ids, in: village, field: field, sql: sql) { throw ValidationFailure([problem]) }
    }
}
