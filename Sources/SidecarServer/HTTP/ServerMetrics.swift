import Prometheus
import SidecarCore

/// The daemon's Prometheus registry and the request metrics recorded on every call.
///
/// Names follow OpenTelemetry style; the exposition turns dots into underscores
/// (`sidecar.requests` → `sidecar_requests_total`).
public struct ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    static let durationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    static var requests: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "sidecar", metricName: "requests", unitName: "total", helpText: "Requests answered, by route, method and status.") }
    static var requestDuration: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "sidecar", subsystem: "request", metricName: "duration", unitName: "seconds",
        helpText: "Time from request to response, by route.") }
    static var reloads: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "sidecar", subsystem: "config", metricName: "reloads", unitName: "total",
        helpText: "Configuration reloads, by outcome.") }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// Counts one answered request and its duration; `route` is the matched route pattern.
    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: Self.requests, labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: Self.requestDuration, labels: [("route", route)], buckets: Self.durationBuckets
        ).record(duration)
    }

    /// Counts a configuration reload by outcome (`ok` or `failed`).
    func recordReload(ok: Bool) {
        registry.makeCounter(descriptor: Self.reloads, labels: [("outcome", ok ? "ok" : "failed")]).increment()
    }

    /// The Prometheus text exposition.
    func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4096)
        registry.emit(into: &buffer)
        return buffer
    }
}
