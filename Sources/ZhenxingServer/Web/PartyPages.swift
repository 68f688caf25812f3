import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// The party organisation of a village: members counted at any date (villagers and the members of the stationed
/// teams and partner organisations in a joint committee), specialised branches with their members and households.
struct PartyPages: Sendable {
    let party: PartyRepository
    let registry: RegistryRepository
    let divisions: DivisionRepository
    let renderer: PageRenderer
    let settings: AppSettings

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/divisions/:code/party", .pathDivision(.readRecords), use: overview)
        routes.add(.post, "/divisions/:code/party/members", .pathDivision(.writeVillage), use: addMember)
        routes.add(.post, "/divisions/:code/party/branches", .pathDivision(.writeVillage), use: createBranch)
        routes.add(.post, "/divisions/:code/party/members/:member/end", .pathDivision(.writeVillage), use: endMember)
        routes.add(.post, "/divisions/:code/party/members/:member/restore", .pathDivision(.writeVillage), use: restoreMember)
        routes.add(.get, "/branches/:id", .record(.readRecords, .branch), use: branch)
        routes.add(.post, "/branches/:id/members", .record(.writeVillage, .branch), use: addBranchMember)
        routes.add(.post, "/branches/:id/households", .record(.writeVillage, .branch), use: assignHouseholds)
        routes.add(.post, "/households/:id/branch", .record(.writeRecords, .household), use: chooseBranch)
    }

    struct MemberLine: Sendable, Encodable {
        let name: String
        let personHref: String?
        let organisation: String
        let joined: String
        let left: String?
        let branches: String
        let endAction: String?
    }

    struct BranchLine: Sendable, Encodable {
        let href: String
        let name: String
        let kind: String
        let formed: String
        let secretary: String
        let members: Int
        let households: Int
    }

    struct OverviewBody: Sendable, Encodable {
        let heading: String
        let on: String
        let countText: String
        let byOrganisation: [FormModel.Option]
        let members: [MemberLine]
        let branches: [BranchLine]
        let memberAction: String?
        let branchAction: String?
        let villagers: [FormModel.Option]
        let kinds: [FormModel.Option]
        let today: String
        let error: String?
        let undo: UndoNotice?
    }

    @Sendable func overview(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await overviewPage(error: nil, request: request, context: context)
    }

    private func overviewPage(error: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let asked = request.uri.queryParameters.get("on") ?? ""
        let on = Day.isValid(asked) ? asked : settings.today
        let canWrite = DivisionPages.canWriteVillage(code, context)
        let members = try await party.members(in: code, on: on)
        // `?left=` names the member the last step took off the roll.
        var undo: UndoNotice?
        if let member = request.query("left").flatMap(Int.init), let left = try await party.leftMember(member, village: code) {
            undo = UndoNotice(text: LocalizedText(zh: "\(left.name)已于 \(left.leftOn) 转出。", en: "\(left.name) left on \(left.leftOn).").text(language),
                              undoAction: canWrite ? "/divisions/\(code)/party/members/\(member)/restore" : nil)
        }
        let registered = Set(members.compactMap(\.personId))
        let villagers = canWrite
            ? try await registry.partyMembers(in: code, asOf: settings.today).filter { !registered.contains($0.id) }
                .map { FormModel.Option(value: String($0.id), label: $0.name, selected: false) }
            : []
        let body = OverviewBody(
            heading: "\(chain.last?.name ?? "") · \(Strings.text("party", language))", on: on,
            countText: LocalizedText(zh: "\(on) 党员 \(members.count) 名", en: "\(members.count) party members on \(on)").text(language),
            byOrganisation: members.byOrganisation.map { FormModel.Option(value: String($0.members), label: $0.organisation, selected: false) },
            members: members.map { member in
                MemberLine(name: member.name, personHref: member.personId.map { "/people/\($0)" }, organisation: member.organisation,
                           joined: member.joinedOn, left: member.leftOn, branches: member.branches ?? "—",
                           endAction: canWrite && member.leftOn == nil ? "/divisions/\(code)/party/members/\(member.id)/end" : nil)
            },
            branches: try await party.branches(in: code, on: on).map { line($0, language) },
            memberAction: canWrite ? "/divisions/\(code)/party/members" : nil, branchAction: canWrite ? "/divisions/\(code)/party/branches" : nil,
            villagers: villagers,
            kinds: BranchKind.allCases.map { FormModel.Option(value: $0.rawValue, label: $0.title.text(language), selected: false) },
            today: settings.today, error: error, undo: undo)
        return try renderer.page("party", title: body.heading,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true) + [Crumb(name: Strings.text("party", language), href: nil)],
                                 body: body, request: request, context: context, status: status)
    }

    struct MemberInput: Decodable {
        var person: String?
        var name: String?
        var organisation: String?
        var joined: String?
    }

    @Sendable func addMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try DivisionPages.code(context)
        guard code.level == .village else { throw AppError.notFound(LocalizedText(zh: "党员登记在村里", en: "Party members are registered in a village")) }
        let input = try await request.decode(as: MemberInput.self, context: context)
        let draft = PartyMemberDraft(personID: input.person.flatMap { Int($0) }, name: input.name ?? "", organisation: input.organisation ?? "",
                                     joined: (input.joined ?? "").trimmingCharacters(in: .whitespaces))
        return try await DivisionPages.change(redirect: { "/divisions/\(code)/party" }, context: context, {
            _ = try await party.addMember(draft, village: code, by: context.actor)
        }, again: again(request, context))
    }

    struct BranchInput: Decodable {
        var name: String?
        var kind: String?
        var formed: String?
        var secretary: String?
    }

    @Sendable func createBranch(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try DivisionPages.code(context)
        guard code.level == .village else { throw AppError.notFound(LocalizedText(zh: "支部设在村里", en: "Branches belong to a village")) }
        let input = try await request.decode(as: BranchInput.self, context: context)
        let draft = BranchDraft(name: input.name ?? "", kind: BranchKind(rawValue: input.kind ?? "") ?? .other,
                                formed: (input.formed ?? "").trimmingCharacters(in: .whitespaces), secretary: input.secretary ?? "")
        var created = 0
        return try await DivisionPages.change(redirect: { "/branches/\(created)" }, context: context, {
            created = try await party.createBranch(draft, village: code, by: context.actor)
        }, again: again(request, context))
    }

    /// Shows the overview again with a change's problems.
    private func again(_ request: Request, _ context: AppRequestContext) -> (String) async throws -> Response {
        { try await overviewPage(error: $0, request: request, context: context, status: .badRequest) }
    }

    @Sendable func endMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try DivisionPages.code(context)
        guard let member = context.parameters.get("member", as: Int.self) else {
            throw AppError(.badRequest, LocalizedText(zh: "没有这名党员", en: "No such member"))
        }
        return try await DivisionPages.change(redirect: { "/divisions/\(code)/party?left=\(member)" }, context: context, {
            try await party.endMember(member, village: code, on: settings.today, by: context.actor)
        }, again: again(request, context))
    }

    /// Undoes a member's leaving from the notice that said it.
    @Sendable func restoreMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try DivisionPages.code(context)
        guard let member = context.parameters.get("member", as: Int.self) else {
            throw AppError(.badRequest, LocalizedText(zh: "没有这名党员", en: "No such member"))
        }
        return try await DivisionPages.change(redirect: { "/divisions/\(code)/party" }, context: context, {
            try await party.restoreMember(member, village: code, by: context.actor)
        }, again: again(request, context))
    }

    struct HouseholdLine: Sendable, Encodable {
        let href: String
        let number: String
        let head: String
        let since: String
    }

    struct BranchBody: Sendable, Encodable {
        let line: BranchLine
        let members: [MemberLine]
        let households: [HouseholdLine]
        let memberAction: String?
        let memberChoices: [FormModel.Option]
        let householdAction: String?
        let today: String
        let error: String?
    }

    @Sendable func branch(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await branchPage(context.parameters.get("id", as: Int.self)!, error: nil, request: request, context: context)
    }

    private func branchPage(_ id: Int, error: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let row = try await party.branch(id)
        let code = try DivisionCode(validating: row.villageCode)
        let canWrite = context.identity?.can(.writeVillage, in: code) == true
        let members = try await party.members(ofBranch: id)
        let inBranch = Set(members.map(\.id))
        let body = BranchBody(
            line: line(row, language),
            members: members.map {
                MemberLine(name: $0.name, personHref: $0.personId.map { "/people/\($0)" }, organisation: $0.organisation, joined: $0.joinedOn,
                           left: $0.leftOn, branches: $0.branches ?? "—", endAction: nil)
            },
            households: try await party.households(ofBranch: id).map {
                HouseholdLine(href: "/households/\($0.householdId)", number: $0.householdNumber, head: $0.headName ?? "—", since: $0.since)
            },
            memberAction: canWrite ? "/branches/\(id)/members" : nil,
            memberChoices: canWrite ? try await party.members(in: code, on: settings.today).filter { !inBranch.contains($0.id) }.map {
                FormModel.Option(value: String($0.id), label: $0.name + language.parenthesised($0.organisation), selected: false)
            } : [],
            householdAction: canWrite ? "/branches/\(id)/households" : nil, today: settings.today, error: error)
        let chain = try await divisions.chain(code)
        return try renderer.page("branch", title: row.name,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true)
                                    + [Crumb(name: Strings.text("party", language), href: "/divisions/\(code)/party"), Crumb(name: row.name, href: nil)],
                                 body: body, request: request, context: context, status: status)
    }

    struct BranchMemberInput: Decodable {
        var member: Int?
    }

    @Sendable func addBranchMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let input = try await request.decode(as: BranchMemberInput.self, context: context)
        do {
            try await party.addMember(input.member ?? 0, toBranch: id, by: context.actor)
            return Response(status: .seeOther, headers: [.location: "/branches/\(id)"])
        } catch let failure as ValidationFailure {
            return try await branchPage(id, error: failure.text(context.language), request: request, context: context, status: .badRequest)
        }
    }

    struct HouseholdsInput: Decodable {
        var numbers: String?
        var since: String?
    }

    @Sendable func assignHouseholds(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let input = try await request.decode(as: HouseholdsInput.self, context: context)
        guard let village = try await party.village(ofBranch: id) else { throw StoreError.notFound("branch \(id)") }
        do {
            let households = try await registry.households(numbered: input.numbers ?? "", in: village)
            try await party.assign(households: households, to: id, since: (input.since ?? "").trimmingCharacters(in: .whitespaces), by: context.actor)
            return Response(status: .seeOther, headers: [.location: "/branches/\(id)"])
        } catch let failure as ValidationFailure {
            return try await branchPage(id, error: failure.text(context.language), request: request, context: context, status: .badRequest)
        }
    }

    struct ChooseInput: Decodable {
        var branch: Int?
    }

    /// Puts a household in the care of a branch from today (the household file's choice).
    @Sendable func chooseBranch(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let input = try await request.decode(as: ChooseInput.self, context: context)
        do {
            try await party.assign(households: [id], to: input.branch ?? 0, since: settings.today, by: context.actor)
        } catch let failure as ValidationFailure {
            throw AppError(.badRequest, LocalizedText(zh: failure.text(.chinese), en: failure.text(.english)))
        } catch StoreError.notFound {
            throw AppError(.badRequest, LocalizedText(zh: "没有这个支部", en: "No such branch"))
        }
        return Response(status: .seeOther, headers: [.location: "/households/\(id)#helpers"])
    }

    private func line(_ row: BranchRow, _ language: Language) -> BranchLine {
        BranchLine(href: "/branches/\(row.id)", name: row.name, kind: BranchKind(rawValue: row.kind)?.title.text(language) ?? row.kind,
                   formed: row.formedOn, secretary: row.secretary.isEmpty ? "—" : row.secretary, members: row.members, households: row.households)
    }
}
