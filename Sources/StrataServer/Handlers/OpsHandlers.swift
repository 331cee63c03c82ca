import Hummingbird
import StrataStorage

/// `/metrics`, `/-/healthy`, `/-/ready`.
struct OpsHandlers: Sendable {
    let db: Database
    let metrics: ServerMetrics

    func register(on router: Router<StrataRequestContext>) {
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.render(database: db)))
            )
        }
        router.get("/-/healthy") { _, _ in APIResponse.text("Strata is Healthy.\n") }
        router.head("/-/healthy") { _, _ in Response(status: .ok) }
        // The server starts listening only after the database is open and the
        // WAL replayed, so reaching this handler means ready.
        router.get("/-/ready") { _, _ in APIResponse.text("Strata is Ready.\n") }
        router.head("/-/ready") { _, _ in Response(status: .ok) }
    }
}
