import Hummingbird

/// Records `strata_http_request_duration_seconds{handler,code}` for every request.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = StrataRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let response = try await next(request, context)
            metrics.observeRequest(handler: context.endpointPath ?? "other", code: Int(response.status.code), seconds: clock.now - start)
            return response
        } catch {
            let code = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.observeRequest(handler: context.endpointPath ?? "other", code: Int(code), seconds: clock.now - start)
            throw error
        }
    }
}
