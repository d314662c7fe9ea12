import SidecarCore
import NIOCore

/// Reads an upload body in pieces of a chosen size, so that a provider holds at most one part
/// (or a few, in flight) of an object in memory, never the whole object.
public struct UploadBodyReader<Body: AsyncSequence> where Body.Element == ByteBuffer {
    private var iterator: Body.AsyncIterator
    private var pending: ByteBuffer?
    private var finished = false
    /// Bytes handed out so far.
    public private(set) var bytesRead: Int64 = 0

    public init(_ body: Body) {
        iterator = body.makeAsyncIterator()
    }

    /// The next `count` bytes; fewer only at the end of the body, empty once it is over.
    public mutating func read(upTo count: Int) async throws -> ByteBuffer {
        var part = ByteBuffer()
        part.reserveCapacity(count)
        while part.readableBytes < count {
            if var chunk = pending, chunk.readableBytes > 0 {
                let take = min(count - part.readableBytes, chunk.readableBytes)
                if var slice = chunk.readSlice(length: take) { part.writeBuffer(&slice) }
                pending = chunk
                continue
            }
            guard !finished, let next = try await iterator.next() else {
                finished = true
                break
            }
            pending = next
        }
        bytesRead += Int64(part.readableBytes)
        return part
    }

    /// Whether the body has ended (checked without losing bytes).
    public mutating func isAtEnd() async throws -> Bool {
        if let pending, pending.readableBytes > 0 { return false }
        guard !finished else { return true }
        while let next = try await iterator.next() {
            if next.readableBytes > 0 {
                pending = next
                return false
            }
        }
        finished = true
        return true
    }
}

/// The upload body the server hands a provider: stops with `413 payload_too_large` past `limit`.
public struct LimitedUploadBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    public typealias Element = ByteBuffer
    let base: Base
    let limit: Int64
    let limitName: String

    public init(_ base: Base, limit: Int64, limitName: String) {
        self.base = base
        self.limit = limit
        self.limitName = limitName
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let limit: Int64
        let limitName: String
        var total: Int64 = 0

        public mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            total += Int64(chunk.readableBytes)
            if total > limit {
                throw SidecarErrorFactory.tooLarge(limit: limit, name: limitName)
            }
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), limit: limit, limitName: limitName)
    }
}
