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
}
