import DossierService
import DVCProto

extension CatalogV1.Procedure {
    /// A procedure a test can submit with one unnamed file: its forms declare no fields, and at
    /// most one of its papers must be filed (`RequiredDocuments`: the file is taken for it).
    var isSimpleToSubmit: Bool {
        forms.allSatisfy { $0.fields.isEmpty } && RequiredDocuments(procedure: self).filed.count <= 1
    }
}
