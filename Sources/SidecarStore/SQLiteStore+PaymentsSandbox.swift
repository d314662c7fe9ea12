import Foundation
import NIOCore
import SQLiteNIO
import SidecarCore

/// ``PaymentsSandboxStore`` on SQLite: every write is one statement, so an insert that finds
/// its key taken and an update whose state moved on change nothing.
extension SQLiteStore {
    public func insertSandboxRecord(_ record: SandboxRecord) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO payments_sandbox (kind, id, customer_id, state, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT (kind, id) DO NOTHING RETURNING 1
            """,
            [
                .text(record.kind.rawValue), .text(record.id), record.customerID.map { .text($0) } ?? .null, .text(record.state),
                .blob(ByteBuffer(bytes: record.body)), .float(record.createdAt.timeIntervalSince1970),
            ])
        return !rows.isEmpty
    }

    public func sandboxRecord(kind: SandboxRecord.Kind, id: String) async throws -> SandboxRecord? {
        let rows = try await connection.query(
            "SELECT customer_id, state, body, created_at FROM payments_sandbox WHERE kind = ?1 AND id = ?2",
            [.text(kind.rawValue), .text(id)])
        return rows.first.map { Self.sandboxRecord(kind: kind, id: id, row: $0) }
    }

    public func updateSandboxRecord(
        kind: SandboxRecord.Kind, id: String, expectedState: String, newState: String, body: [UInt8]
    ) async throws -> Bool {
        let rows = try await connection.query(
            "UPDATE payments_sandbox SET state = ?4, body = ?5 WHERE kind = ?1 AND id = ?2 AND state = ?3 RETURNING 1",
            [.text(kind.rawValue), .text(id), .text(expectedState), .text(newState), .blob(ByteBuffer(bytes: body))])
        return !rows.isEmpty
    }

    public func sandboxRecords(kind: SandboxRecord.Kind, customerID: String) async throws -> [SandboxRecord] {
        let rows = try await connection.query(
            """
            SELECT id, customer_id, state, body, created_at FROM payments_sandbox
            WHERE customer_id = ?1 AND kind = ?2 ORDER BY created_at, id
            """,
            [.text(customerID), .text(kind.rawValue)])
        return rows.map { Self.sandboxRecord(kind: kind, id: $0.column("id")?.string ?? "", row: $0) }
    }

    private static func sandboxRecord(kind: SandboxRecord.Kind, id: String, row: SQLiteRow) -> SandboxRecord {
        SandboxRecord(
            kind: kind, id: id, customerID: row.column("customer_id")?.string, state: row.column("state")?.string ?? "",
            body: row.column("body")?.blob.map { Array($0.readableBytesView) } ?? [],
            createdAt: Date(timeIntervalSince1970: row.column("created_at")?.double ?? 0))
    }
}
