import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns one HTML document into PDF with WeasyPrint (Debian's `weasyprint` command), in a child
/// process: that is its one job. WeasyPrint lays out the A4 print CSS the one-stop documents
/// carry and embeds the subsets of the fonts it uses (DejaVu, which covers every Vietnamese
/// letter), so the PDF reads the same on any machine.
///
/// The HTML goes in and the PDF comes out through files in a private temporary folder, not
/// pipes: nothing can block on a full pipe, and stderr is kept for the error message. A render
/// that runs past `timeout` is ended (SIGTERM) and reported as such.
struct WeasyPrintRenderer: Sendable {
    struct Failure: Error, CustomStringConvertible, Equatable {
        let description: String
    }

    /// The command's absolute path, nil when it is not installed.
    let executable: String?
    let command: String
    let timeout: Duration
    /// How many renders run at once (each is a process of ~75 MB and most of a core); more
    /// wait their turn, so a burst of first requests cannot start a hundred of them.
    let slots: RenderSlots

    /// - Parameter command: a name looked up on PATH ("weasyprint") or a path.
    init(command: String = "weasyprint", timeout: Duration = .seconds(60), concurrency: Int = 2,
         path: String? = ProcessInfo.processInfo.environment["PATH"]) {
        self.command = command
        self.timeout = timeout
        self.slots = RenderSlots(limit: max(1, concurrency))
        self.executable = Self.locate(command, path: path)
    }

    static func locate(_ command: String, path: String?) -> String? {
        if command.contains("/") { return FileManager.default.isExecutableFile(atPath: command) ? command : nil }
        for folder in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The documents' CSS asks for Times New Roman, then Liberation Serif, then DejaVu Serif.
    /// Debian's Liberation Serif (1.07) has no Vietnamese letters with horn or stacked marks
    /// (ư, ơ, ễ ...), so every such letter would come from DejaVu in the middle of a word; and
    /// fontconfig answers "Times New Roman" with Liberation Serif where the real one is absent.
    /// For the PDF, a Times-like face that has every Vietnamese letter comes first: TeX Gyre
    /// Termes (fonts-texgyre), then DejaVu Serif (fonts-dejavu-core). A user stylesheet needs
    /// !important to override the document's own rule.
    static let fonts = """
        html { font-family: "TeX Gyre Termes", "DejaVu Serif", serif !important; }
        """

    func pdf(fromHTML html: Data) async throws -> Data {
        guard let executable else {
            throw Failure(description: "WeasyPrint is not installed: no '\(command)' command (Debian package weasyprint; scripts/install-deps.sh)")
        }
        await slots.acquire()
        do {
            let pdf = try await render(html, with: executable)
            await slots.release()
            return pdf
        } catch {
            await slots.release()
            throw error
        }
    }

    private func render(_ html: Data, with executable: String) async throws -> Data {
        let files = FileManager.default
        let folder = files.temporaryDirectory.appendingPathComponent("dvc-rendition-\(UUID().uuidString)")
        try files.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? files.removeItem(at: folder) }
        let input = folder.appendingPathComponent("document.html")
        let output = folder.appendingPathComponent("document.pdf")
        let log = folder.appendingPathComponent("stderr.txt")
        let stylesheet = folder.appendingPathComponent("fonts.css")
        try html.write(to: input)
        try Data(Self.fonts.utf8).write(to: stylesheet)
        _ = files.createFile(atPath: log.path, contents: nil)
        let errors = try FileHandle(forWritingTo: log)
        defer { try? errors.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--encoding", "utf-8", "--stylesheet", stylesheet.path, input.path, output.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let child = Child(process)
        // The watchdog: past the timeout the child is ended, and the render fails as timed out.
        let watchdog = Task { [timeout] in
            try await Task.sleep(for: timeout)
            child.endIfRunning()
        }
        defer { watchdog.cancel() }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in
                child.exited()
                continuation.resume(returning: process.terminationStatus)
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: Failure(description: "WeasyPrint could not be started (\(executable)): \(error)"))
            }
        }
        if child.ended {
            throw Failure(description: "WeasyPrint took longer than \(timeout) and was stopped")
        }
        guard status == 0, let pdf = try? Data(contentsOf: output), pdf.starts(with: Array("%PDF-".utf8)) else {
            let message = (try? String(contentsOf: log, encoding: .utf8)).map { String($0.suffix(1000)) } ?? ""
            throw Failure(description: "WeasyPrint failed (exit \(status)): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return pdf
    }

    /// The child process as the watchdog sees it; `ended` says the watchdog stopped it. Its own
    /// flag, set by the termination handler, says whether it still runs (a pid is not reused
    /// before that handler has reaped it).
    private final class Child: @unchecked Sendable {
        private let process: Process
        private let lock = NSLock()
        private var endedByWatchdog = false
        private var hasExited = false

        init(_ process: Process) { self.process = process }

        var ended: Bool { lock.withLock { endedByWatchdog } }

        func exited() { lock.withLock { hasExited = true } }

        func endIfRunning() {
            lock.withLock {
                let pid = process.processIdentifier
                guard !hasExited, pid > 0 else { return }
                endedByWatchdog = true
                // SIGKILL: a renderer past its time is not asked to finish.
                kill(pid, SIGKILL)
            }
        }
    }
}

/// A counting semaphore for the renders: `limit` at a time, the others waiting in order.
actor RenderSlots {
    let limit: Int
    private var busy = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    func acquire() async {
        if busy < limit {
            busy += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the slot to the next waiter, if any (the count stays), else frees it.
    func release() {
        if waiting.isEmpty {
            busy -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
