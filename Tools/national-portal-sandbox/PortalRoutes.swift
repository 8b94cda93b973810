import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The sandbox portal's HTTP endpoints (see `NationalPortalSandbox`).
struct PortalRoutes {
    let state: PortalState
    let provinceSecret: String

    func add(to router: Router<BasicRequestContext>) {
        // The contract: the province's connector calls these, signed.
        router.post("/dvcqg/v1/dossiers/:id/reports") { request, context -> Response in
            let (body, refusal) = try await checked(request)
            if let refusal { return refusal }
            let id = context.parameters.get("id") ?? ""
            switch await state.report(id, body) {
            case .invalid: return Self.json(.badRequest, ["error": "invalid", "message": "not a JSON object"])
            case .accepted: return Self.json(.ok, ["accepted": true, "duplicate": false])
            case .duplicate: return Self.json(.ok, ["accepted": true, "duplicate": true])
            case .unknown: return Self.json(.notFound, ["error": "not_found", "message": "no dossier \(id) on the portal"])
            case .refused: return Self.json(.unprocessableContent, ["error": "refused", "message": "Cổng DVCQG không chấp nhận báo cáo này (sandbox)"])
            case .outOfOrder(let why): return Self.json(.conflict, ["error": "out_of_order", "message": why])
            }
        }
        router.get("/dvcqg/v1/dossiers") { request, _ -> Response in
            let (_, refusal) = try await checked(request)
            if let refusal { return refusal }
            return Self.raw(.ok, await state.list())
        }
        router.get("/dvcqg/v1/dossiers/:id") { request, context -> Response in
            let (_, refusal) = try await checked(request)
            if let refusal { return refusal }
            guard let summary = await state.summaryJSON(context.parameters.get("id") ?? "") else {
                return Self.json(.notFound, ["error": "not_found"])
            }
            return Self.raw(.ok, summary)
        }

        // The remote control (tests, demos): never part of the contract.
        router.post("/sandbox/submit") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 80 * 1024 * 1024)
            guard let id = await state.submit(Data(body.readableBytesView)) else {
                return Self.json(.badRequest, ["error": "not a JSON object"])
            }
            return Self.json(.ok, ["portal_dossier_id": id])
        }
        router.get("/sandbox/dossiers/:id") { _, context -> Response in
            guard let detail = await state.detailJSON(context.parameters.get("id") ?? "") else { return Self.json(.notFound, ["error": "not_found"]) }
            return Self.raw(.ok, detail)
        }
        router.post("/sandbox/down") { _, _ -> Response in
            await state.setDown(true)
            return Self.json(.ok, ["down": true])
        }
        router.post("/sandbox/up") { _, _ -> Response in
            await state.setDown(false)
            return Self.json(.ok, ["down": false])
        }
        router.post("/sandbox/deliver-twice") { request, _ -> Response in
            let on = request.uri.queryParameters["on"].map { $0 == "1" } ?? true
            await state.setDeliverTwice(on)
            return Self.json(.ok, ["deliver_twice": on])
        }
        router.post("/sandbox/redeliver/:id") { _, context -> Response in
            let found = await state.redeliver(context.parameters.get("id") ?? "")
            return Self.json(found ? .ok : .notFound, ["redeliver": found])
        }
        router.post("/sandbox/refuse-next/:id") { request, context -> Response in
            let count = request.uri.queryParameters["count"].flatMap { Int(String($0)) } ?? 1
            let found = await state.refuseNext(context.parameters.get("id") ?? "", count: count)
            return Self.json(found ? .ok : .notFound, ["refuse_next": count])
        }
        router.get("/sandbox/refusals") { _, _ -> Response in
            Self.raw(.ok, await state.refusalsJSON())
        }
    }

    /// The body, or the answer refusing the request: 503 while down, 401 for a bad signature,
    /// client, timestamp or nonce (logged in `/sandbox/refusals`).
    private func checked(_ request: Request) async throws -> (Data, Response?) {
        var request = request
        let buffer = try await request.collectBody(upTo: 1024 * 1024)
        let body = Data(buffer.readableBytesView)
        if await state.down { return (body, Self.json(.serviceUnavailable, ["error": "unavailable", "message": "Cổng DVCQG đang bảo trì (sandbox)"])) }
        var headers: [String: String] = [:]
        for name in ["X-DVCQG-Client", "X-DVCQG-Timestamp", "X-DVCQG-Nonce", "X-DVCQG-Signature"] {
            if let field = HTTPField.Name(name), let value = request.headers[field] { headers[name] = value }
        }
        let path = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        let method = request.method.rawValue
        let window = state.window
        let province = state.province
        // The nonce is looked up only after the signature checked out.
        var nonceSeen = false
        if let nonce = headers["X-DVCQG-Nonce"] {
            let probe = SandboxSignature.problem(method: method, path: path, body: body, headers: headers, client: province,
                                                 secret: provinceSecret, window: window, seen: { _ in false })
            if probe == nil { nonceSeen = await state.seen(nonce) }
        }
        if let why = SandboxSignature.problem(method: method, path: path, body: body, headers: headers, client: province,
                                              secret: provinceSecret, window: window, seen: { _ in nonceSeen }) {
            await state.refuse(path, why)
            return (body, Self.json(.unauthorized, ["error": "unauthenticated", "message": why]))
        }
        return (body, nil)
    }

    static func json(_ status: HTTPResponse.Status, _ object: Any) -> Response {
        raw(status, (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8))
    }

    static func raw(_ status: HTTPResponse.Status, _ data: Data) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
