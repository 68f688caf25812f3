import Foundation
import ZhenxingAPI
import ZhenxingDomain
import ZhenxingStore

/// Activities, honours, projects and collective income over the API.
extension APIHandler {
    private var community: CommunityRepository { CommunityRepository(database: registry.database) }

    func listActivities(_ input: Operations.ListActivities.Input) async throws -> Operations.ListActivities.Output {
        let code = try await readableDivision(input.path.code)
        let kind = try input.query.kind.map { try ActivityKind.named($0, field: "kind") }
        let rows = try await community.activities(in: code, year: try Self.year(input.query.year), kind: kind, limit: 10_000)
        return .ok(.init(body: .json(.init(items: rows.map(Self.schema)))))
    }

    func createActivity(_ input: Operations.CreateActivity.Input) async throws -> Operations.CreateActivity.Output {
        let code = try await writableVillage(input.path.code)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        let kind = try ActivityKind.named(body.kind, field: "kind")
        let draft = ActivityDraft(kind: kind, title: body.title, date: body.date, place: body.place ?? "", organiser: body.organiser ?? "",
                                  partner: body.partner ?? "", speaker: body.speaker ?? "", speakerType: body.speakerType.flatMap(SpeakerType.init(rawValue:)),
                                  classroom: body.classroom.flatMap(Classroom.init(rawValue:)), counted: body.counted, parties: body.parties ?? "",
                                  outcome: body.outcome ?? "")
        let id = try await community.addActivity(draft, attendees: body.attendees ?? [], village: code, today: settings.today, by: RequestScope.actor)
        return .created(.init(body: .json(Self.schema(try await community.activity(id)))))
    }

    func listNominations(_ input: Operations.ListNominations.Input) async throws -> Operations.ListNominations.Output {
        let code = try await readableDivision(input.path.code)
        return .ok(.init(body: .json(try await nominationList(code, year: try Self.year(input.query.year)))))
    }

    func nominate(_ input: Operations.Nominate.Input) async throws -> Operations.Nominate.Output {
        let code = try await writableVillage(input.path.code)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        _ = try await community.nominate(village: code, type: try await honourType(body.honour), year: try Self.year(body.year), person: body.personId,
                                         household: body.householdId, nominatedBy: body.nominatedBy, reason: body.reason, by: RequestScope.actor)
        return .created(.init(body: .json(try await nominationList(code, year: body.year))))
    }

    func announceHonour(_ input: Operations.AnnounceHonour.Input) async throws -> Operations.AnnounceHonour.Output {
        let code = try await writableVillage(input.path.code)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        try await community.announce(village: code, type: try await honourType(body.honour), year: try Self.year(body.year), winners: body.winners,
                                     on: settings.today, by: RequestScope.actor)
        return .ok(.init(body: .json(try await nominationList(code, year: body.year))))
    }

    func addVotes(_ input: Operations.AddVotes.Input) async throws -> Operations.AddVotes.Output {
        let village = try await authorizeRecord(.nomination, input.path.id, needs: .writeVillage)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        try await community.vote(input.path.id, votes: body.votes, by: RequestScope.actor)
        let year = try await community.nominations(in: village).first { $0.id == input.path.id }?.year ?? 0
        return .ok(.init(body: .json(try await nominationList(village, year: year))))
    }

    private func honourType(_ name: String) async throws -> Int {
        guard let type = try await community.honourTypes().first(where: { $0.name == name }) else {
            throw ValidationFailure([FieldIssue(field: "honour", message: LocalizedText(zh: "没有这个评选类型：\(name)", en: "No such honour: \(name)"))])
        }
        return type.id
    }

    private func nominationList(_ code: DivisionCode, year: Int) async throws -> Components.Schemas.NominationList {
        .init(items: try await community.nominations(in: code, year: year).map {
            .init(id: $0.id, honour: $0.typeName, year: $0.year, personId: $0.personId, householdId: $0.householdId, nominee: $0.nominee,
                  nominatedBy: $0.nominatedBy, reason: $0.reason, votes: $0.votes, winner: $0.winner, announcedOn: $0.announcedOn)
        })
    }

    func createProject(_ input: Operations.CreateProject.Input) async throws -> Operations.CreateProject.Output {
        let code = try await writableVillage(input.path.code)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        let kind = try ProjectKind.named(body.kind, field: "kind")
        let id = try await community.createProject(
            ProjectDraft(name: body.name, kind: kind, partner: body.partner ?? "", status: body.status.flatMap(ProjectStatus.init(rawValue:)) ?? .planned,
                         started: body.started, description: body.description ?? ""), village: code, by: RequestScope.actor)
        return .created(.init(body: .json(try await projectFile(id))))
    }

    func addLandContract(_ input: Operations.AddLandContract.Input) async throws -> Operations.AddLandContract.Output {
        _ = try await authorizeRecord(.project, input.path.id, needs: .writeVillage)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        try await community.record(.land(LandContractDraft(lessor: body.lessor, householdID: body.householdId, areaMuHundredths: body.areaMuHundredths,
                                                           start: body.start, end: body.end, rentFenPerYear: body.rentFenPerYear)),
                                   project: input.path.id, by: RequestScope.actor)
        return .created(.init(body: .json(try await projectFile(input.path.id))))
    }

    func listProjects(_ input: Operations.ListProjects.Input) async throws -> Operations.ListProjects.Output {
        let code = try await readableDivision(input.path.code)
        return .ok(.init(body: .json(.init(items: try await community.projects(in: code).map(Self.schema)))))
    }

    func getProject(_ input: Operations.GetProject.Input) async throws -> Operations.GetProject.Output {
        _ = try await authorizeRecord(.project, input.path.id, needs: .readRecords)
        return .ok(.init(body: .json(try await projectFile(input.path.id))))
    }

    private func projectFile(_ id: Int) async throws -> Components.Schemas.ProjectFile {
        let file = try await community.project(id)
        return .init(
            project: Self.schema(file.row),
            investments: file.investments.map { .init(source: $0.source, amountFen: $0.amountFen) },
            land: file.land.map { .init(lessor: $0.lessor, householdId: $0.householdID, areaMuHundredths: $0.areaMuHundredths, start: $0.start, end: $0.end,
                                        rentFenPerYear: $0.rentFenPerYear) },
            jobs: file.jobs.map { .init(personId: $0.person.id, name: $0.person.name, position: $0.position, from: $0.from, to: $0.to) },
            beneficiaries: file.beneficiaries.compactMap(\.householdId),
            returns: file.returns.map { .init(year: $0.year, incomeFen: $0.incomeFen, dividendsFen: $0.dividendsFen) },
            sales: file.sales.map { .init(buyer: $0.buyer, product: $0.product, amountFen: $0.amountFen, start: $0.start, end: $0.end) })
    }

    func listCollectiveIncome(_ input: Operations.ListCollectiveIncome.Input) async throws -> Operations.ListCollectiveIncome.Output {
        let code = try await readableDivision(input.path.code)
        return .ok(.init(body: .json(try await incomeList(code, year: try Self.year(input.query.year)))))
    }

    func addCollectiveIncome(_ input: Operations.AddCollectiveIncome.Input) async throws -> Operations.AddCollectiveIncome.Output {
        let code = try await writableVillage(input.path.code)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        _ = try await community.addIncome(village: code, receivedOn: body.receivedOn, source: body.source, amountFen: body.amountFen, note: body.note ?? "",
                                          by: RequestScope.actor)
        return .created(.init(body: .json(try await incomeList(code, year: Int(body.receivedOn.prefix(4)) ?? 0))))
    }

    private func incomeList(_ code: DivisionCode, year: Int) async throws -> Components.Schemas.IncomeList {
        let entries = try await community.income(in: code, year: year)
        return .init(items: entries.map { .init(id: $0.id, villageCode: $0.villageCode, receivedOn: $0.receivedOn, source: $0.source, amountFen: $0.amountFen, note: $0.note) },
                     totalFen: entries.reduce(0) { $0 + $1.amountFen })
    }

    private static func year(_ year: Int) throws -> Int {
        guard FieldIssue.years.contains(year) else {
            throw ValidationFailure([FieldIssue.yearOutOfRange()])
        }
        return year
    }

    private static func schema(_ row: ActivityRow) -> Components.Schemas.Activity {
        .init(id: row.id, villageCode: row.villageCode, kind: row.kind, title: row.title, date: row.heldOn, place: row.place, organiser: row.organiser,
              partner: row.partner, speaker: row.speaker, speakerType: row.speakerType, classroom: row.classroom, personTimes: row.attendance,
              counted: row.counted != nil, parties: row.parties, outcome: row.outcome)
    }

    private static func schema(_ row: ProjectRow) -> Components.Schemas.Project {
        .init(id: row.id, villageCode: row.villageCode, name: row.name, kind: row.kind, partner: row.partner, status: row.status, started: row.startedOn,
              investmentFen: row.investmentFen, landMuHundredths: row.landMuHundredths, jobs: row.jobs, beneficiaries: row.beneficiaries)
    }
}
