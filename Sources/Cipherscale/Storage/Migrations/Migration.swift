import Logging
import SQLKit

/// One named, ordered schema change. A shipped migration is never edited or reordered: add a new one.
struct Migration: Sendable {
    /// The name recorded in `schema_migrations` once applied.
    let name: String
    /// The statements, which may differ per engine.
    let statements: @Sendable (DatabaseKind) -> [String]
}
