import Foundation
import NIOCore
import SQLiteNIO
import SidecarCore

/// ``WebhookEventStore`` on SQLite: the `(source, event_id)` unique constraint deduplicates, and
/// every write is one statement, so concurrent callers never share a transaction.
extension SQLiteStore {
    /// Rows per `INSERT` (SQLite allows 32766 bound values; each row binds 11).
    static let webhookRowsPerStatement = 1000

    /// Commits concurrent intakes together (group commit): one statement and one fsync for
    /// every request that arrived while the previous commit was running.
    public func insertWebhookEvents(_ drafts: [WebhookEventDraft], receivedAt: Date) async throws -> [WebhookInsertOutcome] {
        guard !drafts.isEmpty else { return [] }
        return try await webhookInserts.submit(drafts.map { ($0, receivedAt) })
    }

    /// Writes the drafts of several callers; answers each caller's outcomes in order.
    func flushWebhookInserts(_ batches: [[(WebhookEventDraft, Date)]]) async throws -> [[WebhookInsertOutcome]] {
        let rows = batches.flatMap { $0 }
        var outcomes: [WebhookInsertOutcome] = []
        outcomes.reserveCapacity(rows.count)
        // Beyond one statement each chunk is atomic; a vendor retry of the whole body stores
        // only what is missing, since the rest answers as duplicates.
        var start = 0
        while start < rows.count {
            let chunk = Array(rows[start..<min(start + Self.webhookRowsPerStatement, rows.count)])
            outcomes += try await insertWebhookChunk(chunk)
            start += chunk.count
        }
        var answers: [[WebhookInsertOutcome]] = []
        var offset = 0
        for batch in batches {
            answers.append(Array(outcomes[offset..<offset + batch.count]))
            offset += batch.count
        }
        return answers
    }

    private func insertWebhookChunk(_ rows: [(WebhookEventDraft, Date)]) async throws -> [WebhookInsertOutcome] {
        guard !rows.isEmpty else { return [] }
        var ids: [String] = []
        var binds: [SQLiteData] = []
        var values: [String] = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for (index, (draft, receivedAt)) in rows.enumerated() {
            let id = Self.newWebhookEventID()
            ids.append(id)
            let base = index * 11
            values.append("(" + (1...11).map { "?\(base + $0)" }.joined(separator: ", ") + ")")
            let headers = String(decoding: try encoder.encode(draft.headers), as: UTF8.self)
            let received = receivedAt.timeIntervalSince1970
            binds += [
                .text(id), .text(draft.source), .text(draft.eventID), .text(draft.type),
                draft.unifiedType.map { .text($0) } ?? .null, .blob(ByteBuffer(bytes: draft.payload)), .text(headers),
                .float(draft.createdAt.timeIntervalSince1970), .float(received), .text("pending"), .float(received),
            ]
        }
        // A repeat of a stored event, or of an earlier row of this statement, is skipped.
        let inserted = try await connection.query(
            """
            INSERT INTO webhook_events (id, source, event_id, type, unified_type, payload, headers, created_at,
                received_at, status, next_attempt_at)
            VALUES \(values.joined(separator: ", "))
            ON CONFLICT (source, event_id) DO NOTHING
            RETURNING id
            """, binds)
        let stored = Set(inserted.compactMap { $0.column("id")?.string })
        return ids.map { stored.contains($0) ? .stored(id: $0) : .duplicate }
    }

    public func dueWebhookEvents(now: Date, limit: Int) async throws -> [StoredWebhookEvent] {
        try await connection.query(
            "SELECT * FROM webhook_events WHERE status = 'pending' AND next_attempt_at <= ?1 ORDER BY next_attempt_at, received_at LIMIT ?2",
            [.float(now.timeIntervalSince1970), .integer(limit)]
        ).compactMap(Self.webhookEvent(from:))
    }

    public func nextWebhookAttempt() async throws -> Date? {
        let rows = try await connection.query("SELECT MIN(next_attempt_at) AS next FROM webhook_events WHERE status = 'pending'")
        return rows.first?.column("next")?.double.map { Date(timeIntervalSince1970: $0) }
    }

    /// Group-committed like intake: the marks of concurrent deliveries share one statement.
    public func markWebhookDelivered(id: String, attempts: Int, at: Date) async throws {
        try await webhookDeliveredMarks.submit(DeliveredMark(id: id, attempts: attempts, at: at))
    }

    struct DeliveredMark: Sendable {
        var id: String
        var attempts: Int
        var at: Date
    }

    func flushDeliveredMarks(_ marks: [DeliveredMark]) async throws -> [Void] {
        var start = 0
        while start < marks.count {
            let chunk = marks[start..<min(start + Self.webhookRowsPerStatement, marks.count)]
            var values: [String] = []
            var binds: [SQLiteData] = []
            for (index, mark) in chunk.enumerated() {
                values.append("(?\(index * 3 + 1), ?\(index * 3 + 2), ?\(index * 3 + 3))")
                binds += [.text(mark.id), .integer(mark.attempts), .float(mark.at.timeIntervalSince1970)]
            }
            _ = try await connection.query(
                """
                UPDATE webhook_events SET status = 'delivered', attempts = marks.column2, delivered_at = marks.column3,
                    last_error = NULL
                FROM (VALUES \(values.joined(separator: ", "))) AS marks
                WHERE webhook_events.id = marks.column1
                """, binds)
            start += chunk.count
        }
        return marks.map { _ in () }
    }

    public func markWebhookAttemptFailed(id: String, attempts: Int, nextAttemptAt: Date?, error: String) async throws {
        if let nextAttemptAt {
            _ = try await connection.query(
                "UPDATE webhook_events SET attempts = ?2, next_attempt_at = ?3, last_error = ?4 WHERE id = ?1",
                [.text(id), .integer(attempts), .float(nextAttemptAt.timeIntervalSince1970), .text(error)])
        } else {
            _ = try await connection.query(
                "UPDATE webhook_events SET status = 'failed', attempts = ?2, last_error = ?3 WHERE id = ?1",
                [.text(id), .integer(attempts), .text(error)])
        }
    }

    public func webhookEvents(status: WebhookDeliveryStatus?, limit: Int) async throws -> [StoredWebhookEvent] {
        let rows: [SQLiteRow]
        if let status {
            rows = try await connection.query(
                "SELECT * FROM webhook_events WHERE status = ?1 ORDER BY received_at DESC, rowid DESC LIMIT ?2",
                [.text(status.rawValue), .integer(limit)])
        } else {
            rows = try await connection.query(
                "SELECT * FROM webhook_events ORDER BY received_at DESC, rowid DESC LIMIT ?1", [.integer(limit)])
        }
        return rows.compactMap(Self.webhookEvent(from:))
    }

    public func webhookEvent(id: String) async throws -> StoredWebhookEvent? {
        try await connection.query("SELECT * FROM webhook_events WHERE id = ?1", [.text(id)]).first.flatMap(Self.webhookEvent(from:))
    }

    public func replayWebhookEvent(id: String, now: Date) async throws -> StoredWebhookEvent? {
        try await connection.query(
            """
            UPDATE webhook_events SET status = 'pending', attempts = 0, next_attempt_at = ?2, delivered_at = NULL
            WHERE id = ?1 RETURNING *
            """, [.text(id), .float(now.timeIntervalSince1970)]
        ).first.flatMap(Self.webhookEvent(from:))
    }

    public func countWebhookEvents(status: WebhookDeliveryStatus) async throws -> Int {
        let rows = try await connection.query("SELECT COUNT(*) AS n FROM webhook_events WHERE status = ?1", [.text(status.rawValue)])
        return rows.first?.column("n")?.integer ?? 0
    }

    static func webhookEvent(from row: SQLiteRow) -> StoredWebhookEvent? {
        guard let id = row.column("id")?.string, let source = row.column("source")?.string,
              let eventID = row.column("event_id")?.string, let type = row.column("type")?.string,
              let status = row.column("status")?.string.flatMap(WebhookDeliveryStatus.init(rawValue:)) else { return nil }
        let headers = row.column("headers")?.string
            .flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        let draft = WebhookEventDraft(
            source: source, eventID: eventID, type: type, unifiedType: row.column("unified_type")?.string,
            payload: row.column("payload")?.blob.map { Array($0.readableBytesView) } ?? [], headers: headers,
            createdAt: Date(timeIntervalSince1970: row.column("created_at")?.double ?? 0))
        return StoredWebhookEvent(
            id: id, draft: draft, receivedAt: Date(timeIntervalSince1970: row.column("received_at")?.double ?? 0),
            status: status, attempts: row.column("attempts")?.integer ?? 0,
            nextAttemptAt: Date(timeIntervalSince1970: row.column("next_attempt_at")?.double ?? 0),
            deliveredAt: row.column("delivered_at")?.double.map { Date(timeIntervalSince1970: $0) },
            lastError: row.column("last_error")?.string)
    }

    /// `whe_` and 24 random hex digits.
    static func newWebhookEventID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64, low = generator.next() as UInt32
        return "whe_" + String(high, radix: 16).leftPadded(to: 16) + String(low, radix: 16).leftPadded(to: 8)
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
