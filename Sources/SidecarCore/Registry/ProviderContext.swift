import AsyncHTTPClient
import Foundation
import Logging

/// What a provider factory receives: shared resources a provider uses but never creates.
public struct ProviderContext: Sendable {
    /// The one HTTP transport of the process (retries, deadlines, error mapping).
    public var transport: HTTPTransport
    public var logger: Logger
    public var store: any SidecarStore
    /// Where console providers write their lines.
    public var console: LineWriter
    /// The current time; fixed in tests.
    public var now: @Sendable () -> Date
    /// Where a provider emits events into the inbound-webhook pipeline (stored, deduplicated,
    /// delivered to the application); nil where no pipeline runs.
    public var webhookSink: (any WebhookEventSink)?

    public init(
        transport: HTTPTransport, logger: Logger, store: any SidecarStore,
        console: LineWriter = .standardOutput, now: @escaping @Sendable () -> Date = { Date() },
        webhookSink: (any WebhookEventSink)? = nil
    ) {
        self.transport = transport
        self.logger = logger
        self.store = store
        self.console = console
        self.now = now
        self.webhookSink = webhookSink
    }
}
