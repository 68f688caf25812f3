import Foundation
import SQLKit
import ZhenxingDomain
import ZhenxingStore

/// Writes the current roster of a division (one row per member, head first) in the import's
/// columns, so an exported file imports again unchanged. Households are read 500 at a time by
/// their (village, number) key: memory stays flat whatever the size.
public enum RosterExport {
    /// The columns, in order.
    public static let fields: [RosterField] = RosterField.allCases

    /// Writes the roster of `division` as of `date` to `writer`; ID numbers are masked unless
    /// `fullIDs`. Returns the rows written (members).
    public static func write(
        division: DivisionCode, asOf date: String, fullIDs: Bool, language: Language, database: Database, to writer: any TableWriter
    ) async throws -> Int {
        struct Member: Decodable {
            let villageCode: String
            let number: String
            let groupNumber: Int?
            let naturalVillage: String?
            let address: String
            let attribute: String
            let mainCause: String?
            let otherCauses: String
            let residentId: String
            let name: String
            let sex: String
            let birthDate: String
            let relation: String
            let ethnicity: String
            let education: String
            let inSchool: String
            let health: String
            let labour: String
            let employment: String
            let monthsWorked: Int
            let medicalInsurance: Bool
            let pensionInsurance: Bool
            let partyMember: Bool
            let phone: String
        }
        try writer.append(fields.map { $0.title.text(language) })
        let yes = language == .english ? "yes" : "是", no = language == .english ? "no" : "否"
        var after: (village: String, number: String) = ("", "")
        var written = 0
        while true {
            let members = try await database.read { sql in
                try await sql.raw("""
                    WITH page AS (
                        SELECT id FROM households
                        WHERE village_code LIKE \(bind: division.prefix + "%")
                          AND (village_code > \(bind: after.village) OR (village_code = \(bind: after.village) AND number > \(bind: after.number)))
                        ORDER BY village_code, number LIMIT 500)
                    SELECT h.village_code, h.number, h.group_number, h.natural_village, h.address, h.attribute, h.main_cause, h.other_causes,
                           p.resident_id, p.name, p.sex, p.birth_date, m.relation, p.ethnicity, p.education, p.in_school, p.health, p.labour,
                           p.employment, p.months_worked, p.medical_insurance, p.pension_insurance, p.party_member, p.phone
                    FROM page JOIN households h ON h.id = page.id
                    JOIN memberships m ON m.household_id = h.id AND m.from_date <= \(bind: date) AND (m.to_date IS NULL OR m.to_date > \(bind: date))
                    JOIN people p ON p.id = m.person_id
                    ORDER BY h.village_code, h.number, CASE m.relation WHEN 'head' THEN 0 ELSE 1 END, m.id
                    """).all(decoding: Member.self, keyDecodingStrategy: .convertFromSnakeCase)
            }
            guard let last = members.last else { break }
            var index = 0
            while index < members.count {
                let household = members[index..<(members[index...].firstIndex { $0.number != members[index].number || $0.villageCode != members[index].villageCode } ?? members.count)]
                let head = household.first { $0.relation == Relation.head.rawValue }
                for member in household {
                    let id = fullIDs ? member.residentId : (try? ResidentID(validating: member.residentId).masked) ?? ""
                    let cells: [RosterField: String] = [
                        .village: member.villageCode, .householdNumber: member.number, .name: member.name, .residentID: id,
                        .relation: (Relation(rawValue: member.relation)?.title).map { $0.text(language) } ?? member.relation,
                        .headName: head?.name ?? "", .size: String(household.count),
                        .sex: (ResidentID.Sex(rawValue: member.sex)?.title).map { $0.text(language) } ?? "", .birthDate: member.birthDate,
                        .group: member.groupNumber.map(String.init) ?? "", .naturalVillage: member.naturalVillage ?? "", .address: member.address,
                        .attribute: (HouseholdAttribute(rawValue: member.attribute)?.title).map { $0.text(language) } ?? "",
                        .mainCause: (member.mainCause.flatMap(PovertyCause.init)?.title).map { $0.text(language) } ?? "",
                        .otherCauses: member.otherCauses.split(separator: ",").compactMap { PovertyCause(rawValue: String($0))?.title.text(language) }
                            .joined(separator: "、"),
                        .ethnicity: member.ethnicity, .education: member.education, .inSchool: member.inSchool, .health: member.health,
                        .labour: member.labour, .employment: member.employment, .monthsWorked: String(member.monthsWorked),
                        .medicalInsurance: member.medicalInsurance ? yes : no, .pensionInsurance: member.pensionInsurance ? yes : no,
                        .partyMember: member.partyMember ? yes : no, .phone: member.phone,
                    ]
                    try writer.append(row(cells))
                    written += 1
                }
                index = household.endIndex
            }
            after = (last.villageCode, last.number)
        }
        try writer.finish()
        return written
    }

    /// A row in the columns' order.
    public static func row(_ cells: [RosterField: String]) -> [String] {
        fields.map { cells[$0] ?? "" }
    }

    /// The columns written as numbers in xlsx.
    public static let numericColumns: Set<Int> = Set([RosterField.size, .group, .monthsWorked].compactMap { fields.firstIndex(of: $0) })

    /// Writes the import template: the headers and one example row, and a sheet explaining the values.
    public static func template(to url: URL) throws {
        let writer = try XLSXWriter(url: url, sheet: "花名册", numericColumns: numericColumns)
        try writer.append(fields.map(\.title.zh))
        let example: [RosterField: String] = [
            .village: "411324104201", .householdNumber: "0001", .name: "张三", .residentID: "41132419800101001" + String(ResidentID.checkCharacter(for: "41132419800101001")), .relation: "户主",
            .headName: "张三", .size: "1", .sex: "男", .birthDate: "1980-01-01", .group: "3", .naturalVillage: "东沟", .address: "凉水泉村三组 12 号",
            .attribute: "一般户", .mainCause: "因病", .otherCauses: "缺技术、缺资金", .ethnicity: "汉族", .education: "初中", .inSchool: "",
            .health: "健康", .labour: "普通劳动力", .employment: "县外务工", .monthsWorked: "10", .medicalInsurance: "是", .pensionInsurance: "是",
            .partyMember: "否", .phone: "13800000000",
        ]
        try writer.append(row(example))
        try writer.addSheet("填写说明")
        try writer.append(["列名", "是否必填", "可填的值"])
        let allowed: [RosterField: String] = [
            .village: "12 位村级区划代码；填写时必须是导入的村",
            .householdNumber: "同一户的成员填同一编号，且排在一起",
            .residentID: "18 位居民身份证号；请把该列设为“文本”格式，避免 Excel 改成科学计数法",
            .relation: Relation.allCases.map(\.title.zh).joined(separator: "、") + "；每户一位户主",
            .attribute: HouseholdAttribute.allCases.map(\.title.zh).joined(separator: "、"),
            .mainCause: PovertyCause.allCases.map(\.title.zh).joined(separator: "、"),
            .otherCauses: "同上，多个用“、”分隔",
            .sex: "可不填；填写时须与身份证号一致",
            .birthDate: "可不填；填写时须与身份证号一致",
            .size: "可不填；填写时须等于本户成员行数",
            .monthsWorked: "0 到 12",
            .medicalInsurance: "是 / 否", .pensionInsurance: "是 / 否", .partyMember: "是 / 否",
        ]
        for field in fields {
            try writer.append([field.title.zh, RosterField.required.contains(field) ? "必填" : "", allowed[field] ?? ""])
        }
        try writer.finish()
    }
}
