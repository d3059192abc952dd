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

    /// Runs the executable with `arguments` and only `environment` (plus `PATH` and `HOME`), its output
    /// in temporary files (a pipe could fill up and stall it); ends it after `timeout`.
    ///
    /// Launched with `posix_spawn`, not Foundation's `Process`: on Linux `Process.run()` crashed (a bad
    /// read in its launch) twice under the parallel tests, even with launches serialised. The child
    /// gets standard input, output and error and no other descriptor of the test process.
    static func run(_ arguments: [String], environment: [String: String], timeout: Duration = .seconds(60)) async throws -> CommandRun {
        guard let url else { throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the cipherscale executable was not built"]) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cipherscale-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outPath = folder.appendingPathComponent("stdout").path
        let errPath = folder.appendingPathComponent("stderr").path
        var inherited = ProcessInfo.processInfo.environment.filter { ["PATH", "HOME", "TMPDIR"].contains($0.key) }
        inherited.merge(environment) { $1 }
        let pid = try spawn(url.path, arguments: arguments, environment: inherited, stdout: outPath, stderr: errPath)
        let watchdog = Task.detached {
            try await Task.sleep(for: timeout)
            kill(pid, SIGTERM)
        }
        defer { watchdog.cancel() }
        let status: Int32 = await withCheckedContinuation { continuation in
            // waitpid blocks: on a thread of its own, never one of the concurrency pool's.
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                // WIFEXITED / WEXITSTATUS, which Swift does not import as macros; a signal counts as 128 + signal.
                continuation.resume(returning: status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
            }
        }
        return CommandRun(
            status: status, stdout: String(decoding: try Data(contentsOf: URL(fileURLWithPath: outPath)), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: URL(fileURLWithPath: errPath)), as: UTF8.self)
        )
    }

    /// Starts `path` with standard input from /dev/null and standard output and error into the files.
    private static func spawn(_ path: String, arguments: [String], environment: [String: String], stdout: String, stderr: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Nothing else of the test process reaches the child: another test's socket held open by a
        // child would answer (and reset) connections meant to be refused.
        closeOthers(&actions)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard result == 0 else {
            throw CocoaError(
                .fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "posix_spawn \(path) failed: \(String(cString: strerror(result)))"])
        }
        return pid
    }

    /// Adds "close every descriptor from 3 on" to `actions`: glibc's `posix_spawn_file_actions_addclosefrom_np`
    /// (2.34 and later; looked up at run time, since Swift does not import the GNU extensions), else one
    /// close per descriptor open now (glibc ignores a close of one closed meanwhile).
    private static func closeOthers(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/dev/fd")) ?? []
        for fd in open.compactMap(Int32.init) where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
    }
}
