import SQLKit
import ZhenxingDomain

/// The yearly assessment records the household's rigid spending (刚性支出: medical bills after insurance, schooling),
/// which the monitoring rule `rigid_spending` compares with the year's net income; its default share is seeded as a
/// dated rule parameter. Existing assessments have none recorded.
enum M0023_AddRigidSpending {
    static let migration = Migration(version: 23, name: "AddRigidSpending") { _ in
        let most = String(FieldIssue.money.upperBound)
        return ["medical_spending", "schooling_spending"].map { column in
            "ALTER TABLE assessments ADD COLUMN \(ident: column) BIGINT NOT NULL DEFAULT 0 CHECK (\(ident: column) BETWEEN 0 AND \(unsafeRaw: most))"
        } + [
            """
            INSERT INTO monitoring_rule_parameters (scope, year, rule, value, source, updated_at)
            VALUES ('*', 2021, 'rigid_spending', 5000, '默认预警比例：医疗、教育刚性支出超过当年家庭纯收入50%（各省按本省规定调整）', '2026-01-01T00:00:00.000Z')
            """,
        ]
    }
}
