import ArgumentParser
import NIOCore
import NIOHTTP1
import NIOPosix

/// The reference servers of the benchmarks, on SwiftNIO with nothing else in the way:
/// `floor` answers every request with a fixed JSON body (the least any HTTP hop can cost);
/// `resend` answers `POST /emails` the way Resend does (`200 {"id": "…"}`), as a fast fake vendor.
@main
struct BenchServer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sidecar-bench-server", abstract: "A minimal NIO HTTP server: the floor, or a fast Resend-shaped fake.")

    enum Mode: String, ExpressibleByArgument { case floor, resend }

    @Option(help: "floor or resend.") var mode: Mode = .floor
    @Option(help: "Unix socket path to listen on.") var unix: String?
    @Option(help: "TCP port on 127.0.0.1 to listen on.") var port: Int?
    @Option(help: "Event loop threads.") var threads = 1

    func run() throws {
        guard (unix == nil) != (port == nil) else { throw ValidationError("give exactly one of --unix or --port") }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let mode = self.mode
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(FixedResponder(mode: mode))
                }
            }
        let channel = if let unix {
            try bootstrap.bind(unixDomainSocketPath: unix, cleanupExistingSocketFile: true).wait()
        } else {
            try bootstrap.bind(host: "127.0.0.1", port: port ?? 0).wait()
        }
        try channel.closeFuture.wait()
    }
}

/// Answers each request once its end has arrived, keeping the connection open.
final class FixedResponder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let mode: BenchServer.Mode
    private var keepAlive = true
    private var counter: UInt64 = 0
    private static let floorBody = ByteBuffer(string: #"{"id":"floor","provider":"floor","status":"sent"}"#)

    init(mode: BenchServer.Mode) { self.mode = mode }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
        case .body:
            break
        case .end:
            counter &+= 1
            let body: ByteBuffer
            switch mode {
            case .floor: body = Self.floorBody
            case .resend: body = ByteBuffer(string: #"{"id":"49a3999c-0ce1-4ea6-ab68-"# + String(counter, radix: 16) + #""}"#)
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.readableBytes))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            if keepAlive {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            } else {
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
