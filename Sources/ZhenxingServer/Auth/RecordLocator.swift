import ZhenxingDomain
import ZhenxingStore

/// Finds the village a record belongs to, which decides who may see or change it: the one place
/// both the pages' guard and the API ask.
struct RecordLocator: Sendable {
    let registry: RegistryRepository
    let governance: GovernanceRepository
    let helpers: HelperRepository
    let party: PartyRepository
    let visits: VisitRepository
    let community: CommunityRepository

    /// The village of record `id` of `kind`, nil when there is no such record.
    func village(of kind: RecordKind, _ id: Int) async throws -> DivisionCode? {
        switch kind {
        case .household: try await registry.village(ofHousehold: id)
        case .person: try await registry.village(ofPerson: id)
        case .issue: try await governance.village(ofIssue: id)
        case .meeting: try await governance.village(ofMeeting: id)
        case .grid: try await governance.village(ofGrid: id)
        case .helper: try await helpers.village(ofHelper: id)
        case .branch: try await party.village(ofBranch: id)
        case .visit: try await visits.village(ofVisit: id)
        case .photo: try await visits.village(ofPhoto: id)
        case .activity: try await community.village(ofActivity: id)
        case .project: try await community.village(ofProject: id)
        case .nomination: try await community.village(ofNomination: id)
        }
    }

    /// Whether `identity` may do what `permission` allows to record `id` of `kind` of `village`: the role holds it
    /// there, and a grid leader changes only what lies in the grids whose leader account they are. The one check the
    /// pages' guard and the API both make once they know the record's village.
    func allows(_ identity: Identity, _ permission: Permission, _ kind: RecordKind, _ id: Int, in village: DivisionCode) async throws -> Bool {
        guard identity.can(permission, in: village) else { return false }
        guard identity.role == .gridLeader, permission == .writeRecords else { return true }
        let reach: GovernanceRepository.GridRecord? = switch kind {
        case .household: .household
        case .person: .person
        case .visit: .visit
        case .photo: .photo
        case .issue: .issue
        case .meeting, .grid, .helper, .branch, .activity, .project, .nomination: nil
        }
        guard let reach else { return false }
        return try await governance.gridLeader(identity.userID, reaches: reach, id)
    }

    /// What stops `identity` filing an issue in `village` about `household` under `grid`: nothing for whoever writes for
    /// the village; a grid leader files those of a household of their own grids, under that household's grid.
    func issueFilingProblems(_ identity: Identity, household: Int?, grid: Int?, in village: DivisionCode) async throws -> [FieldIssue] {
        if identity.can(.writeVillage, in: village) { return [] }
        guard let household, try await allows(identity, .writeRecords, .household, household, in: village) else {
            return [FieldIssue(field: "household", message: LocalizedText(
                zh: "网格员登记问题须写明本人所负责网格内的户编号", en: "A grid leader files issues of the households of their own grids: give the household"))]
        }
        if let grid, try await governance.grid(ofHousehold: household)?.id != grid {
            return [FieldIssue(field: "grid", message: LocalizedText(zh: "网格应为这一户所在的网格", en: "The grid must be the household's own"))]
        }
        return []
    }
}
