import NIOCore

/// One SMTP reply: the code and its text lines (`250-…` continuations joined).
struct SMTPReply: Sendable, Equatable {
    var code: Int
    var lines: [String]

    var text: String { lines.joined(separator: " ") }
    var isPositive: Bool { (200..<400).contains(code) }
    var isTransient: Bool { (400..<500).contains(code) }
}

/// Why an SMTP exchange failed below the reply level.
enum SMTPTransportError: Error {
    case closed
    case timedOut
    case malformedReply
}

/// Frames the server's byte stream into ``SMTPReply`` values (multi-line replies included) and
/// hands each to the command waiting for it. Lives on the channel's event loop only.
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var buffer = ByteBuffer()
    private var pendingLines: [String] = []
    private var replies = CircularBuffer<SMTPReply>()
    private var waiting = CircularBuffer<EventLoopPromise<SMTPReply>>()
    private var failure: (any Error)?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        while let line = nextLine() {
            guard line.utf8.count >= 3, let code = Int(line.prefix(3)) else {
                fail(SMTPTransportError.malformedReply, context: context)
                return
            }
            let separator = line.dropFirst(3).first
            pendingLines.append(String(line.dropFirst(4)))
            if separator != "-" {
                deliver(SMTPReply(code: code, lines: pendingLines))
                pendingLines = []
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(SMTPTransportError.closed, context: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    /// The next reply; call on the event loop.
    func nextReply(eventLoop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        if let reply = replies.popFirst() { return eventLoop.makeSucceededFuture(reply) }
        if let failure { return eventLoop.makeFailedFuture(failure) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiting.append(promise)
        return promise.futureResult
    }

    private func nextLine() -> String? {
        guard let index = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        guard var bytes = buffer.readBytes(length: index - buffer.readerIndex + 1) else { return nil }
        // Drop LF and a CR before it (checked as bytes: "\r\n" is one Swift Character).
        bytes.removeLast()
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func deliver(_ reply: SMTPReply) {
        if let promise = waiting.popFirst() {
            promise.succeed(reply)
        } else {
            replies.append(reply)
        }
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext?) {
        if failure == nil { failure = error }
        while let promise = waiting.popFirst() { promise.fail(error) }
        context?.close(promise: nil)
    }
}
