import Foundation
import Hummingbird
import NIOCore

/// Serves the dashboard (issue #11): `/` is the single page, `/assets/…` its
/// modules and styles. Pages are addressed by the URL fragment (`/#/metrics`)
/// because `/metrics` already belongs to the Prometheus exposition; `/ui/…`
/// path links also answer with the page, which then routes on the path.
struct DashboardHandlers: Sendable {
    let assets: DashboardAssets

    func register(on router: Router<StrataRequestContext>) {
        router.get("/") { req, _ in serve("index.html", req, page: true) }
        router.get("/ui/**") { req, _ in serve("index.html", req, page: true) }
        router.get("/assets/**") { req, _ in
            // The router has decoded nothing: take the raw path after `/assets/`.
            let path = req.uri.path
            let rel = String(path.dropFirst("/assets/".count))
            return serve(rel, req, page: false)
        }
        // HEAD answers the GET's headers without the body (RFC 9110 §9.3.2).
        router.head("/") { req, _ in headOnly(serve("index.html", req, page: true)) }
        router.head("/assets/**") { req, _ in headOnly(serve(String(req.uri.path.dropFirst("/assets/".count)), req, page: false)) }
    }

    func headOnly(_ r: Response) -> Response {
        var h = r.headers
        if let b = r.body.contentLength { h[.contentLength] = String(b) }
        return Response(status: r.status, headers: h)
    }

    func serve(_ name: String, _ req: Request, page: Bool) -> Response {
        if assets.files.isEmpty {
            return Response(status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "dashboard unavailable: \(assets.origin)\n")))
        }
        // No `..`, no absolute paths: only names present in the table are served anyway.
        guard !name.contains(".."), let asset = assets.files[name] else {
            return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "not found\n")))
        }
        var headers: HTTPFields = [
            .contentType: asset.contentType,
            .eTag: asset.etag,
            // File names carry no content hash, so browsers must revalidate;
            // a matching ETag answers 304 with no body (RFC 9111 §5.2.2.4).
            .cacheControl: "no-cache",
            .init("X-Content-Type-Options")!: "nosniff",
        ]
        if page {
            headers[.init("Content-Security-Policy")!] =
                "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'"
            headers[.init("Referrer-Policy")!] = "no-referrer"
        }
        if let inm = req.headers[.ifNoneMatch], inm.split(separator: ",").contains(where: {
            $0.trimmingCharacters(in: .whitespaces) == asset.etag || $0.trimmingCharacters(in: .whitespaces) == "*"
        }) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
