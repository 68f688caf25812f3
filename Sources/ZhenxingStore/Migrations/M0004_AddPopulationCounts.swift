import SQLKit

/// Registered population entered per village and year, for villages whose registry holds only
/// their poor households: the incidence's denominator then comes from this figure.
enum M0004_AddPopulationCounts {
    static let migration = Migration(version: 4, name: "AddPopulationCounts") { _ in
        [
            """
            CREATE TABLE population_counts (
                village_code TEXT NOT NULL REFERENCES divisions (code),
                year INTEGER NOT NULL,
                population INTEGER NOT NULL CHECK (population >= 0),
                source TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (village_code, year)
            )
            """,
        ]
    }
}
