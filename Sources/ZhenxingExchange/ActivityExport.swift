import Foundation
import ZhenxingDomain
import ZhenxingStore

/// The activities of a year (讲习, trainings, health checks, mediations …) as a table with their attendance.
public enum ActivityExport {
    /// Writes the activities of `division` in `year` (of one kind when given), newest first as the page lists them;
    /// returns the rows written.
    public static func write(division: DivisionCode, year: Int, kind: ActivityKind?, language: Language, community: CommunityRepository,
                             to writer: any TableWriter) async throws -> Int {
        let english = language == .english
        try writer.append(english
            ? ["Village", "Date", "Kind", "Title", "Place", "Organiser", "Partner", "Speaker", "Speaker type", "Classroom", "Person-times", "Counted, no list", "Parties", "Outcome"]
            : ["村代码", "日期", "类型", "名称", "地点", "组织者", "合作单位", "主讲人", "主讲类型", "课堂", "人次", "按人数统计（无名单）", "当事人", "调解结果"])
        return try await writer.appendPages(page: { try await community.activities(in: division, year: year, kind: kind, before: $0, limit: $1) },
                                            key: { NewestFirst(date: $0.heldOn, id: $0.id) }) { row in
            [row.villageCode, row.heldOn, ActivityKind(rawValue: row.kind)?.title.text(language) ?? row.kind, row.title, row.place, row.organiser,
             row.partner, row.speaker, row.speakerType.flatMap(SpeakerType.init(rawValue:))?.title.text(language) ?? "",
             row.classroom.flatMap(Classroom.init(rawValue:))?.title.text(language) ?? "", String(row.attendance),
             row.counted == nil ? "" : (english ? "yes" : "是"), row.parties, row.outcome]
        }
    }
}
