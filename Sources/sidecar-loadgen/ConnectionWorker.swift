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
}

struct ConnectionResult: Sendable {
    var latenciesMicros: [UInt64] = []
    var errors = 0
}

/// One keep-alive connection sending requests one after another.
struct ConnectionWorker {
    let target: Target
    let request: RequestTemplate
    /// Open loop: the time between this connection's scheduled requests; nil = closed loop.
    let interval: Duration?

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
                try await outbound.write(.head(head))
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
