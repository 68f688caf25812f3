import SQLKit

/// A person's in-school status (在校生情况), and edit versions on policy parameters.
enum M0005_AddInSchoolAndParameterVersions {
    static let migration = Migration(version: 5, name: "AddInSchoolAndParameterVersions") { _ in
        [
            "ALTER TABLE people ADD COLUMN in_school TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE policy_parameters ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
        ]
    }
}
