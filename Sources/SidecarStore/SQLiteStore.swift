import Foundation
import Logging
import NIOCore
import SQLiteNIO
import SidecarCore

/// The embedded store: one SQLite file in WAL mode, schema kept by versioned migrations.
///
/// Every statement that must be atomic (claiming an idempotency key) is a single SQL statement,
/// so the same logic holds on PostgreSQL.
public actor SQLiteStore: SidecarStore {
    public nonisolated let backend = "sqlite"
    let connection: SQLiteConnection
    private let logger: Logger
    private var closed = false
    /// Group commit of webhook intake and delivery marks (SQLiteStore+Webhooks.swift).
    lazy var webhookInserts = GroupCommitQueue<[(WebhookEventDraft, Date)], [WebhookInsertOutcome]>(maxBatch: 256) { [unowned self] in
        try await self.flushWebhookInserts($0)
    }
    lazy var webhookDeliveredMarks = GroupCommitQueue<DeliveredMark, Void>(maxBatch: 256) { [unowned self] in
        try await self.flushDeliveredMarks($0)
    }

    private init(connection: SQLiteConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Opens (creating when missing) the database at `path` and applies pending migrations.
    /// `:memory:` opens a private in-memory database.
    public static func open(path: String, logger: Logger) async throws -> SQLiteStore {
        let storage: SQLiteConnection.Storage
        if path == ":memory:" {
            storage = .memory
        } else {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            storage = .file(path: path)
        }
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: storage, logger: logger)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        let store = SQLiteStore(connection: connection, logger: logger)
        try await store.prepare()
        return store
    }

    private func prepare() async throws {
        _ = try await connection.query("PRAGMA journal_mode=WAL")
        _ = try await connection.query("PRAGMA busy_timeout=5000")
        _ = try await connection.query("PRAGMA foreign_keys=ON")
        try await SQLiteMigrator(connection: connection, logger: logger).migrate(StoreMigrations.all)
    }

    public func schemaVersion() async throws -> Int {
        try await SQLiteMigrator(connection: connection, logger: logger).currentVersion()
    }

    public func close() async throws {
        guard !closed else { return }
        closed = true
        try await connection.close()
    }

    // MARK: IdempotencyStore

    public func claim(scope: String, key: String, fingerprint: String, now: Date, ttl: TimeInterval) async throws -> IdempotencyClaim {
        let nowSeconds = now.timeIntervalSince1970
        // One statement: insert, or take over an expired entry; a row comes back only if we won.
        let won = try await connection.query(
            """
            INSERT INTO idempotency_keys (scope, key, fingerprint, state, created_at, expires_at)
            VALUES (?1, ?2, ?3, 'pending', ?4, ?5)
            ON CONFLICT (scope, key) DO UPDATE SET
                fingerprint = excluded.fingerprint, state = 'pending', status = NULL, content_type = NULL,
                body = NULL, created_at = excluded.created_at, expires_at = excluded.expires_at
            WHERE idempotency_keys.expires_at <= ?4
            RETURNING 1
            """,
            [.text(scope), .text(key), .text(fingerprint), .float(nowSeconds), .float(nowSeconds + ttl)])
        if !won.isEmpty { return .claimed }

        let rows = try await connection.query(
            "SELECT fingerprint, state, status, content_type, body FROM idempotency_keys WHERE scope = ?1 AND key = ?2",
            [.text(scope), .text(key)])
        guard let row = rows.first else { return .inProgress }
        guard row.column("fingerprint")?.string == fingerprint else { return .conflict }
        guard row.column("state")?.string == "done", let status = row.column("status")?.integer else { return .inProgress }
        let body = row.column("body")?.blob.map { Array($0.readableBytesView) } ?? []
        return .replay(StoredResponse(status: status, contentType: row.column("content_type")?.string ?? "application/json", body: body))
    }

    public func complete(scope: String, key: String, response: StoredResponse) async throws {
        _ = try await connection.query(
            "UPDATE idempotency_keys SET state = 'done', status = ?3, content_type = ?4, body = ?5 WHERE scope = ?1 AND key = ?2",
            [.text(scope), .text(key), .integer(response.status), .text(response.contentType), .blob(ByteBuffer(bytes: response.body))])
    }

    public func release(scope: String, key: String) async throws {
        _ = try await connection.query(
            "DELETE FROM idempotency_keys WHERE scope = ?1 AND key = ?2 AND state = 'pending'", [.text(scope), .text(key)])
    }

    public func purgeExpired(now: Date) async throws -> Int {
        let rows = try await connection.query(
            "DELETE FROM idempotency_keys WHERE expires_at <= ?1 RETURNING 1", [.float(now.timeIntervalSince1970)])
        return rows.count
    }
}

/// Why the store could not be used.
public enum StoreError: Error, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case migrationFailed(version: Int, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the SQLite store at \(path): \(reason)"
        case .migrationFailed(let version, let reason): "store migration \(version) failed: \(reason)"
        }
    }
}
