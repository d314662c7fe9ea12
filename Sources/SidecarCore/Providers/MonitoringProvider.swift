import Foundation

/// One report for the monitoring vendor: an exception, a message or a transaction, with the
/// user it concerns (many processes share one daemon, so the user travels with each report).
public struct MonitoringEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case exception, message, transaction }
    public var id: String
    public var kind: Kind
    public var timestamp: Date
    /// The unified request body, as the caller sent it.
    public var payload: [String: JSONValue]

    public init(id: String, kind: Kind, timestamp: Date, payload: [String: JSONValue]) {
        self.id = id
        self.kind = kind
        self.timestamp = timestamp
        self.payload = payload
    }
}

/// Reports errors, messages and transactions to one vendor.
///
/// ## Implementation requirements
/// - `send` receives a batch gathered in the background; the caller of the API never waits on
///   it. It throws ``SidecarError`` with `retryable` set when the batch may be sent again.
/// - Every implementation passes the monitoring conformance suite.
public protocol MonitoringProvider: Sendable {
    var name: String { get }
    func send(_ events: [MonitoringEvent]) async throws
    func shutdown() async
}

extension MonitoringProvider {
    public func shutdown() async {}
}
