import Foundation
import Hummingbird
import NIOCore
import SidecarCore

/// `/healthz`, `/readyz`, `/metrics`, `/config` and `/config/reload`.
struct DaemonRoutes {
    let metrics: ServerMetrics
    let reloader: ConfigReloader

    static let paths = ["/healthz", "/readyz", "/metrics", "/config", "/config/reload"]

    func register(on router: Router<SidecarRequestContext>) {
        router.get("/healthz") { _, _ in try JSONResponse.make(["status": "ok"]) }
        router.get("/readyz") { _, context in try readiness(context) }
        router.get("/metrics") { _, _ in metricsResponse(metrics) }
        router.get("/config") { _, context in try await config(context) }
        router.post("/config/reload") { _, _ in try await reload() }
    }

    static func metricsResponse(_ metrics: ServerMetrics) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
    }

    private func metricsResponse(_ metrics: ServerMetrics) -> Response { Self.metricsResponse(metrics) }

    private func readiness(_ context: SidecarRequestContext) throws -> Response {
        let set = try context.providerSet()
        struct Ready: Encodable {
            var status = "ready"
            var providers: [String: String]
            var configVersion: String
            enum CodingKeys: String, CodingKey { case status, providers, configVersion = "config_version" }
        }
        return try JSONResponse.make(Ready(providers: set.providerNames, configVersion: set.version))
    }

    private func config(_ context: SidecarRequestContext) async throws -> Response {
        let set = try context.providerSet()
        var members = set.loaded.redacted.objectValue ?? [:]
        members["version"] = .string(set.version)
        members["loaded_at"] = .string(ISO8601DateFormatter().string(from: set.loaded.loadedAt))
        if let last = await reloader.lastReload {
            var status: [String: JSONValue] = ["ok": .bool(last.ok), "at": .string(ISO8601DateFormatter().string(from: last.at))]
            if let error = last.error { status["error"] = .string(error) }
            if !last.restartRequired.isEmpty { status["restart_required"] = .array(last.restartRequired.map { .string($0) }) }
            members["last_reload"] = .object(status)
        } else {
            members["last_reload"] = .null
        }
        return try JSONResponse.make(JSONValue.object(members))
    }

    private func reload() async throws -> Response {
        switch await reloader.reload() {
        case .applied(let version, let restartRequired):
            var body: [String: JSONValue] = ["version": .string(version)]
            if !restartRequired.isEmpty { body["restart_required"] = .array(restartRequired.map { .string($0) }) }
            return try JSONResponse.make(JSONValue.object(body))
        case .rejected(let problems):
            var error = SidecarError.invalidRequest("configuration rejected, the old one is kept: " + problems.joined(separator: "; "))
            error.problems = problems
            throw error
        }
    }
}
