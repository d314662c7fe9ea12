import Hummingbird
import NIOCore
import SidecarCore

/// Per-request state: the request id, and the provider snapshot the request took at its start.
public struct SidecarRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The `X-Request-Id` echoed or generated for this request.
    public var requestID: String = ""
    /// The provider set this request uses from start to end.
    public var providers: ProviderSet?
    /// The JSON body limit (`listen.max_body_bytes`).
    public var maxUploadSize: Int = 10 * 1024 * 1024
    /// The connection's channel, for peer credentials.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// The snapshot, which the envelope middleware always sets before a route runs.
    public func providerSet() throws(SidecarError) -> ProviderSet {
        guard let providers else { throw SidecarError(.providerUnavailable, "the daemon is not ready") }
        return providers
    }
}
