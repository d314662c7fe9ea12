/// One step of the schema, applied once, in order, inside a transaction.
public struct StoreMigration: Sendable {
    public var version: Int
    public var name: String
    public var statements: [String]
}

/// The store's schema history. Append only: a shipped migration is never edited.
enum StoreMigrations {
    static let all: [StoreMigration] = [
        StoreMigration(
            version: 1, name: "idempotency_keys",
            statements: [
                """
                CREATE TABLE idempotency_keys (
                    scope TEXT NOT NULL,
                    key TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
                    status INTEGER,
                    content_type TEXT,
                    body BLOB,
                    created_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    PRIMARY KEY (scope, key)
                )
                """,
                "CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at)",
            ]),
        StoreMigration(
            version: 2, name: "webhook_events",
            statements: [
                """
                CREATE TABLE webhook_events (
                    id TEXT PRIMARY KEY,
                    source TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    unified_type TEXT,
                    payload BLOB NOT NULL,
                    headers TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    received_at REAL NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL,
                    delivered_at REAL,
                    last_error TEXT,
                    UNIQUE (source, event_id)
                )
                """,
                "CREATE INDEX webhook_events_due ON webhook_events (status, next_attempt_at)",
                "CREATE INDEX webhook_events_received ON webhook_events (status, received_at)",
            ]),
        StoreMigration(
            version: 3, name: "payments_sandbox",
            statements: [
                """
                CREATE TABLE payments_sandbox (
                    kind TEXT NOT NULL,
                    id TEXT NOT NULL,
                    customer_id TEXT,
                    state TEXT NOT NULL,
                    body BLOB NOT NULL,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (kind, id)
                )
                """,
                "CREATE INDEX payments_sandbox_customer ON payments_sandbox (customer_id, kind, created_at)",
            ]),
    ]
}
