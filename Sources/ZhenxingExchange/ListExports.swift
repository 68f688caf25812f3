import Foundation
import ZhenxingDomain
import ZhenxingStore

/// The meetings (一会四题, 联席会议 …) of a division as a table.
public enum MeetingExport {
    /// Writes the meetings of `division`; returns the rows written.
    public static func write(division: DivisionCode, language: Language, governance: GovernanceRepository, to writer: any TableWriter) async throws -> Int {
        try writer.append(language == .english
            ? ["Village", "Date", "Kind", "Title", "Place", "Chair"] : ["村代码", "日期", "类型", "会议名称", "地点", "主持人"])
        return try await writer.appendPages(page: { try await governance.meetings(in: division, before: $0, limit: $1) },
                                            key: { NewestFirst(date: $0.heldOn, id: $0.id) }) { row in
            [row.villageCode, row.heldOn, MeetingKind(rawValue: row.kind)?.title.text(language) ?? row.kind, row.title, row.place, row.chair]
        }
    }
}

/// The projects of a division with their totals as a table.
public enum ProjectExport {
    /// Writes the projects of `division`; returns the rows written.
    public static func write(division: DivisionCode, language: Language, community: CommunityRepository, to writer: any TableWriter) async throws -> Int {
        try writer.append(language == .english
            ? ["Village", "Project", "Kind", "Partner", "Status", "Started", "Investment (yuan)", "Land (mu)", "Jobs", "Beneficiary households"]
            : ["村代码", "项目", "类型", "合作企业", "状态", "开工日期", "投资（元）", "流转面积（亩）", "带动就业（人）", "受益户"])
        let rows = try await community.projects(in: division)
        for row in rows {
            try writer.append([
                row.villageCode, row.name, ProjectKind(rawValue: row.kind)?.title.text(language) ?? row.kind, row.partner,
                ProjectStatus(rawValue: row.status)?.title.text(language) ?? row.status, row.startedOn ?? "",
                FixedPoint.format(row.investmentFen, scale: 2, minimumFractionDigits: 2, grouped: false), FixedPoint.format(row.landMuHundredths, scale: 2, grouped: false),
                String(row.jobs), String(row.beneficiaries),
            ])
        }
        try writer.finish()
        return rows.count
    }
}

/// The honours of a year (nominations, votes, winners) as a table.
public enum HonourExport {
    /// Writes the nominations of `division` in `year`; returns the rows written.
    public static func write(division: DivisionCode, year: Int, language: Language, community: CommunityRepository, to writer: any TableWriter) async throws -> Int {
        let english = language == .english
        try writer.append(english
            ? ["Village", "Year", "Honour", "Nominee", "Nominated by", "Reason", "Votes", "Winner", "Announced on"]
            : ["村代码", "年度", "评选", "被推荐人", "推荐人", "推荐理由", "票数", "是否获评", "公布日期"])
        let rows = try await community.nominations(in: division, year: year)
        for row in rows {
            try writer.append([row.villageCode, String(row.year), row.typeName, row.nominee, row.nominatedBy, row.reason, String(row.votes),
                               row.winner ? (english ? "yes" : "是") : "", row.announcedOn ?? ""])
        }
        try writer.finish()
        return rows.count
    }
}

/// The collective income entries of a year as a table.
public enum IncomeExport {
    /// Writes the collective income of `division` in `year`; returns the rows written.
    public static func write(division: DivisionCode, year: Int, language: Language, community: CommunityRepository, to writer: any TableWriter) async throws -> Int {
        try writer.append(language == .english
            ? ["Village", "Received on", "Source", "Amount (yuan)", "Note"] : ["村代码", "到账日期", "收入来源", "金额（元）", "备注"])
        let rows = try await community.income(in: division, year: year)
        for row in rows {
            try writer.append([row.villageCode, row.receivedOn, row.source, FixedPoint.format(row.amountFen, scale: 2, minimumFractionDigits: 2, grouped: false), row.note])
        }
        try writer.finish()
        return rows.count
    }
}

/// The households list as it is shown — filtered by group, status, attribute, cause or search, as of a date — read and
/// written page by page.
public enum HouseholdListExport {
    /// Writes the households of `division` that pass `filter` on `date`; returns the rows written.
    public static func write(division: DivisionCode, filter: HouseholdFilter, asOf date: String, language: Language, registry: RegistryRepository,
                             to writer: any TableWriter) async throws -> Int {
        try writer.append(language == .english
            ? ["Village", "Household", "Head", "Group", "Members", "Status on \(date)", "Attribute"]
            : ["村代码", "户编号", "户主", "组", "人数", "\(date) 状态", "户属性"])
        return try await writer.appendPages(page: { try await registry.households(in: division, filter: filter, asOf: date, after: $0, limit: $1) },
                                            key: \.key) { row in
            [row.villageCode, row.number, row.headName ?? "", row.groupNumber.map(String.init) ?? "", String(row.members),
             PovertyStatus(rawValue: row.status)?.title.text(language) ?? row.status, HouseholdAttribute(rawValue: row.attribute)?.title.text(language) ?? row.attribute]
        }
    }
}

/// The people living in a division on a date as a table, ID numbers masked unless `fullIDs` (which the caller checks
/// and records). Read 2,000 at a time by their key: memory stays flat.
public enum PeopleListExport {
    /// Writes the people of `division` that pass the filters on `date`; returns the rows written.
    public static func write(division: DivisionCode, work: WorkFilter?, search: String?, asOf date: String, fullIDs: Bool, language: Language,
                             registry: RegistryRepository, to writer: any TableWriter) async throws -> Int {
        let yes = language == .english ? "yes" : "是", no = language == .english ? "no" : "否"
        try writer.append(language == .english
            ? ["Village", "Household", "Group", "Name", "ID number", "Sex", "Birth date", "Relation", "Health", "Labour", "Employment", "Months worked", "Party member"]
            : ["村代码", "户编号", "组", "姓名", "身份证号", "性别", "出生日期", "与户主关系", "健康状况", "劳动技能", "务工情况", "务工月数", "党员"])
        return try await writer.appendPages(page: { try await registry.people(in: division, work: work, search: search, asOf: date, after: $0, limit: $1) },
                                            key: \.key) { row in
            [row.villageCode, row.householdNumber, row.groupNumber.map(String.init) ?? "", row.name,
             fullIDs ? row.residentId : (try? ResidentID(validating: row.residentId).masked) ?? "",
             ResidentID.Sex(rawValue: row.sex)?.title.text(language) ?? row.sex, row.birthDate,
             Relation(rawValue: row.relation)?.title.text(language) ?? row.relation, row.health, row.labour, row.employment,
             String(row.monthsWorked), row.partyMember ? yes : no]
        }
    }
}

/// The assessments (收入核算与“两不愁三保障”) of a year in a division as a table, each with its exit check against the
/// year's poverty line. Read 2,000 at a time by their key: memory stays flat.
public enum AssessmentListExport {
    /// Writes the assessments of `year` of `division`; returns the rows written.
    public static func write(division: DivisionCode, year: Int, group: Int?, language: Language, registry: RegistryRepository,
                             to writer: any TableWriter) async throws -> Int {
        let line = try await registry.parameters(for: division, year: year).povertyLineFen
        let yes = language == .english ? "yes" : "是", no = language == .english ? "no" : "否"
        let yuan = { (fen: Int) in FixedPoint.format(fen, scale: 2, minimumFractionDigits: 2) }
        try writer.append(language == .english
            ? ["Village", "Household", "Head", "Members", "Wages", "Production", "Property", "Transfers", "Production costs", "Net income",
               "Per capita", "Poverty line", "Medical bills paid", "Schooling costs", "Food and clothing", "Education", "Medical care", "Housing", "Drinking water", "Passes", "Note"]
            : ["村代码", "户编号", "户主", "人数", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出", "家庭纯收入",
               "人均纯收入", "贫困线", "医疗自付支出", "教育支出", "不愁吃穿", "义务教育", "基本医疗", "住房安全", "饮水安全", "达到退出标准", "备注"])
        return try await writer.appendPages(page: { try await registry.assessments(in: division, year: year, group: group, after: $0, limit: $1) },
                                            key: \.key) { row in
            let assessment = row.assessment, income = assessment.income, guarantees = assessment.guarantees
            let passes = line.map { line in
                ExitRules.household(income: income, members: assessment.members, guarantees: guarantees, povertyLineFen: line).allSatisfy(\.passes)
            }
            return [
                row.villageCode, row.householdNumber, row.headName ?? "", String(assessment.members), yuan(income.wages), yuan(income.production),
                yuan(income.property), yuan(income.transfers), yuan(income.productionCosts), yuan(income.netIncome),
                income.perCapita(members: assessment.members).map(yuan) ?? "", line.map(yuan) ?? "",
                yuan(assessment.spending.medical), yuan(assessment.spending.schooling),
                guarantees.foodAndClothing ? yes : no, guarantees.education ? yes : no, guarantees.medical ? yes : no,
                guarantees.housing ? yes : no, guarantees.water ? yes : no, passes.map { $0 ? yes : no } ?? "", assessment.note,
            ]
        }
    }
}
