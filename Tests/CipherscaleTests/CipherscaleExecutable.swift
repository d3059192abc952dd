import Foundation

/// The built `cipherscale` executable, run as a subprocess by the command-line tests.
///
/// The test target depends on the executable target, so `swift build --build-tests` and
/// `swift test` build it into the same products folder as the test bundle; it is found by walking
/// up from the test process's own executable (the `.xctest` file on Linux, the binary inside the
/// `.xctest` bundle on macOS). `CIPHERSCALE_BINARY` names another one.
enum CipherscaleExecutable {
    /// The executable's location, or nil when it was not built.
    static let url: URL? = {
        if let path = ProcessInfo.processInfo.environment["CIPHERSCALE_BINARY"] { return URL(fileURLWithPath: path) }
        var folder = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
        for _ in 0..<5 {
            folder = folder.deletingLastPathComponent()
            let candidate = folder.appendingPathComponent("cipherscale")
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isFolder), !isFolder.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate.path)
            {
                return candidate
            }
        }
        return nil
    }()

    /// Serialises `Process.run()` across the tests that run in parallel.
    private static let launchLock = NSLock()

    /// Runs the executable with `arguments` and only `environment` (plus `PATH` and `HOME`), its output
    /// in temporary files (a pipe could fill up and stall it); ends it after `timeout`.
    static func run(_ arguments: [String], environment: [String: String], timeout: Duration = .seconds(60)) async throws -> CommandRun {
        guard let url else { throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the cipherscale executable was not built"]) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cipherscale-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outURL = folder.appendingPathComponent("stdout")
        let errURL = folder.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var inherited = ProcessInfo.processInfo.environment.filter { ["PATH", "HOME", "TMPDIR"].contains($0.key) }
        inherited.merge(environment) { $1 }
        process.environment = inherited
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let watchdog = Task.detached {
            try await Task.sleep(for: timeout)
            if process.isRunning { process.terminate() }
        }
        defer { watchdog.cancel() }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                // Foundation's Process on Linux is not safe to launch from several threads at once
                // (a parallel launch crashed inside Process.run): one launch at a time.
                try launchLock.withLock { try process.run() }
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try out.close()
        try err.close()
        return CommandRun(
            status: status, stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        )
    }
}
