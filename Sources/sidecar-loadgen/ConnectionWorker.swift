import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

enum Target: Sendable {
    case unix(String)
    case tcp(String)
}

struct RequestTemplate: Sendable {
    var method: HTTPMethod
    var path: String
    var body: [UInt8]
    var contentType: String
    /// When set, each request is signed as a Standard Webhooks event with a unique id.
    var webhookKey: [UInt8]?

    /// `webhook-id`, `webhook-timestamp` and `webhook-signature` for one request.
    func webhookHeaders(id: String) -> [(String, String)] {
        guard let webhookKey else { return [] }
        let timestamp = String(Int(Date().timeIntervalSince1970))
        let signed = Array("\(id).\(timestamp).".utf8) + body
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: webhookKey))
        return [("webhook-id", id), ("webhook-timestamp", timestamp), ("webhook-signature", "v1," + Data(mac).base64EncodedString())]
    }
}

struct ConnectionResult: Sendable {
    var latenciesMicros: [UInt64] = []
    var errors = 0
}

/// One keep-alive connection sending requests one after another.
struct ConnectionWorker {
    /// Distinguishes the webhook ids of one run from another's.
    static let runID = String(UInt32.random(in: 0...UInt32.max), radix: 36)

    let target: Target
    let request: RequestTemplate
    /// Open loop: the time between this connection's scheduled requests; nil = closed loop.
    let interval: Duration?
    /// This connection's number, part of each webhook id.
    let index: Int

    func run(firstAt: ContinuousClock.Instant, measureFrom: ContinuousClock.Instant, until end: ContinuousClock.Instant) async throws -> ConnectionResult {
        var result = ConnectionResult()
        result.latenciesMicros.reserveCapacity(interval.map { Int(Double((end - firstAt) / $0)) + 16 } ?? 100_000)
        var scheduled = firstAt
        // A connection the server closes is counted as an error and opened again.
        while ContinuousClock.now < end {
            do {
                try await runConnection(result: &result, scheduled: &scheduled, measureFrom: measureFrom, until: end)
            } catch {
                if ContinuousClock.now >= measureFrom { result.errors += 1 }
                if let interval { scheduled = scheduled + interval }
            }
        }
        return result
    }

    private func connect() async throws -> NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart> {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                return try NIOAsyncChannel(wrappingChannelSynchronously: channel)
            }
        }
        switch target {
        case .unix(let path):
            return try await bootstrap.connect(unixDomainSocketPath: path, channelInitializer: initializer)
        case .tcp(let address):
            let parts = address.split(separator: ":")
            return try await bootstrap.connect(host: String(parts[0]), port: Int(parts[1]) ?? 80, channelInitializer: initializer)
        }
    }

    private func runConnection(
        result: inout ConnectionResult, scheduled: inout ContinuousClock.Instant, measureFrom: ContinuousClock.Instant,
        until end: ContinuousClock.Instant
    ) async throws {
        let channel = try await connect()
        var head = HTTPRequestHead(version: .http1_1, method: request.method, uri: request.path)
        head.headers.add(name: "Host", value: "localhost")
        if !request.body.isEmpty || request.method == .POST {
            head.headers.add(name: "Content-Type", value: request.contentType)
            head.headers.add(name: "Content-Length", value: String(request.body.count))
        }
        let body = ByteBuffer(bytes: request.body)
        let clock = ContinuousClock()
        let interval = self.interval
        var local = result
        var next = scheduled
        var sequence = 0
        let runID = ConnectionWorker.runID
        defer {
            result = local
            scheduled = next
        }
        try await channel.executeThenClose { inbound, outbound in
            var responses = inbound.makeAsyncIterator()
            while true {
                let now = clock.now
                guard now < end else { break }
                if interval != nil, next > now { try await Task.sleep(until: next, clock: clock) }
                let startedAt = interval == nil ? clock.now : next
                if let interval { next = next + interval }
                if request.webhookKey != nil {
                    sequence += 1
                    var signedHead = head
                    for (name, value) in request.webhookHeaders(id: "msg_\(runID)_\(index)_\(sequence)") {
                        signedHead.headers.replaceOrAdd(name: name, value: value)
                    }
                    try await outbound.write(.head(signedHead))
                } else {
                    try await outbound.write(.head(head))
                }
                if body.readableBytes > 0 { try await outbound.write(.body(.byteBuffer(body))) }
                try await outbound.write(.end(nil))
                var ok = false
                var complete = false
                while let part = try await responses.next() {
                    if case .head(let response) = part { ok = response.status.code < 400 }
                    if case .end = part {
                        complete = true
                        break
                    }
                }
                guard complete else { throw ChannelError.eof }
                let finished = clock.now
                if startedAt >= measureFrom, finished <= end {
                    let micros = (finished - startedAt).components
                    local.latenciesMicros.append(UInt64(max(0, micros.seconds * 1_000_000 + micros.attoseconds / 1_000_000_000_000)))
                    if !ok { local.errors += 1 }
                }
            }
        }
    }
}
