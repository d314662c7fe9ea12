import Foundation
import SidecarCore

/// The body delivered to the application (API.md, "Inbound webhooks"):
/// `{"id", "provider", "type", "unified_type", "created_at", "data"}`, where `data` is the
/// vendor's payload exactly as stored (never re-encoded, so numbers and key order survive).
public enum UnifiedWebhookPayload {
    public static func body(for event: StoredWebhookEvent) -> [UInt8] {
        let draft = event.draft
        var out: [UInt8] = []
        out.reserveCapacity(draft.payload.count + 256)
        out += Array("{\"id\":".utf8) + quoted(draft.eventID)
        out += Array(",\"provider\":".utf8) + quoted(draft.source)
        out += Array(",\"type\":".utf8) + quoted(draft.type)
        out += Array(",\"unified_type\":".utf8) + (draft.unifiedType.map(quoted) ?? Array("null".utf8))
        out += Array(",\"created_at\":".utf8) + quoted(draft.createdAt.formatted(.iso8601))
        out += Array(",\"data\":".utf8)
        out += draft.payload.isEmpty ? Array("null".utf8) : draft.payload
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? Array(encoder.encode(text))) ?? Array("\"\"".utf8)
    }
}
