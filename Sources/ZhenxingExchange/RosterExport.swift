import Foundation
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
        try writer.append(fields.map { $0.title.text(language) })
        let yes = language == .english ? "yes" : "是", no = language == .english ? "no" : "否"
        var after: (village: String, number: String) = ("", "")
        var written = 0
        while true {
            let members = try await RosterStore.members(of: division, asOf: date, after: after, households: 500, database: database)
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
