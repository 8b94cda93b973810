import DVCProto
import Foundation
import TestKit
import Testing

/// `ProtoRegistry` against the .proto files themselves, read here independently of the
/// generator: every rpc of every service, and every message.
@Suite struct ProtoRegistryTests {
    struct ProtoFile {
        var package: String
        var services: [(name: String, methods: [(name: String, request: String, response: String)])]
        var messages: [String]
    }

    /// The .proto files under proto/dvc, read with a few regular expressions (enough for ours:
    /// one package each, no nested services).
    static func protoFiles() throws -> [String: ProtoFile] {
        let root = repoRoot.appendingPathComponent("proto/dvc")
        var files: [String: ProtoFile] = [:]
        let enumerator = try #require(FileManager.default.enumerator(atPath: root.path))
        for case let path as String in enumerator where path.hasSuffix(".proto") {
            let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
                .split(separator: "\n").map { $0.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "" }
                .joined(separator: "\n")
            let package = try #require(text.firstMatch(of: /package\s+([\w.]+)\s*;/)?.1).description
            var file = ProtoFile(package: package, services: [], messages: [])
            for service in text.matches(of: /service\s+(\w+)\s*\{([^}]*)\}/) {
                let methods = service.2.matches(of: /rpc\s+(\w+)\s*\(\s*([\w.]+)\s*\)\s*returns\s*\(\s*([\w.]+)\s*\)/).map {
                    (name: String($0.1), request: String($0.2), response: String($0.3))
                }
                file.services.append((String(service.1), methods))
            }
            // Top-level and nested message names, by tracking braces.
            var scopes: [String?] = []
            for token in text.matches(of: /(message|enum|service|oneof)\s+(\w+)\s*\{|\{|\}/) {
                let matched = String(token.0)
                if matched == "}" {
                    _ = scopes.popLast()
                } else if matched == "{" {
                    scopes.append(nil)
                } else if token.1 == "message" {
                    let enclosing = scopes.compactMap { $0 }
                    let name = (enclosing + [String(token.2!)]).joined(separator: ".")
                    file.messages.append(package + "." + name)
                    scopes.append(String(token.2!))
                } else {
                    scopes.append(nil)
                }
            }
            files[path] = file
        }
        return files
    }

    @Test func everyRPCOfEveryService() throws {
        let files = try Self.protoFiles()
        #expect(files.count >= 10)
        var expected: Set<String> = []
        for file in files.values {
            for service in file.services {
                for method in service.methods {
                    let path = "/\(file.package).\(service.name)/\(method.name)"
                    expected.insert(path)
                    let qualify = { (name: String) in name.contains(".") ? name : "\(file.package).\(name)" }
                    let types = try #require(ProtoRegistry.method(path), "\(path) is not in ProtoRegistry")
                    #expect(types.requestType.protoName == qualify(method.request), "\(path)")
                    #expect(types.responseType.protoName == qualify(method.response), "\(path)")
                }
                #expect(ProtoRegistry.serviceNames.contains("\(file.package).\(service.name)"))
            }
        }
        #expect(Set(ProtoRegistry.methodPaths) == expected)
        #expect(expected.contains("/dvc.catalog.v1.CatalogService/ImportCatalog"))
        #expect(expected.contains("/dvc.health.v1.Health/Check"))
        #expect(ProtoRegistry.method("/dvc.testing.v1.TestService/NoSuchMethod") == nil)
    }

    @Test func everyMessage() throws {
        let files = try Self.protoFiles()
        var expected: Set<String> = []
        for file in files.values {
            for name in file.messages {
                expected.insert(name)
                let type = try #require(ProtoRegistry.message(name), "\(name) is not in ProtoRegistry")
                #expect(type.protoName == name)
            }
        }
        #expect(Set(ProtoRegistry.messageNames) == expected)
        #expect(expected.contains("dvc.health.v1.HealthCheckResponse"))
        #expect(ProtoRegistry.message("dvc.testing.v1.AllKinds.MStringEntry") == nil)  // map entries are not messages of their own
    }

    @Test func typesFromTheRegistryReadAndWriteJSON() throws {
        let types = try #require(ProtoRegistry.method("/dvc.testing.v1.TestService/UnaryCall"))
        let request = try types.requestType.init(jsonString: #"{"payload": "aGk=", "responseSize": 3}"#)
        let typed = try #require(request as? TestingV1.SimpleRequest)
        #expect(typed.payload == Data("hi".utf8))
        #expect(typed.responseSize == 3)
        #expect(request.jsonString() == #"{"responseSize":3,"payload":"aGk="}"#)
    }
}
