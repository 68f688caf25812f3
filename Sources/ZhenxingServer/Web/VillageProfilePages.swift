import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// The village profile: view, edit form with field-level errors, and the edit-conflict page.
struct VillageProfilePages: Sendable {
    let divisions: DivisionRepository
    let profiles: VillageProfileRepository
    let renderer: PageRenderer

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/villages/:code/profile", .pathDivision(.readRecords), use: show)
        routes.add(.get, "/villages/:code/profile/edit", .pathDivision(.writeVillage), use: edit)
        routes.add(.post, "/villages/:code/profile", .pathDivision(.writeVillage), use: save)
    }

    // MARK: View

    struct Fact: Encodable { let label: String; let value: String; let unit: String }
    struct HonourRow: Encodable { let year: String; let title: String }
    struct GroupRow: Encodable { let number: Int; let name: String }

    struct ShowBody: Encodable {
        let heading: String
        let facts: [Fact]
        let designations: [String]
        let honours: [HonourRow]
        let groups: [GroupRow]
        let groupsHeading: String
        let naturalVillages: [String]
        let naturalVillagesHeading: String
        let isEmpty: Bool
        let editHref: String?
        let saved: Bool
        let version: Int
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let stored = try await load(context)
        let profile = stored.profile
        let body = ShowBody(
            heading: "\(stored.village.name) · \(Strings.text("village_profile", language))",
            facts: [
                Fact(label: Strings.text("area", language), value: FixedPoint.format(profile.areaSquareMetres, scale: 6),
                     unit: Strings.text("area_unit", language)),
                Fact(label: Strings.text("farmland", language), value: FixedPoint.format(profile.farmlandMuHundredths, scale: 2),
                     unit: Strings.text("mu", language)),
                Fact(label: Strings.text("mountain_land", language),
                     value: FixedPoint.format(profile.mountainLandMuHundredths, scale: 2), unit: Strings.text("mu", language)),
            ],
            designations: profile.designations,
            honours: profile.honours.map { HonourRow(year: String($0.year), title: $0.title) },
            groups: profile.groups.map { GroupRow(number: $0.number, name: $0.name) },
            groupsHeading: Self.counted("groups", profile.groups.count, language),
            naturalVillages: profile.naturalVillages,
            naturalVillagesHeading: Self.counted("natural_villages", profile.naturalVillages.count, language),
            isEmpty: stored.version == 0,
            editHref: context.identity?.can(.writeVillage, in: stored.village.code) == true
                ? "/villages/\(stored.village.code)/profile/edit" : nil,
            saved: request.uri.queryParameters["saved"] != nil, version: stored.version)
        return try renderer.page(
            "village-profile", title: body.heading, crumbs: try await crumbs(stored.village, context),
            body: body, request: request, context: context)
    }

    // MARK: Edit

    /// The form's fields as posted: the text a user typed, kept to show again.
    struct FormInput: Decodable, Equatable {
        var version: Int?
        var area: String
        var farmland: String
        var mountainLand: String
        var designations: String
        var honours: String
        var groups: String
        var naturalVillages: String

        init(_ profile: VillageProfile, version: Int) {
            self.version = version
            area = FixedPoint.format(profile.areaSquareMetres, scale: 6, grouped: false)
            farmland = FixedPoint.format(profile.farmlandMuHundredths, scale: 2, grouped: false)
            mountainLand = FixedPoint.format(profile.mountainLandMuHundredths, scale: 2, grouped: false)
            designations = profile.designations.joined(separator: "\n")
            honours = profile.honours.map { "\($0.year) \($0.title)" }.joined(separator: "\n")
            groups = profile.groups.map { "\($0.number) \($0.name)" }.joined(separator: "\n")
            naturalVillages = profile.naturalVillages.joined(separator: "\n")
        }

        /// The profile the text describes, or every problem, keyed by form field.
        func parse() -> Result<VillageProfile, ValidationFailure> {
            var issues: [FieldIssue] = []
            func number(_ text: String, _ field: String, scale: Int) -> Int {
                guard let value = FixedPoint.parse(text.isEmpty ? "0" : text, scale: scale) else {
                    issues.append(FieldIssue(field: field, message: LocalizedText(
                        zh: "请填写数字，最多 \(scale) 位小数", en: "Enter a number with at most \(scale) decimals")))
                    return 0
                }
                return value
            }
            func pairs(_ text: String, _ field: String) -> [(Int, String)] {
                Self.lines(text).enumerated().compactMap { index, line in
                    let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
                    guard parts.count == 2, let value = Int(parts[0]) else {
                        issues.append(FieldIssue(field: field, message: LocalizedText(
                            zh: "第 \(index + 1) 行应为“数字 空格 名称”", en: "Line \(index + 1) should be \"number, space, name\"")))
                        return nil
                    }
                    return (value, String(parts[1]))
                }
            }
            let profile = VillageProfile(
                areaSquareMetres: number(area, "area", scale: 6),
                farmlandMuHundredths: number(farmland, "farmland", scale: 2),
                mountainLandMuHundredths: number(mountainLand, "mountainLand", scale: 2),
                designations: Self.lines(designations),
                honours: pairs(honours, "honours").map { VillageHonour(year: $0.0, title: $0.1) },
                groups: pairs(groups, "groups").map { VillageGroup(number: $0.0, name: $0.1) },
                naturalVillages: Self.lines(naturalVillages))
            guard issues.isEmpty else { return .failure(ValidationFailure(issues)) }
            do {
                return .success(try profile.validated())
            } catch {
                return .failure(ValidationFailure(error.issues.map(Self.formIssue)))
            }
        }

        private static func lines(_ text: String) -> [String] {
            text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        /// Maps a domain field (`honours[2].year`) to its form field, naming the line.
        private static func formIssue(_ issue: FieldIssue) -> FieldIssue {
            let names = ["areaSquareMetres": "area", "farmlandMuHundredths": "farmland", "mountainLandMuHundredths": "mountainLand"]
            guard let bracket = issue.field.firstIndex(of: "["),
                  let close = issue.field.firstIndex(of: "]"),
                  let index = Int(issue.field[issue.field.index(after: bracket)..<close]) else {
                return FieldIssue(field: names[issue.field] ?? issue.field, message: issue.message)
            }
            return FieldIssue(field: String(issue.field[..<bracket]), message: LocalizedText(
                zh: "第 \(index + 1) 行：\(issue.message.zh)", en: "Line \(index + 1): \(issue.message.en)"))
        }
    }

    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let stored = try await load(context)
        return try await form(FormInput(stored.profile, version: stored.version), stored: stored, issues: [],
                              conflictWith: nil, request: request, context: context)
    }

    @Sendable func save(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try DivisionPages.code(context)
        let input = try await request.decode(as: FormInput.self, context: context)
        let stored = try await load(context)
        switch input.parse() {
        case .failure(let failure):
            return try await form(input, stored: stored, issues: failure.issues, conflictWith: nil,
                                  request: request, context: context, status: .badRequest)
        case .success(let profile):
            do {
                _ = try await profiles.update(code, to: profile, expectedVersion: input.version ?? 0, by: context.actor)
            } catch StoreError.staleVersion {
                let current = try await load(context)
                var kept = input
                kept.version = current.version
                return try await form(kept, stored: current, issues: [], conflictWith: current,
                                      request: request, context: context, status: .conflict)
            }
            return Response(status: .seeOther, headers: [.location: "/villages/\(code)/profile?saved=1"])
        }
    }

    private func form(
        _ input: FormInput, stored: StoredVillageProfile, issues: [FieldIssue], conflictWith current: StoredVillageProfile?,
        request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let language = context.language
        func fields(_ input: FormInput) -> [FormModel.Field] {
            [
                ("area", "area", input.area, "hint_area", 0), ("farmland", "farmland", input.farmland, "hint_mu", 0),
                ("mountainLand", "mountain_land", input.mountainLand, "hint_mu", 0),
                ("designations", "designations", input.designations, "hint_designations", 3),
                ("honours", "honours", input.honours, "hint_honours", 5), ("groups", "groups", input.groups, "hint_groups", 10),
                ("naturalVillages", "natural_villages", input.naturalVillages, "hint_natural_villages", 10),
            ].map { name, label, value, hint, rows in
                FormModel.field(name, Strings.text(label, language), rows > 0 ? .textarea(rows: rows) : .text, values: [value],
                                hint: Strings.text(hint, language), issues: issues, language: language)
            }
        }
        let shown = fields(input)
        let village = stored.village
        let model = FormModel(
            heading: "\(village.name) · \(Strings.text("edit_profile", language))",
            action: "/villages/\(village.code)/profile", cancelHref: "/villages/\(village.code)/profile",
            version: input.version, fields: shown, hasErrors: !issues.isEmpty,
            conflict: current.map { FormModel.differences(saved: fields(FormInput($0.profile, version: $0.version)), shown: shown) } ?? [],
            hasConflict: current != nil)
        var trail = try await crumbs(village, context)
        trail[trail.count - 1] = Crumb(name: Strings.text("village_profile", language), href: model.cancelHref)
        trail.append(Crumb(name: Strings.text("edit", language), href: nil))
        return try renderer.page("form", title: model.heading, crumbs: trail, body: model,
                                 request: request, context: context, status: status)
    }

    // MARK: Shared

    private func load(_ context: AppRequestContext) async throws -> StoredVillageProfile {
        let code = try DivisionPages.code(context)
        do {
            return try await profiles.get(code)
        } catch StoreError.notFound {
            throw AppError.notFound(LocalizedText(zh: "村 \(code) 不存在", en: "Village \(code) does not exist"))
        }
    }

    private func crumbs(_ village: Division, _ context: AppRequestContext) async throws -> [Crumb] {
        DivisionPages.crumbs(try await divisions.chain(village.code), context: context, linkLast: true)
            + [Crumb(name: Strings.text("village_profile", context.language), href: nil)]
    }

    private static func counted(_ key: String, _ count: Int, _ language: Language) -> String {
        language == .chinese ? "\(Strings.text(key, language))（\(count) 个）" : "\(Strings.text(key, language)) (\(count))"
    }
}
