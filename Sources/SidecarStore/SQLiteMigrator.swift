import Foundation
import Logging
import SQLiteNIO

/// Applies pending ``StoreMigration``s to an SQLite database and records each in `schema_migrations`.
struct SQLiteMigrator {
    let connection: SQLiteConnection
    let logger: Logger

    func currentVersion() async throws -> Int {
        let rows = try await connection.query("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations")
        return rows.first?.column("version")?.integer ?? 0
    }

    func migrate(_ migrations: [StoreMigration]) async throws {
        _ = try await connection.query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)")
        let current = try await currentVersion()
        for migration in migrations.sorted(by: { $0.version < $1.version }) where migration.version > current {
            do {
                _ = try await connection.query("BEGIN IMMEDIATE")
                for statement in migration.statements {
                    _ = try await connection.query(statement)
                }
                _ = try await connection.query(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                    [.integer(migration.version), .text(migration.name), .float(Date().timeIntervalSince1970)])
                _ = try await connection.query("COMMIT")
                logger.info("applied store migration", metadata: ["sidecar.migration": "\(migration.version) \(migration.name)"])
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw StoreError.migrationFailed(version: migration.version, reason: "\(error)")
            }
        }
    }
}
