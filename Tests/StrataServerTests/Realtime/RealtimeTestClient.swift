import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

/// A real WebSocket client (HummingbirdWSClient over a loopback socket) that
/// records every message the server sends, for assertions.
///
/// Waiting is event driven: `waitFor` wakes on each received message and
/// gives up after a bound, so a test never sleeps in place of synchronising.
final class RealtimeTestClient: Sendable {
    struct Message: @unchecked Sendable {
        let type: String
        let seq: Int64
        let payload: [String: Any]
        let raw: String
    }

    struct TimedOut: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting for \(what)" }
    }

    private struct State {
        var messages: [Message] = []
        var waiters: [(id: Int, cont: CheckedContinuation<Void, Never>)] = []
        var closed = false
        var nextWaiter = 0
    }

    private let state = Mutex(State())
    private let outboundBox = Mutex<WebSocketOutboundWriter?>(nil)
    /// Resolves when the client stops reading on purpose (`pauseReading`).
    private let readGate: Mutex<CheckedContinuation<Void, Never>?> = Mutex(nil)
    private let gateOpen = Mutex(true)
    let task: Task<WebSocketCloseFrame?, any Error>

    private init(task: Task<WebSocketCloseFrame?, any Error>) { self.task = task }

    /// Connects to `url` and returns once the upgrade succeeded. With
    /// `startPaused`, the client reads nothing until `resumeReading()`.
    static func connect(_ url: String, startPaused: Bool = false, maxFrameSize: Int = 1 << 20,
                        autoPing: Bool = false) async throws -> RealtimeTestClient {
        let (ready, readyCont) = AsyncStream<WebSocketOutboundWriter>.makeStream()
        let holder = Holder()
        let task = Task<WebSocketCloseFrame?, any Error> {
            defer { readyCont.finish() }
            let ws = WebSocketClient(
                url: url,
                configuration: .init(maxFrameSize: maxFrameSize, closeTimeout: .seconds(5),
                                     autoPing: autoPing ? .enabled(timePeriod: .seconds(1)) : .disabled),
                logger: Logger(label: "ws-test", factory: { _ in SwiftLogNoOpLogHandler() })
            ) { inbound, outbound, _ in
                readyCont.yield(outbound)
                let me = await holder.client()
                await me.waitForGate()
                var it = inbound.messages(maxSize: 64 << 20).makeAsyncIterator()
                while let m = try await it.next() {
                    await me.waitForGate()
                    if case .text(let s) = m { me.received(s) }
                }
            }
            let frame = try await ws.run()
            return frame
        }
        let client = RealtimeTestClient(task: task)
        client.gateOpen.withLock { $0 = !startPaused }
        await holder.set(client)
        var it = ready.makeAsyncIterator()
        guard let out = await it.next() else {
            // The upgrade failed: surface the error.
            _ = try await task.value
            throw TimedOut(what: "the WebSocket upgrade of \(url)")
        }
        client.outboundBox.withLock { $0 = out }
        return client
    }

    /// Lets the handler find its client object (created after the task starts).
    private actor Holder {
        var value: RealtimeTestClient?
        var waiters: [CheckedContinuation<RealtimeTestClient, Never>] = []
        func set(_ c: RealtimeTestClient) {
            value = c
            for w in waiters { w.resume(returning: c) }
            waiters = []
        }
        func client() async -> RealtimeTestClient {
            if let value { return value }
            return await withCheckedContinuation { waiters.append($0) }
        }
    }

    // MARK: reading control

    func pauseReading() { gateOpen.withLock { $0 = false } }

    func resumeReading() {
        gateOpen.withLock { $0 = true }
        readGate.withLock { g in
            g?.resume()
            g = nil
        }
    }

    private func waitForGate() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let open = gateOpen.withLock { $0 }
            if open { c.resume(); return }
            readGate.withLock { $0 = c }
            // Re-check: resumeReading may have run in between.
            if gateOpen.withLock({ $0 }) {
                readGate.withLock { g in g?.resume(); g = nil }
            }
        }
    }

    private func received(_ text: String) {
        guard let obj = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { return }
        let m = Message(type: obj["type"] as? String ?? "", seq: (obj["seq"] as? NSNumber)?.int64Value ?? -1,
                        payload: obj["payload"] as? [String: Any] ?? [:], raw: text)
        let ws = state.withLock { s in
            s.messages.append(m)
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in ws { w.cont.resume() }
    }

    // MARK: sending

    func send(_ json: String) async throws {
        guard let out = outboundBox.withLock({ $0 }) else { return }
        try await out.write(.text(json))
    }

    func send(type: String, payload: String = "{}") async throws {
        try await send("{\"type\":\"\(type)\",\"payload\":\(payload)}")
    }

    func close() async {
        if let out = outboundBox.withLock({ $0 }) { try? await out.close(.normalClosure, reason: "test done") }
        _ = try? await task.value
    }

    /// The close frame the server sent, once the connection ended.
    func closeFrame(timeout: Duration = .seconds(30)) async throws -> WebSocketCloseFrame? {
        try await withThrowingTaskGroup(of: WebSocketCloseFrame?.self) { g in
            g.addTask { try await self.task.value }
            g.addTask {
                try await Task.sleep(for: max(timeout, minimumWait))
                throw TimedOut(what: "the connection to close")
            }
            defer { g.cancelAll() }
            return try await g.next() ?? nil
        }
    }

    // MARK: waiting

    var messages: [Message] { state.withLock { $0.messages } }

    /// Waits until `condition` holds for the messages received so far.
    @discardableResult
    func waitFor(_ what: String, timeout: Duration = .seconds(20),
                 _ condition: @escaping @Sendable ([Message]) -> Bool) async throws -> [Message] {
        let deadline = ContinuousClock.now + max(timeout, minimumWait)
        while true {
            let msgs = messages
            if condition(msgs) { return msgs }
            if ContinuousClock.now >= deadline { throw TimedOut(what: what) }
            await waitForNext(until: deadline)
        }
    }

    /// The first message of `type` (after `index`) satisfying `matching`.
    func first(_ type: String, after index: Int = 0, timeout: Duration = .seconds(20),
               matching: @escaping @Sendable (Message) -> Bool = { _ in true }) async throws -> Message {
        let msgs = try await waitFor("a \(type) message", timeout: timeout) { ms in
            ms.dropFirst(index).contains { $0.type == type && matching($0) }
        }
        return msgs.dropFirst(index).first { $0.type == type && matching($0) }!
    }

    /// Suspends until a new message arrives or the deadline passes.
    private func waitForNext(until deadline: ContinuousClock.Instant) async {
        let count = state.withLock { $0.messages.count }
        await withTaskGroup(of: Void.self) { g in
            let id = state.withLock { s -> Int in s.nextWaiter += 1; return s.nextWaiter }
            g.addTask {
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    let already = self.state.withLock { s -> Bool in
                        if s.messages.count != count { return true }
                        s.waiters.append((id, c))
                        return false
                    }
                    if already { c.resume() }
                }
            }
            g.addTask {
                try? await Task.sleep(until: deadline)
                let w = self.state.withLock { s -> CheckedContinuation<Void, Never>? in
                    guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return s.waiters.remove(at: i).cont
                }
                w?.resume()
            }
            await g.next()
            g.cancelAll()
        }
    }
}
