import ArgumentParser
import Foundation
import Histogram
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP/1.1 keep-alive load generator for a Unix socket or TCP: N connections, closed-loop
/// (as fast as each connection can go) or open-loop at a fixed total rate, where latency is
/// measured from each request's scheduled time so a stall is not hidden (no coordinated omission).
@main
struct LoadGenerator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sidecar-loadgen", abstract: "HTTP/1.1 load over a Unix socket or TCP with HdrHistogram percentiles.")

    @Option(help: "Unix socket path to connect to.") var unix: String?
    @Option(help: "TCP host:port to connect to.") var tcp: String?
    @Option(help: "Request path.") var path = "/healthz"
    @Option(help: "Request method.") var method = "GET"
    @Option(help: "Request body (sent with Content-Type: application/json).") var body: String?
    @Option(help: "File whose bytes are the request body.") var bodyFile: String?
    @Option(help: "Content-Type of the body.") var contentType = "application/json"
    @Option(name: .shortAndLong, help: "Connections.") var connections = 1
    @Option(name: .shortAndLong, help: "Seconds to measure.") var duration: Double = 10
    @Option(help: "Seconds of load before measuring.") var warmup: Double = 1
    @Option(help: "Total requests per second across connections; 0 = closed loop.") var rate: Double = 0
    @Option(help: "Sign each request as a Standard Webhooks event with this whsec_ secret (a unique webhook-id per request).")
    var webhookSecret: String?
    @Option(help: "A label printed with the result line.") var label = "run"
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func validate() throws {
        guard (unix == nil) != (tcp == nil) else { throw ValidationError("give exactly one of --unix or --tcp") }
        guard connections >= 1, duration > 0 else { throw ValidationError("connections ≥ 1 and duration > 0") }
    }

    func run() async throws {
        let payload: [UInt8]
        if let bodyFile {
            payload = Array(try Data(contentsOf: URL(fileURLWithPath: bodyFile)))
        } else {
            payload = Array((body ?? "").utf8)
        }
        let target: Target = if let unix { .unix(unix) } else { .tcp(tcp!) }
        var signingKey: [UInt8]?
        if let webhookSecret {
            guard let key = Data(base64Encoded: String(webhookSecret.dropFirst(webhookSecret.hasPrefix("whsec_") ? 6 : 0))) else {
                throw ValidationError("--webhook-secret: expected whsec_<base64>")
            }
            signingKey = Array(key)
        }
        let request = RequestTemplate(
            method: HTTPMethod(rawValue: method), path: path, body: payload, contentType: contentType, webhookKey: signingKey)
        let perConnectionInterval: Duration? = rate > 0 ? .nanoseconds(Int64(Double(connections) / rate * 1e9)) : nil
        let clock = ContinuousClock()
        let start = clock.now
        let measureFrom = start + .milliseconds(Int64(warmup * 1000))
        let end = measureFrom + .milliseconds(Int64(duration * 1000))

        let results = try await withThrowingTaskGroup(of: ConnectionResult.self) { group in
            for index in 0..<connections {
                // Stagger open-loop schedules so the connections do not fire together.
                let offset = perConnectionInterval.map { $0 * Double(index) / Double(connections) } ?? .zero
                group.addTask {
                    try await ConnectionWorker(target: target, request: request, interval: perConnectionInterval, index: index)
                        .run(firstAt: start + offset, measureFrom: measureFrom, until: end)
                }
            }
            return try await group.reduce(into: [ConnectionResult]()) { $0.append($1) }
        }
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        var errors = 0
        for result in results {
            errors += result.errors
            for value in result.latenciesMicros { histogram.record(value) }
        }
        Report(label: label, histogram: histogram, errors: errors, seconds: duration, connections: connections, rate: rate).write(json: json)
    }
}

private func output(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// The printed result of one run.
struct Report {
    var label: String
    var histogram: Histogram<UInt64>
    var errors: Int
    var seconds: Double
    var connections: Int
    var rate: Double

    /// Writes the result line (or JSON object) to standard output.
    func write(json: Bool) {
        let count = histogram.totalCount
        let values: [(String, Double)] = [
            ("p50_us", Double(histogram.valueAtPercentile(50))), ("p90_us", Double(histogram.valueAtPercentile(90))),
            ("p99_us", Double(histogram.valueAtPercentile(99))), ("p999_us", Double(histogram.valueAtPercentile(99.9))),
            ("max_us", Double(histogram.max)),
        ]
        let rps = Double(count) / seconds
        if json {
            let fields = [("label", "\"\(label)\""), ("connections", "\(connections)"), ("rate", "\(Int(rate))"),
                          ("requests", "\(count)"), ("errors", "\(errors)"), ("rps", "\(Int(rps))")]
                + values.map { ($0.0, "\(Int($0.1))") }
            output("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
        } else {
            output("\(label): \(count) requests, \(errors) errors, \(Int(rps)) req/s, c=\(connections)"
                + (rate > 0 ? " rate=\(Int(rate))/s" : " closed-loop") + " | "
                + values.map { "\($0.0.replacingOccurrences(of: "_us", with: "")) \(Int($0.1)) µs" }.joined(separator: ", "))
        }
    }
}
