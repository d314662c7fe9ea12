import Foundation
import SidecarCore

/// Turns a verified webhook body into the events to store: the vendor's event id (what
/// deduplicates), type, time and payload. A SendGrid body is an array: one event per element.
public enum WebhookEventExtractor {
    /// Extracts the events; a body without the fields the scheme promises is `400 invalid_request`.
    public static func events(
        source: String, scheme: WebhookScheme, body: [UInt8], headers: WebhookRequestHeaders, receivedAt: Date
    ) throws(SidecarError) -> [WebhookEventDraft] {
        let json: JSONValue
        do {
            json = try JSONDecoder().decode(JSONValue.self, from: Data(body))
        } catch {
            throw SidecarError.invalidRequest("body: not valid JSON")
        }
        let audit = headers.subset(scheme.auditHeaders)
        func draft(id: String, type: String, payload: [UInt8], created: Date?) -> WebhookEventDraft {
            WebhookEventDraft(
                source: source, eventID: id, type: type, unifiedType: UnifiedEventType.map(type, scheme: scheme),
                payload: payload, headers: audit, createdAt: created ?? receivedAt)
        }
        switch scheme {
        case .stripe:
            guard let id = json["id"]?.stringValue, !id.isEmpty else { throw SidecarError.invalidRequest("id: the event id is missing") }
            return [draft(id: id, type: try eventType(json["type"], field: "type"), payload: body, created: seconds(json["created"]))]
        case .svix, .standard:
            let names: SvixSignatureVerifier.HeaderNames = scheme == .svix ? .svix : .standard
            guard let id = headers[names.id], !id.isEmpty else { throw SidecarError.invalidRequest("\(names.id): the header is missing") }
            let created = headers[names.timestamp].flatMap(Double.init).map { Date(timeIntervalSince1970: $0) }
            return [draft(id: id, type: try eventType(json["type"], field: "type"), payload: body, created: created)]
        case .sendgrid:
            guard case .array(let elements) = json else { throw SidecarError.invalidRequest("body: expected an array of events") }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var drafts: [WebhookEventDraft] = []
            for (index, element) in elements.enumerated() {
                guard let id = element["sg_event_id"]?.stringValue, !id.isEmpty else {
                    throw SidecarError.invalidRequest("[\(index)].sg_event_id: the event id is missing")
                }
                let payload: [UInt8]
                do { payload = Array(try encoder.encode(element)) } catch { throw SidecarError.invalidRequest("[\(index)]: not encodable") }
                drafts.append(draft(
                    id: id, type: try eventType(element["event"], field: "[\(index)].event"), payload: payload,
                    created: seconds(element["timestamp"])))
            }
            return drafts
        }
    }

    private static func eventType(_ value: JSONValue?, field: String) throws(SidecarError) -> String {
        guard let type = value?.stringValue, !type.isEmpty else { throw SidecarError.invalidRequest("\(field): the event type is missing") }
        return type
    }

    private static func seconds(_ value: JSONValue?) -> Date? {
        guard case .number(let seconds) = value else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }
}
