import NIOCore

/// `--rate`: reads from the socket no faster than `bytesPerSecond` (headers and bodies alike), so that a
/// test can kill a client in the middle of an upload. It holds back the `read()` calls that NIO's
/// auto-read (and the resumable-upload library) make: after reading n bytes, the next read waits until
/// n / bytesPerSecond seconds have passed. Idle time earns no credit, so there are no bursts.
/// Put it first in the pipeline, next to the socket; main.swift also makes each socket read small.
final class ReadThrottle: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let bytesPerSecond: Int64
    /// When the next read may happen.
    private var nextRead: NIODeadline = .uptimeNanoseconds(0)
    private var delayedRead: Scheduled<Void>?

    init(bytesPerSecond: Int64) {
        precondition(bytesPerSecond > 0)
        self.bytesPerSecond = bytesPerSecond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Int64(self.unwrapInboundIn(data).readableBytes)
        let cost = TimeAmount.nanoseconds(bytes * 1_000_000_000 / self.bytesPerSecond)
        self.nextRead = max(self.nextRead, .now()) + cost
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        guard self.delayedRead == nil else { return }  // one is on its way already
        if self.nextRead <= .now() {
            context.read()
            return
        }
        self.delayedRead = context.eventLoop.assumeIsolated().scheduleTask(deadline: self.nextRead) {
            self.delayedRead = nil
            context.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.delayedRead?.cancel()
        self.delayedRead = nil
        context.fireChannelInactive()
    }
}
