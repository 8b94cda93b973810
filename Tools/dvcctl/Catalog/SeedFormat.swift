import CatalogService
import DVCProto
import Foundation

/// The catalog file format of catalog-svc's seed (docs/seed-catalog.md): what
/// `dvcctl catalog import` reads with `SeedCatalog.load(from:)`, and what
/// `dvcctl catalog export` writes so that the export can be imported again.
///
/// It is the JSON mapping of `CatalogDocument` with every field written (the loader wants every
/// key, `"amountVnd": 0` included), 64-bit integers as JSON numbers (đồng amounts stay far below
/// 2^53), agency kinds as words (`ward-commune`, not `AGENCY_KIND_WARD_COMMUNE`), and each
/// form's template named by a `file` path relative to the JSON file's folder.
enum SeedFormat {
    /// Reads a catalog file; every problem is reported with the file's name, nothing is sent.
    ///
    /// The file is read twice: first strictly with DVCProto's JSON mapping of
    /// `CatalogDocument`, which names the line and column of a syntax error and refuses a key
    /// that is no field (a misspelt `resultDocumnet` would otherwise be skipped without a
    /// word), then by catalog-svc's own loader, which checks everything else and reads the
    /// templates.
    static func load(_ path: String) throws(Failure) -> (document: CatalogV1.CatalogDocument, formContents: [String: Data]) {
        let bytes = try JSONInput.readFile(path)
        do {
            var json = try ProtoJSONParser.parse(utf8: bytes)
            json = asDocumentJSON(json)
            _ = try CatalogV1.CatalogDocument(protoJSON: json, path: "")
        } catch {
            throw Failure("dvcctl: \(path): \(error); nothing was sent")
        }
        do {
            return try SeedCatalog.load(from: URL(fileURLWithPath: path))
        } catch let error as SeedCatalog.LoadError {
            throw Failure("dvcctl: \(path): \(error.message); nothing was sent")
        } catch {
            throw Failure("dvcctl: \(path): \(error); nothing was sent")
        }
    }

    /// The file's JSON as `CatalogDocument`'s JSON mapping: kinds as enum names (a word that is
    /// no kind becomes null, left for the loader to name), forms without their `file`.
    static func asDocumentJSON(_ json: ProtoJSONValue) -> ProtoJSONValue {
        func name(_ value: ProtoJSONValue) -> ProtoJSONValue {
            guard case .string(let word) = value else { return value }
            guard let kind = kindWords.first(where: { $0.value == word })?.key else { return .null }
            return .string(kind.protoValueName ?? word)
        }
        var json = replacing(json, "agencies") { agencies in
            mapElements(agencies) { replacing($0, "kind", name) }
        }
        json = replacing(json, "procedures") { procedures in
            mapElements(procedures) { procedure in
                let named = replacing(procedure, "agencyKinds") { mapElements($0, name) }
                return replacing(named, "forms") { forms in
                    mapElements(forms) { form in
                        guard case .object(let fields) = form else { return form }
                        return .object(fields.filter { $0.key != "file" })
                    }
                }
            }
        }
        return json
    }

    /// The words the seed file uses for agency kinds.
    static let kindWords: [CatalogV1.AgencyKind: String] = [
        .city: "city", .district: "district", .wardCommune: "ward-commune", .department: "department",
        .serviceCentre: "service-centre", .police: "police", .socialInsurance: "social-insurance",
    ]

    /// `document` in the file format; `files` names each form's template by form id.
    static func json(_ document: CatalogV1.CatalogDocument, files: [String: String]) -> ProtoJSONValue {
        guard case .object(var members) = document.protoJSON(includingDefaults: true) else {
            preconditionFailure("a message's JSON is an object")
        }
        for m in members.indices {
            switch members[m].key {
            case "agencies":
                members[m].value = mapElements(members[m].value) { agency in
                    replacing(agency, "kind") { word($0) }
                }
            case "procedures":
                members[m].value = mapElements(members[m].value) { procedure in
                    var procedure = replacing(procedure, "agencyKinds") { mapElements($0, word) }
                    procedure = replacing(procedure, "fees") { fees in
                        mapElements(fees) { replacing(replacing($0, "amountVnd", number), "maxAmountVnd", number) }
                    }
                    procedure = replacing(procedure, "forms") { forms in
                        mapElements(forms) { form in
                            let form = replacing(form, "sizeBytes", number)
                            guard case .object(var fields) = form,
                                  let id = fields.first(where: { $0.key == "id" }), case .string(let formID) = id.value,
                                  let file = files[formID] else { return form }
                            // After the name, where the seed file has it.
                            let at = (fields.firstIndex { $0.key == "name" } ?? fields.count - 1) + 1
                            fields.insert(ProtoJSONMember("file", .string(file)), at: at)
                            return .object(fields)
                        }
                    }
                    return procedure
                }
            default:
                break
            }
        }
        return .object(members)
    }

    /// A 64-bit integer, which the JSON mapping writes as a string, as a number.
    private static func number(_ value: ProtoJSONValue) -> ProtoJSONValue {
        guard case .string(let digits) = value, Int64(digits) != nil else { return value }
        return .number(digits)
    }

    /// An agency kind's word; a kind without one is left as the JSON mapping wrote it.
    private static func word(_ value: ProtoJSONValue) -> ProtoJSONValue {
        guard case .string(let name) = value, let kind = CatalogV1.AgencyKind(protoValueName: name),
              let word = kindWords[kind] else { return value }
        return .string(word)
    }

    private static func mapElements(_ value: ProtoJSONValue, _ transform: (ProtoJSONValue) -> ProtoJSONValue) -> ProtoJSONValue {
        guard case .array(let items) = value else { return value }
        return .array(items.map(transform))
    }

    private static func replacing(_ value: ProtoJSONValue, _ key: String, _ transform: (ProtoJSONValue) -> ProtoJSONValue) -> ProtoJSONValue {
        guard case .object(var members) = value else { return value }
        for i in members.indices where members[i].key == key {
            members[i].value = transform(members[i].value)
        }
        return .object(members)
    }
}
