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
            ])
    ]
}
