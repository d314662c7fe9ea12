import Prometheus
import SidecarWebhooks

/// The webhook pipeline's metrics (`sidecar.webhooks.*`).
extension ServerMetrics: WebhookMetrics {
    static let webhookLatencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(300),
        .seconds(3600),
    ]

    static var webhooksReceived: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "sidecar", subsystem: "webhooks", metricName: "received", unitName: "total",
        helpText: "Inbound webhook events stored, by source.") }
    static var webhooksRejected: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "sidecar", subsystem: "webhooks", metricName: "rejected", unitName: "total",
        helpText: "Inbound webhook requests refused before storing, by source and reason.") }
    static var webhooksDelivered: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "sidecar", subsystem: "webhooks", metricName: "delivered", unitName: "total",
        helpText: "Events the application acknowledged, by source.") }
    static var webhooksAttemptsFailed: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "sidecar", subsystem: "webhooks", metricName: "attempts_failed", unitName: "total",
        helpText: "Delivery attempts without a 2xx answer, by source.") }
    static var webhooksFailed: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "sidecar", subsystem: "webhooks", metricName: "failed", unitName: "total",
        helpText: "Events that ran out of delivery attempts (dead letters), by source.") }
    static var webhooksQueueDepth: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "sidecar", subsystem: "webhooks", metricName: "queue", unitName: "depth",
        helpText: "Events waiting for delivery to the application.") }
    static var webhooksDeliveryLatency: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "sidecar", subsystem: "webhooks", metricName: "delivery_latency", unitName: "seconds",
        helpText: "Time from receiving an event to the application's acknowledgement, by source.") }

    public func webhookReceived(source: String) {
        registry.makeCounter(descriptor: Self.webhooksReceived, labels: [("source", source)]).increment()
    }

    public func webhookRejected(source: String, reason: String) {
        registry.makeCounter(descriptor: Self.webhooksRejected, labels: [("source", source), ("reason", reason)]).increment()
    }

    public func webhookDelivered(source: String, latency: Duration) {
        registry.makeCounter(descriptor: Self.webhooksDelivered, labels: [("source", source)]).increment()
        registry.makeDurationHistogram(
            descriptor: Self.webhooksDeliveryLatency, labels: [("source", source)], buckets: Self.webhookLatencyBuckets
        ).record(latency)
    }

    public func webhookAttemptFailed(source: String) {
        registry.makeCounter(descriptor: Self.webhooksAttemptsFailed, labels: [("source", source)]).increment()
    }

    public func webhookFailed(source: String) {
        registry.makeCounter(descriptor: Self.webhooksFailed, labels: [("source", source)]).increment()
    }

    public func webhookQueueDepth(_ depth: Int) {
        registry.makeGauge(descriptor: Self.webhooksQueueDepth).set(Double(depth))
    }
}
