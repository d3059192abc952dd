/// The bundle lacks the console's templates (a broken install).
struct ConsoleViewsMissing: Error, CustomStringConvertible {
    var description: String { "the console's templates are missing from the Cipherscale resource bundle" }
}
