import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import SQLKit
import Testing
import ZhenxingDemo
import ZhenxingDomain
@testable import ZhenxingServer
import ZhenxingStore
import ZhenxingTestSupport

/// The demo users and where each one works.
private let demoUsers = LiangshuiquanDemo.users
/// A village inside every demo user's division, and one outside all but the administrator's.
private let insideVillage = "411324104201"
private let outsideVillage = "411325001201"

/// Records inside the demo village and outside every demo user's division but the administrator's.
private struct Records {
    let inside: [RecordKind: Int], outside: [RecordKind: Int]
}

/// Adds a second county with a village and one household, outside the demo users' divisions.
@discardableResult
private func addOutsideVillage(_ database: Database) async throws -> Records {
    let (outsideHousehold, outsidePerson) = try await database.transaction { sql in
        for (code, name) in [("411325000000", "邻县"), ("411325001000", "邻镇"), (outsideVillage, "邻村")] {
            try await DivisionRepository.save(Division(code: DivisionCode(validating: code), name: name), in: sql)
        }
        let village = try DivisionCode(validating: outsideVillage)
        let household = try await RegistryRepository.insertHousehold(
            HouseholdDraft(number: "9001", village: village, groupNumber: 1, naturalVillage: nil, address: "邻村1号", attribute: .ordinary),
            by: .system, in: sql)
        let person = try await RegistryRepository.insertPerson(
            PersonDraft(name: "外村人", residentID: ResidentID(validating: "11010519491231002X")), since: "2014-01-01", division: village, by: .system, in: sql)
        try await RegistryRepository.addMember(person: person, household: household, relation: .head, from: "2014-01-01", reason: "登记", in: sql)
        return (household, person)
    }
    let registry = RegistryRepository(database: database)
    // Inside records lie in the first grid, whose leader account is the demo grid leader: what that role may change.
    let governance = GovernanceRepository(database: database)
    let insideGrid = try await governance.grids(in: LiangshuiquanDemo.villageCode)[0].id
    let inside = try await governance.grid(insideGrid, today: "2024-01-05").households[0].id
    let insidePerson = try await registry.file(inside).members[0].personId
    // An issue, a meeting and a grid on each side.
    let village = try DivisionCode(validating: outsideVillage)
    let outsideMeeting = try await governance.createMeeting(MeetingDraft(kind: .regular, title: "邻村例会", date: "2024-01-05", place: "邻村", chair: "某"),
                                                            village: village, attendees: [], by: .system)
    let outsideIssue = try await governance.createIssue(IssueDraft(title: "邻村问题", description: "", source: .other, raisedBy: "某", category: "其他",
                                                                   raisedOn: "2024-01-05"), village: village, today: "2024-12-31", by: .system)
    let outsideGrid = try await governance.createGrid(village: village, name: "邻村网格", leader: "某", partyGroup: "", by: .system)
    let helpers = HelperRepository(database: database)
    let outsideHelper = try await helpers.create(HelperDraft(name: "某", unit: "邻村", role: .villageCadre, from: "2024-01-01"), village: village, by: .system)
    let insideHelper = try await helpers.helpers(in: LiangshuiquanDemo.villageCode)[0].id
    // A branch, a visit and a photo of a visit on each side (the photo's bytes are not looked at here).
    let party = PartyRepository(database: database)
    let outsideBranch = try await party.createBranch(BranchDraft(name: "邻村支部", kind: .other, formed: "2024-01-01", secretary: ""), village: village, by: .system)
    let insideBranch = try await party.branches(in: LiangshuiquanDemo.villageCode, on: "2024-01-01")[0].id
    let visits = VisitRepository(database: database)
    let outsideVisit = try await visits.add(VisitDraft(date: "2024-01-05", visitor: "某", seen: "看望"), household: outsideHousehold, today: "2024-01-05", by: .system)
    let insideVisit = try await visits.add(VisitDraft(date: "2024-01-05", visitor: "某", seen: "看望"), household: inside, today: "2024-01-05", by: .system)
    let photo = { (visit: Int) in
        try await visits.addPhoto(VisitPhotoUpload(fileName: "a.jpg", contentType: "image/jpeg", width: 1, height: 1, content: Data([0xFF, 0xD8]),
                                                   thumbnail: Data([0xFF, 0xD8])), visit: visit, by: .system)
    }
    let insidePhoto = try await photo(insideVisit), outsidePhoto = try await photo(outsideVisit)
    // An activity and a project on each side.
    let community = CommunityRepository(database: database)
    let outsideActivity = try await community.addActivity(ActivityDraft(kind: .lecture, title: "邻村讲习", date: "2024-01-05"), attendees: [], village: village,
                                                          today: "2024-01-05", by: .system)
    let insideActivity = try await community.activities(in: LiangshuiquanDemo.villageCode, year: 2020)[0].id
    let outsideProject = try await community.createProject(ProjectDraft(name: "邻村项目", kind: .other), village: village, by: .system)
    let insideProject = try await community.projects(in: LiangshuiquanDemo.villageCode)[0].id
    let insideIssue = try await governance.createIssue(IssueDraft(title: "本村问题", description: "", source: .household, raisedBy: "某", householdID: inside,
                                                                  category: "其他", raisedOn: "2024-01-05"), village: LiangshuiquanDemo.villageCode, today: "2024-12-31", by: .system)
    let insideMeeting = try await governance.meetings(in: LiangshuiquanDemo.villageCode)[0].id
    return Records(
        inside: [.household: inside, .person: insidePerson, .issue: insideIssue, .meeting: insideMeeting, .grid: insideGrid, .helper: insideHelper,
                 .branch: insideBranch, .visit: insideVisit, .photo: insidePhoto, .activity: insideActivity, .project: insideProject],
        outside: [.household: outsideHousehold, .person: outsidePerson, .issue: outsideIssue, .meeting: outsideMeeting, .grid: outsideGrid,
                  .helper: outsideHelper, .branch: outsideBranch, .visit: outsideVisit, .photo: outsidePhoto, .activity: outsideActivity,
                  .project: outsideProject])
}

@Suite struct AuthorisationMatrixTests {
    /// Who may do what, written out by hand: a change to the policy must change this table too.
    @Test func thePolicyTableIsAsDecided() {
        let expected: [Role: Set<Permission>] = [
            .administrator: Set(Permission.allCases),
            .officer: [.readRecords, .approveStatus, .viewFullIDs, .manageUsers, .viewAudit],
            .villageCadre: [.readRecords, .writeRecords, .writeVillage, .viewFullIDs],
            .gridLeader: [.readRecords, .writeRecords],
            .viewer: [.readRecords],
        ]
        for role in Role.allCases {
            for permission in Permission.allCases {
                #expect(AccessPolicy.allows(role, permission) == expected[role]!.contains(permission), "\(role) \(permission)")
            }
        }
    }

    /// Every route is listed here with the access it must have; a new route without a line fails.
    @Test func everyRouteDeclaresTheAccessDecidedForIt() async throws {
        let expected: [String: Access] = [
            "GET /": .anyone, "GET /signin": .anyone, "POST /signin": .anyone,
            "POST /signout": .signedIn, "GET /account": .signedIn, "POST /account/password": .signedIn,
            "POST /account/signout-everywhere": .signedIn,
            "GET /divisions": .ownDivision(.readRecords), "GET /divisions/:code": .pathDivision(.readRecords),
            "POST /divisions/:code/population": .pathDivision(.writeVillage),
            "POST /divisions/:code/exit": .pathDivision(.approveStatus),
            "GET /villages/:code/profile": .pathDivision(.readRecords),
            "GET /villages/:code/profile/edit": .pathDivision(.writeVillage),
            "POST /villages/:code/profile": .pathDivision(.writeVillage),
            "GET /admin/users": .ownDivision(.manageUsers), "GET /admin/users/new": .ownDivision(.manageUsers),
            "POST /admin/users": .ownDivision(.manageUsers), "GET /admin/users/:id/edit": .ownDivision(.manageUsers),
            "POST /admin/users/:id": .ownDivision(.manageUsers),
            "POST /admin/users/:id/signout-everywhere": .ownDivision(.manageUsers),
            "GET /admin/audit": .ownDivision(.viewAudit),
            "GET /admin/tokens": .ownDivision(.manageTokens), "POST /admin/tokens": .ownDivision(.manageTokens),
            "POST /admin/tokens/:id/revoke": .ownDivision(.manageTokens),
            "GET /divisions/:code/households": .pathDivision(.readRecords), "GET /divisions/:code/households/export": .pathDivision(.readRecords),
            "GET /divisions/:code/visits": .pathDivision(.readRecords), "GET /divisions/:code/people": .pathDivision(.readRecords), "GET /divisions/:code/people/export": .pathDivision(.readRecords), "GET /divisions/:code/assessments": .pathDivision(.readRecords), "GET /divisions/:code/assessments/export": .pathDivision(.readRecords), "GET /divisions/:code/visits/export": .pathDivision(.readRecords),
            "GET /households/:id": .record(.readRecords, .household),
            "POST /people/:id/full-id": .record(.viewFullIDs, .person),
            "GET /divisions/:code/households/new": .pathDivision(.writeVillage),
            "POST /divisions/:code/households": .pathDivision(.writeVillage),
            "GET /households/:id/edit": .record(.writeRecords, .household),
            "POST /households/:id": .record(.writeRecords, .household),
            "GET /households/:id/members/new": .record(.writeRecords, .household),
            "POST /households/:id/members": .record(.writeRecords, .household),
            "POST /households/:id/members/:person/end": .record(.writeRecords, .household),
            "POST /households/:id/status": .record(.approveStatus, .household),
            "POST /households/:id/close": .record(.writeRecords, .household),
            "GET /people/:id": .record(.readRecords, .person), "GET /people/:id/edit": .record(.writeRecords, .person),
            "POST /people/:id": .record(.writeRecords, .person),
            "GET /households/:id/assessments/new": .record(.writeRecords, .household),
            "POST /households/:id/assessments": .record(.writeRecords, .household),
            "GET /admin/parameters": .ownDivision(.editParameters), "POST /admin/parameters": .ownDivision(.editParameters),
            "POST /admin/parameters/rules": .ownDivision(.editParameters),
            "GET /divisions/:code/import": .pathDivision(.writeVillage), "POST /divisions/:code/import": .pathDivision(.writeVillage),
            "GET /divisions/:code/import/template.xlsx": .pathDivision(.readRecords),
            "GET /divisions/:code/import/:job": .pathDivision(.writeVillage),
            "POST /divisions/:code/import/:job/mapping": .pathDivision(.writeVillage),
            "GET /divisions/:code/import/:job/progress": .pathDivision(.writeVillage),
            "GET /divisions/:code/import/:job/:file": .pathDivision(.writeVillage),
            "GET /divisions/:code/roster": .pathDivision(.readRecords),
            "GET /divisions/:code/monitoring": .pathDivision(.readRecords), "POST /divisions/:code/monitoring/scan": .pathDivision(.writeVillage),
            "GET /divisions/:code/monitoring/export": .pathDivision(.readRecords),
            "GET /divisions/:code/monitoring/departments": .pathDivision(.writeVillage),
            "POST /divisions/:code/monitoring/departments": .pathDivision(.writeVillage),
            "GET /divisions/:code/issues": .pathDivision(.readRecords), "GET /divisions/:code/issues/new": .pathDivision(.writeRecords),
            "GET /divisions/:code/issues/export": .pathDivision(.readRecords), "POST /divisions/:code/issues": .pathDivision(.writeRecords),
            "GET /issues/:id": .record(.readRecords, .issue), "POST /issues/:id/transition": .record(.writeRecords, .issue),
            "GET /divisions/:code/meetings": .pathDivision(.readRecords), "GET /divisions/:code/meetings/new": .pathDivision(.writeVillage),
            "POST /divisions/:code/meetings": .pathDivision(.writeVillage),
            "GET /meetings/:id": .record(.readRecords, .meeting), "POST /meetings/:id/outcomes": .record(.writeVillage, .meeting),
            "GET /divisions/:code/grids": .pathDivision(.readRecords), "POST /divisions/:code/grids": .pathDivision(.writeVillage),
            "GET /grids/:id": .record(.readRecords, .grid), "POST /grids/:id/households": .record(.writeVillage, .grid),
            "POST /grids/:id/households/:household/release": .record(.writeVillage, .grid),
            "POST /households/:id/visits": .record(.writeRecords, .household), "POST /households/:id/monitoring/reports": .record(.writeRecords, .household),
            "POST /households/:id/monitoring/:warning/steps": .record(.writeRecords, .household),
            "POST /households/:id/monitoring/:warning/decisions": .record(.approveStatus, .household),
            "POST /grids/:id/party-members": .record(.writeVillage, .grid), "POST /grids/:id/leader": .record(.writeVillage, .grid),
            "POST /households/:id/plans/:year/measures": .record(.writeRecords, .household),
            "GET /divisions/:code/helpers": .pathDivision(.readRecords), "POST /divisions/:code/helpers": .pathDivision(.writeVillage),
            "GET /helpers/:id": .record(.readRecords, .helper), "GET /my": .ownDivision(.readRecords),
            "POST /households/:id/helpers": .record(.writeRecords, .household),
            "POST /households/:id/helpers/:assignment/end": .record(.writeRecords, .household),
            "POST /households/:id/helpers/:assignment/resume": .record(.writeRecords, .household),
            "POST /households/:id/members/:person/resume": .record(.writeRecords, .household),
            "POST /households/:id/reopen": .record(.writeRecords, .household),
            "POST /households/:id/plans/:year/measures/:measure": .record(.writeRecords, .household),
            "POST /households/:id/visits/:visit/done": .record(.writeRecords, .household),
            "GET /divisions/:code/lists": .pathDivision(.readRecords), "POST /divisions/:code/lists": .pathDivision(.writeVillage),
            "POST /divisions/:code/lists/target": .pathDivision(.writeVillage),
            "POST /divisions/:code/lists/:item/status": .pathDivision(.writeVillage),
            "GET /divisions/:code/party": .pathDivision(.readRecords), "POST /divisions/:code/party/members": .pathDivision(.writeVillage),
            "POST /divisions/:code/party/branches": .pathDivision(.writeVillage),
            "POST /divisions/:code/party/members/:member/end": .pathDivision(.writeVillage),
            "POST /divisions/:code/party/members/:member/restore": .pathDivision(.writeVillage),
            "GET /branches/:id": .record(.readRecords, .branch), "POST /branches/:id/members": .record(.writeVillage, .branch),
            "POST /branches/:id/households": .record(.writeVillage, .branch), "POST /households/:id/branch": .record(.writeRecords, .household),
            "POST /visits/:id/photos": .record(.writeRecords, .visit), "POST /visits/:id/photos/:photo/remove": .record(.writeRecords, .visit),
            "GET /photos/:id": .record(.readRecords, .photo), "GET /photos/:id/thumbnail": .record(.readRecords, .photo),
            "GET /divisions/:code/measures": .pathDivision(.readRecords), "GET /divisions/:code/measures/export": .pathDivision(.readRecords),
            "GET /divisions/:code/activities": .pathDivision(.readRecords), "POST /divisions/:code/activities": .pathDivision(.writeVillage),
            "GET /divisions/:code/activities/export": .pathDivision(.readRecords),
            "GET /activities/:id": .record(.readRecords, .activity), "POST /activities/:id/attendees": .record(.writeVillage, .activity),
            "GET /divisions/:code/honours": .pathDivision(.readRecords), "POST /divisions/:code/honours/nominations": .pathDivision(.writeVillage),
            "POST /divisions/:code/honours/votes": .pathDivision(.writeVillage), "POST /divisions/:code/honours/announce": .pathDivision(.writeVillage),
            "POST /honour-types": .ownDivision(.editParameters),
            "GET /divisions/:code/projects": .pathDivision(.readRecords), "POST /divisions/:code/projects": .pathDivision(.writeVillage),
            "GET /projects/:id": .record(.readRecords, .project), "POST /projects/:id/entries": .record(.writeVillage, .project),
            "GET /divisions/:code/economy": .pathDivision(.readRecords), "POST /divisions/:code/economy/income": .pathDivision(.writeVillage),
            "POST /divisions/:code/economy/enterprises": .pathDivision(.writeVillage),
            "GET /divisions/:code/dashboard": .pathDivision(.readRecords),
            "GET /divisions/:code/honours/export": .pathDivision(.readRecords), "GET /divisions/:code/economy/export": .pathDivision(.readRecords),
            "GET /divisions/:code/meetings/export": .pathDivision(.readRecords), "GET /divisions/:code/projects/export": .pathDivision(.readRecords),
        ]
        try await TestDatabases.with(.sqlite) { database in
            let (_, routes, _) = try await buildRouter(
                settings: AppSettings(bcryptCost: 4), database: database, metrics: PrometheusCollectorRegistry(), logger: Logger(label: "t"))
            let declared = Dictionary(uniqueKeysWithValues: routes.map { ("\($0.method) \($0.path)", $0.access) })
            #expect(declared == expected)
        }
    }

    /// Every guarded route × every role × a division inside and outside the user's: allowed exactly
    /// where the policy says, otherwise 403 (anonymous: sent to sign in).
    @Test(arguments: TestDatabases.engines)
    func everyRouteObeysThePolicy(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: nil) { anonymous, database, passwords in
            let records = try await addOutsideVillage(database)
            let (_, routes, _) = try await buildRouter(
                settings: AppSettings(bcryptCost: 4), database: database, metrics: PrometheusCollectorRegistry(), logger: Logger(label: "t"))
            let someUser = try #require(try await UserRepository(database: database).credentials(username: "lsq.viewer")?.0.id)
            for route in routes {
                for target in [insideVillage, outsideVillage] {
                    var id = someUser
                    if case .record(_, let kind) = route.access {
                        id = (target == insideVillage ? records.inside : records.outside)[kind]!
                    }
                    let person = (target == insideVillage ? records.inside : records.outside)[.person]!
                    let path = route.path.replacingOccurrences(of: ":code", with: target).replacingOccurrences(of: ":id", with: String(id))
                        .replacingOccurrences(of: ":person", with: String(person))
                    // anonymous
                    var visitor = anonymous
                    let status = try await call(&visitor, route.method, path).status
                    switch route.access {
                    case .anyone:
                        #expect(![.unauthorized, .forbidden].contains(status), "anonymous \(route.method) \(path): \(status)")
                    default:
                        let expected: HTTPResponse.Status = route.method == .get ? .seeOther : .unauthorized
                        #expect(status == expected, "anonymous \(route.method) \(path): \(status)")
                    }
                    // each role
                    for user in demoUsers {
                        var browser = try await anonymous.signIn(user.username, passwords[user.username]!)
                        let status = try await call(&browser, route.method, path).status
                        let identity = Identity(userID: 0, username: user.username, displayName: "", role: user.role, division: user.division)
                        let code = try DivisionCode(validating: target)
                        if case .record(let permission, _) = route.access {
                            let expected: HTTPResponse.Status? = !identity.covers(code) ? .notFound : identity.can(permission, in: code) ? nil : .forbidden
                            if let expected {
                                #expect(status == expected, "\(user.username) \(route.method) \(path): \(status), expected \(expected)")
                            } else {
                                #expect(answersAsAllowed(route.method, status), "\(user.username) \(route.method) \(path): \(status)")
                            }
                            continue
                        }
                        let allowed: Bool = switch route.access {
                        case .anyone, .signedIn: true
                        case .ownDivision(let permission): identity.holds(permission)
                        case .pathDivision(let permission): identity.can(permission, in: code)
                        case .record: false
                        }
                        if allowed {
                            // What the matrix does not create answers 404 to whoever may ask: an import job, an API token.
                            let absent = path.contains(":job") || route.path == "/admin/tokens/:id/revoke"
                            #expect(answersAsAllowed(route.method, status) || (absent && status == .notFound),
                                    "\(user.username) \(route.method) \(path): \(status)")
                        } else {
                            #expect(status == .forbidden, "\(user.username) \(route.method) \(path): \(status), expected 403")
                        }
                    }
                }
            }
        }
    }

    @Test(arguments: TestDatabases.engines)
    func everyAPIOperationObeysThePolicy(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: nil) { anonymous, database, passwords in
            try await addOutsideVillage(database)
            let profile = #"{"version":1,"areaSquareMetres":1,"farmlandMuHundredths":1,"mountainLandMuHundredths":1,"designations":[],"honours":[],"groups":[],"naturalVillages":[]}"#
            let operations: [(HTTPRequest.Method, String, Permission, String?)] = [
                (.get, "/api/v1/divisions?parent=CODE", .readRecords, nil),
                (.get, "/api/v1/divisions/CODE", .readRecords, nil),
                (.get, "/api/v1/divisions/CODE/profile", .readRecords, nil),
                (.put, "/api/v1/divisions/CODE/profile", .writeVillage, profile),
            ]
            for (method, template, permission, body) in operations + [
                (.get, "/api/v1/divisions/CODE/households", .readRecords, nil),
                (.get, "/api/v1/divisions/CODE/issues", .readRecords, nil),
                (.get, "/api/v1/divisions/CODE/meetings", .readRecords, nil),
                (.get, "/api/v1/divisions/CODE/grids", .readRecords, nil),
                (.get, "/api/v1/divisions/CODE/helpers", .readRecords, nil),
                (.get, "/api/v1/divisions/CODE/party?on=2018-12-31", .readRecords, nil),
                (.get, "/api/v1/divisions/CODE/measures?year=2016", .readRecords, nil),
                (.get, "/api/v1/divisions/CODE/activities?year=2020", .readRecords, nil),
                (.get, "/api/v1/divisions/CODE/honours?year=2020", .readRecords, nil),
                (.get, "/api/v1/divisions/CODE/projects", .readRecords, nil),
                (.get, "/api/v1/divisions/CODE/collective-income?year=2020", .readRecords, nil),
                (.post, "/api/v1/divisions/CODE/collective-income", .writeVillage, #"{"receivedOn":"2024-01-01","source":"租金","amountFen":100}"#),
                (.post, "/api/v1/divisions/CODE/projects", .writeVillage, #"{"name":"某项目","kind":"other"}"#),
                (.post, "/api/v1/divisions/CODE/honours", .writeVillage, #"{"honour":"新乡贤","year":2024,"nominatedBy":"某","reason":"某"}"#),
                (.post, "/api/v1/divisions/CODE/helpers", .writeVillage, #"{"name":"某","unit":"某单位","role":"paired_helper","from":"2024-01-01"}"#),
                (.get, "/api/v1/divisions/CODE/lists?year=2018", .readRecords, nil),
                (.get, "/api/v1/divisions/CODE/monitoring/warnings", .readRecords, nil),
                (.get, "/api/v1/divisions/CODE/monitoring/warnings?step=home_check&overdue=true", .readRecords, nil),
                (.get, "/api/v1/divisions/CODE/monitoring/what-if?year=2021&thresholdFen=700000", .readRecords, nil),
                (.post, "/api/v1/divisions/CODE/monitoring/scan", .writeVillage, #"{"year":2021,"dryRun":true}"#),
                (.post, "/api/v1/divisions/CODE/issues", .writeRecords,
                 #"{"title":"t","source":"other","raisedBy":"某","category":"其他","raisedOn":"2024-01-01"}"#),
            ] {
                for target in [insideVillage, outsideVillage] {
                    let path = template.replacingOccurrences(of: "CODE", with: target)
                    var visitor = anonymous
                    #expect(try await json(&visitor, method, path, body).status == .unauthorized, "anonymous \(method) \(path)")
                    for user in demoUsers {
                        var browser = try await anonymous.signIn(user.username, passwords[user.username]!)
                        let status = try await json(&browser, method, path, body).status
                        let identity = Identity(userID: 0, username: user.username, displayName: "", role: user.role, division: user.division)
                        if identity.can(permission, in: try DivisionCode(validating: target)) {
                            #expect(answersAsAllowed(method, status), "\(user.username) \(method) \(path): \(status)")
                        } else {
                            #expect(status == .forbidden, "\(user.username) \(method) \(path): \(status), expected 403")
                        }
                    }
                }
            }
        }
    }

    /// How an allowed call answers: a read succeeds (2xx, or 3xx to where it leads); a write succeeds or refuses the
    /// (empty or repeated) body it was sent as input — never 401/403, never a 404 for a record that is there, never 500.
    private func answersAsAllowed(_ method: HTTPRequest.Method, _ status: HTTPResponse.Status) -> Bool {
        let succeeded = (200..<400).contains(status.code)
        return method == .get ? succeeded : succeeded || [.badRequest, .conflict, .unprocessableContent].contains(status)
    }

    private func call(_ browser: inout Browser, _ method: HTTPRequest.Method, _ path: String) async throws -> TestResponse {
        method == .get ? try await browser.get(path) : try await browser.postForm(path, [])
    }

}

@Suite struct SessionAndCSRFTests {
    let profile = "/villages/411324104201/profile"

    @Test func formsWithoutTheSessionsCSRFTokenAreRefused() async throws {
        try await withDemoApp(.sqlite, as: nil) { anonymous, _, passwords in
            // given: two sessions of the same user
            var mine = try await anonymous.signIn("lsq.secretary", passwords["lsq.secretary"]!)
            let other = try await anonymous.signIn("lsq.secretary", passwords["lsq.secretary"]!)
            // when
            let missing = try await mine.send(.post, profile, headers: [.contentType: "application/x-www-form-urlencoded"],
                                              body: ByteBuffer(string: "version=1&area=1"))
            let foreign = try await mine.postForm(profile, [("version", "1")], csrf: other.csrf)
            let apiWithoutHeader = try await mine.send(.put, "/api/v1/divisions/411324104201/profile",
                                                       headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}"))
            // then
            #expect(missing.status == .forbidden)
            #expect(foreign.status == .forbidden)
            #expect(apiWithoutHeader.status == .forbidden)
            #expect(missing.text.contains("页面已过期或来源不明"))
        }
    }

    @Test func aForgedSessionCookieIsAnonymous() async throws {
        try await withDemoApp(.sqlite, as: nil) { anonymous, _, _ in
            var forged = anonymous
            forged.cookies["zx_session"] = "forged-token-value"
            let page = try await forged.get(profile)
            #expect(page.status == .seeOther)
            #expect(page.headers[.location] == "/signin?next=/villages/411324104201/profile")
        }
    }

    @Test func sessionsExpireWhenIdle() async throws {
        let clock = TestClock()
        try await withDemoApp(.sqlite, clock: clock) { browser, _, _ in
            var client = browser
            let status1 = try await client.get(profile).status
            #expect(status1 == .ok)
            clock.advance(by: 7 * 3600)
            let status2 = try await client.get(profile).status  // used: the idle window moves on
            #expect(status2 == .ok)
            clock.advance(by: 8 * 3600 + 1)
            let status3 = try await client.get(profile).status
            #expect(status3 == .seeOther)
        }
    }

    @Test func signingOutEverywhereEndsEverySession() async throws {
        try await withDemoApp(.sqlite, as: nil) { anonymous, database, passwords in
            var laptop = try await anonymous.signIn("lsq.grid", passwords["lsq.grid"]!)
            var phone = try await anonymous.signIn("lsq.grid", passwords["lsq.grid"]!)
            let status4 = try await phone.get(profile).status
            #expect(status4 == .ok)
            // when
            let status5 = try await laptop.postForm("/account/signout-everywhere", []).status
            #expect(status5 == .seeOther)
            // then
            let status6 = try await phone.get(profile).status
            #expect(status6 == .seeOther)
            let status7 = try await laptop.get(profile).status
            #expect(status7 == .seeOther)
            let entries = try await AuditLog(database: database).entries(AuditFilter(action: .signOutEverywhere))
            #expect(entries.count == 1 && entries[0].username == "lsq.grid")
        }
    }

    @Test func repeatedFailuresLockTheAccountThenBackOff() async throws {
        let clock = TestClock()
        try await withDemoApp(.sqlite, as: nil, clock: clock) { anonymous, database, passwords in
            var visitor = anonymous
            for _ in 0..<SignInPages.accountAllowance {
                let failed = try await visitor.postForm("/signin", [("username", "lsq.viewer"), ("password", "wrong-password-1")])
                #expect(failed.status == .unauthorized)
                #expect(failed.text.contains("用户名或密码不对"))
            }
            // when: the right password, while locked
            let locked = try await visitor.postForm("/signin", [("username", "lsq.viewer"), ("password", passwords["lsq.viewer"]!)])
            // then
            #expect(locked.status == .tooManyRequests)
            #expect(locked.text.contains("请 1 分钟后再试"))
            clock.advance(by: 61)
            #expect(try await anonymous.signIn("lsq.viewer", passwords["lsq.viewer"]!).cookies["zx_session"] != nil)
            let failures = try await AuditLog(database: database).entries(AuditFilter(action: .signInFailure))
            #expect(failures.count == SignInPages.accountAllowance)
            #expect(failures.allSatisfy { $0.entityKey == "lsq.viewer" && $0.beforeJson == nil })
        }
    }

    @Test func unknownNamesAndDisabledAccountsCannotSignIn() async throws {
        try await withDemoApp(.sqlite, as: "admin") { admin, database, passwords in
            var visitor = try await Browser.anonymous(admin.client)
            let unknown = try await visitor.postForm("/signin", [("username", "nobody"), ("password", "whatever-123")])
            #expect(unknown.status == .unauthorized)
            // disable a user
            let users = UserRepository(database: database)
            let viewer = try #require(try await users.credentials(username: "lsq.viewer")?.0)
            var draft = UserDraft(username: viewer.username, displayName: viewer.displayName, role: viewer.role, division: viewer.division)
            draft.active = false
            _ = try await users.update(viewer.id, to: draft, expectedVersion: viewer.version, by: .system)
            await #expect(throws: Browser.SignInFailed.self) {
                _ = try await visitor.signIn("lsq.viewer", passwords["lsq.viewer"]!)
            }
        }
    }

    @Test func nextNeverLeavesTheSite() {
        #expect(SignInPages.safeNext("/villages/1/profile") == "/villages/1/profile")
        #expect(SignInPages.safeNext("//evil.example/x") == "/")
        #expect(SignInPages.safeNext("https://evil.example") == "/")
        #expect(SignInPages.safeNext(nil) == "/")
    }
}

@Suite struct AuditTests {
    @Test(arguments: TestDatabases.engines)
    func changesAreAuditedWithBeforeAndAfter(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            // given
            let page = try await client.get("/villages/411324104201/profile/edit")
            let version = try #require(page.text.firstMatch(of: #/name="version" value="(\d+)"/#).map { String($0.output.1) })
            // when
            let saved = try await client.postForm("/villages/411324104201/profile", [
                ("version", version), ("area", "4.87"), ("farmland", "800"), ("mountainLand", "6500"), ("designations", ""),
                ("honours", ""), ("groups", "1 一组"), ("naturalVillages", "凉水泉"),
            ])
            // then
            #expect(saved.status == .seeOther)
            let entries = try await AuditLog(database: database).entries(AuditFilter(username: "lsq.secretary", action: .update))
            let entry = try #require(entries.first)
            #expect(entry.entity == "village_profile" && entry.entityKey == "411324104201" && entry.divisionCode == "411324104201")
            #expect(entry.beforeJson?.contains(#""farmlandMuHundredths":79500"#) == true)
            #expect(entry.afterJson?.contains(#""farmlandMuHundredths":80000"#) == true)
            #expect(!entry.requestId.isEmpty && entry.requestId.allSatisfy(\.isHexDigit))
            let signIns = try await AuditLog(database: database).entries(AuditFilter(username: "lsq.secretary", action: .signIn))
            #expect(signIns.count == 1)
        }
    }

    @Test(arguments: TestDatabases.engines)
    func theAuditLogCannotBeChangedOrDeleted(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            try await AuditLog(database: database).record(.export, entity: .roster, key: "1", by: .system)
            await #expect(throws: (any Error).self) {
                try await database.transaction { try await $0.raw("UPDATE audit_log SET username = 'x'").run() }
            }
            await #expect(throws: (any Error).self) {
                try await database.transaction { try await $0.raw("DELETE FROM audit_log").run() }
            }
            #expect(try await AuditLog(database: database).entries(AuditFilter()).map(\.username) == ["system"])
        }
    }

    @Test func theAuditPageFiltersAndIsForAuditorsOnly() async throws {
        try await withDemoApp(.sqlite, as: "admin") { browser, _, _ in
            var admin = browser
            let all = try await admin.get("/admin/audit")
            let failures = try await admin.get("/admin/audit?action=sign_in_failure")
            #expect(all.status == .ok && all.text.contains("admin") && all.text.contains("登录"))
            #expect(failures.status == .ok && failures.text.contains("没有符合条件的记录"))
        }
    }
}

@Suite struct TokenAndUserAdminTests {
    @Test(arguments: TestDatabases.engines)
    func anAPITokenActsInItsDivisionUntilRevoked(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "admin") { browser, database, _ in
            var admin = browser
            // given
            let created = try await admin.postForm("/admin/tokens", [("name", "县数据中心"), ("role", "viewer"), ("division", "411324104201")])
            let token = try #require(created.text.firstMatch(of: #/(zx_[A-Za-z0-9_-]{43})/#).map { String($0.output.1) })
            let profileJSON = #"{"version":1,"areaSquareMetres":1,"farmlandMuHundredths":1,"mountainLandMuHundredths":1,"designations":[],"honours":[],"groups":[],"naturalVillages":[]}"#
            var machine = try await Browser.anonymous(admin.client)
            machine.cookies = [:]
            func call(_ path: String, _ method: HTTPRequest.Method = .get) async throws -> TestResponse {
                try await machine.send(method, path, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                                       body: method == .get ? nil : ByteBuffer(string: profileJSON))
            }
            // when / then
            let status8 = try await call("/api/v1/divisions/411324104201/profile").status
            #expect(status8 == .ok)
            let status9 = try await call("/api/v1/divisions/411324104000").status
            #expect(status9 == .forbidden)
            let status10 = try await call("/api/v1/divisions/411324104201/profile", .put).status  // viewer
            #expect(status10 == .forbidden)
            let id = try #require(try await APITokenRepository(database: database).list(in: nil).first?.id)
            let status11 = try await admin.postForm("/admin/tokens/\(id)/revoke", []).status
            #expect(status11 == .seeOther)
            let status12 = try await call("/api/v1/divisions/411324104201/profile").status
            #expect(status12 == .unauthorized)
            let stored = try await database.read { sql in
                try await sql.raw("SELECT token_hash FROM api_tokens").all(decodingColumn: "token_hash", as: String.self)
            }
            #expect(stored.count == 1 && stored[0] != token && stored[0].count == 64)
        }
    }

    @Test func officersManageOnlyBelowThemAndNeverAboveTheirRole() async throws {
        try await withDemoApp(.sqlite, as: "zhenping.officer") { browser, database, _ in
            var officer = browser
            // when
            let admin = try await officer.postForm("/admin/users", [
                ("username", "boss"), ("displayName", "越权"), ("role", "administrator"), ("division", "411324000000"),
                ("active", "on"), ("password", "good-password-9"),
            ])
            let elsewhere = try await officer.postForm("/admin/users", [
                ("username", "far.away"), ("displayName", "外县"), ("role", "viewer"), ("division", "411325000000"),
                ("active", "on"), ("password", "good-password-9"),
            ])
            let fine = try await officer.postForm("/admin/users", [
                ("username", "lsq.new"), ("displayName", "新队员"), ("role", "village_cadre"), ("division", "411324104201"),
                ("active", "on"), ("password", "good-password-9"),
            ])
            let adminID = try #require(try await UserRepository(database: database).credentials(username: "admin")?.0.id)
            let hidden = try await officer.get("/admin/users/\(adminID)/edit")
            let list = try await officer.get("/admin/users")
            // then
            #expect(admin.status == .badRequest && admin.text.contains("不能分配这个角色"))
            #expect(elsewhere.status == .badRequest && elsewhere.text.contains("只能管理本区划及下级的用户"))
            #expect(fine.status == .seeOther)
            #expect(hidden.status == .notFound)
            #expect(list.text.contains("lsq.new") && !list.text.contains(">admin<"))
        }
    }

    @Test func aWeakPasswordIsRefusedBesideItsField() async throws {
        try await withDemoApp(.sqlite, as: "admin") { browser, _, _ in
            var admin = browser
            let response = try await admin.postForm("/admin/users", [
                ("username", "weak"), ("displayName", "弱密码"), ("role", "viewer"), ("division", "411324104201"), ("password", "weak"),
            ])
            #expect(response.status == .badRequest)
            #expect(response.text.contains("密码至少 10 个字符"))
            #expect(response.text.contains(#"value="weak""#))  // the user name is kept
        }
    }
}
