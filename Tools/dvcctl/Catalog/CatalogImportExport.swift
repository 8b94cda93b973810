import ArgumentParser
import DVCProto
import Foundation
import RPCCore

/// `dvcctl catalog import FILE.json`: loads a catalog file in the seed format.
struct CatalogImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a catalog file (the seed format) into catalog-svc.",
        discussion: """
            The file is the format of catalog-svc's seed catalog (docs/seed-catalog.md): \
            CatalogDocument's keys in camelCase, agency kinds as words, each form's template \
            named by a "file" path relative to the JSON file's folder. It is read and checked \
            completely by catalog-svc's own loader (SeedCatalog) before anything is sent; the \
            templates' bytes travel with the request.
            """
    )

    @Argument(help: ArgumentHelp("The catalog file.", valueName: "file.json"))
    var file: String

    @Flag(name: .long, help: "Check the file and say what it holds; send nothing.")
    var dryRun = false

    @OptionGroup var options: CatalogOptions

    func run() async throws {
        try await reportingFailures {
            let seed = try SeedFormat.load(file)
            let document = seed.document
            let summary = "\(document.agencies.count) agencies, \(document.fields.count) fields, "
                + "\(document.procedures.count) procedures, \(document.levels.count) levels, "
                + "\(document.calendarOverrides.count) calendar overrides, \(document.procedureGroups.count) procedure groups, "
                + "\(seed.formContents.count) form templates"
            if dryRun {
                Console.print("\(file): \(summary); nothing was sent")
                return
            }
            var request = CatalogV1.ImportCatalogRequest()
            request.catalog = document
            request.formContents = seed.formContents
            let response = try await options.call(CatalogV1.CatalogService.importCatalog, request, admin: true)
            if options.json { return options.printJSON(response) }
            Console.print("imported \(summary); catalog version \(response.version)")
        }
    }
}

/// `dvcctl catalog export [FILE]`: the whole catalog in the seed format.
struct CatalogExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the whole catalog in the seed format (to FILE, or standard output).",
        discussion: """
            With a FILE, each form's template is downloaded into a forms/ folder beside it and \
            named by the form's "file" key, so that `dvcctl catalog import FILE` loads the same \
            catalog again, templates included (--no-forms skips them; the file then cannot be \
            imported as it is).
            """
    )

    @Argument(help: ArgumentHelp("Where to write; standard output when left out.", valueName: "file"))
    var file: String?

    @Flag(name: .customLong("no-forms"), help: "Do not download the form templates.")
    var noForms = false

    @OptionGroup var options: CatalogOptions

    func run() async throws {
        try await reportingFailures {
            let document = try await options.call(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest())
            var files: [String: String] = [:]
            if let file, !noForms {
                files = try await downloadForms(document, into: URL(fileURLWithPath: file).deletingLastPathComponent())
            }
            let text = ProtoJSONWriter.string(SeedFormat.json(document, files: files), pretty: true) + "\n"
            guard let file else {
                Console.write(text)
                return
            }
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
            } catch {
                throw Failure("dvcctl: cannot write \(file): \(JSONInput.reason(error))")
            }
            Console.error("exported \(document.agencies.count) agencies, \(document.procedures.count) procedures and "
                          + "\(files.count) form templates to \(file)")
        }
    }

    /// Writes each form's template to `folder/forms/`; returns the relative paths by form id.
    private func downloadForms(_ document: CatalogV1.CatalogDocument, into folder: URL) async throws -> [String: String] {
        let formsFolder = folder.appendingPathComponent("forms")
        do {
            try FileManager.default.createDirectory(at: formsFolder, withIntermediateDirectories: true)
        } catch {
            throw Failure("dvcctl: cannot create \(formsFolder.path): \(JSONInput.reason(error))")
        }
        var files: [String: String] = [:]
        for procedure in document.procedures {
            for form in procedure.forms where files[form.id] == nil {
                var request = CatalogV1.GetFormRequest()
                request.procedureCode = procedure.code
                request.formId = form.id
                let response: CatalogV1.GetFormResponse
                do {
                    response = try await options.call(CatalogV1.CatalogService.getForm, request)
                } catch let error as RPCError where error.code == .notFound {
                    Console.error("warning: form \(form.id) of \(procedure.code) has no template: \(error.message)")
                    continue
                }
                let name = Self.fileName(form)
                let url = formsFolder.appendingPathComponent(name)
                do {
                    try response.content.write(to: url, options: .atomic)
                } catch {
                    throw Failure("dvcctl: cannot write \(url.path): \(JSONInput.reason(error))")
                }
                files[form.id] = "forms/" + name
            }
        }
        return files
    }

    /// A file name for a template: its id made safe, and an extension from its media type.
    static func fileName(_ form: CatalogV1.FormTemplate) -> String {
        let safe = String(form.id.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
        let extensions = [
            "application/pdf": "pdf",
            "application/msword": "doc",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
            "application/vnd.oasis.opendocument.text": "odt",
        ]
        guard let ext = extensions[form.mediaType], !safe.lowercased().hasSuffix("." + ext) else { return safe }
        return safe + "." + ext
    }
}
