import SQLKit

/// Divisions of the 12-digit scheme and the standing facts of villages.
enum M0001_AddDivisions {
    static let migration = Migration(version: 1, name: "AddDivisions") { dialect in
        [
            """
            CREATE TABLE divisions (
                code TEXT PRIMARY KEY CHECK (length(code) = 12),
                name TEXT NOT NULL,
                level TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'township', 'village')),
                parent_code TEXT REFERENCES divisions (code),
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX divisions_by_parent ON divisions (parent_code, code)",
            """
            CREATE TABLE village_profiles (
                village_code TEXT PRIMARY KEY REFERENCES divisions (code),
                area_square_metres BIGINT NOT NULL CHECK (area_square_metres >= 0),
                farmland_mu_hundredths BIGINT NOT NULL CHECK (farmland_mu_hundredths >= 0),
                mountain_land_mu_hundredths BIGINT NOT NULL CHECK (mountain_land_mu_hundredths >= 0),
                version INTEGER NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE village_designations (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES village_profiles (village_code),
                position INTEGER NOT NULL,
                title TEXT NOT NULL,
                UNIQUE (village_code, position)
            )
            """,
            """
            CREATE TABLE village_honours (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES village_profiles (village_code),
                year INTEGER NOT NULL,
                title TEXT NOT NULL
            )
            """,
            "CREATE INDEX village_honours_by_village ON village_honours (village_code, year)",
            """
            CREATE TABLE village_groups (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES village_profiles (village_code),
                number INTEGER NOT NULL CHECK (number >= 1),
                name TEXT NOT NULL,
                UNIQUE (village_code, number)
            )
            """,
            """
            CREATE TABLE natural_villages (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES village_profiles (village_code),
                name TEXT NOT NULL,
                UNIQUE (village_code, name)
            )
            """,
        ]
    }
}
