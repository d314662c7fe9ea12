import NIOCore

/// A file's bytes as an async sequence of chunks: each read happens when the consumer asks for
/// the next chunk, so a slow reader holds back the disk (backpressure) and memory stays flat.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let file: PosixFile
    let chunkSize: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let file: PosixFile
        let chunkSize: Int
        var done = false

        mutating func next() async throws -> ByteBuffer? {
            guard !done else { return nil }
            let chunk = try await file.read(upTo: chunkSize)
            if chunk.readableBytes == 0 {
                done = true
                file.close()
                return nil
            }
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(file: file, chunkSize: chunkSize) }
}
