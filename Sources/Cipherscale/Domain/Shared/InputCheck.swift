/// Input rules checked before a change to a resource that may not exist.
///
/// An unknown resource is 404 whatever the body, so a refused input must not hide it. The change
/// itself answers 404 when it locks the missing row, so the resource is looked up here only when
/// the input is refused: a valid change reads its target once, inside its own transaction, and not
/// again beforehand (two statements, and on PostgreSQL two round trips, per change).
enum InputCheck {
    /// The checked input; when `check` refuses it, `resolve` runs first (throwing 404 for an unknown
    /// resource), then the refusal is thrown.
    static func run<Value>(_ check: () throws(DirectoryError) -> Value, resolving resolve: () async throws -> Void) async throws -> Value {
        do {
            return try check()
        } catch {
            try await resolve()
            throw error
        }
    }
}
