extension CipherscaleClient {
    /// A role name that is neither the id, the type nor the name of a role of the tenant
    /// (``roleIDs(_:)``): a mistake of the caller's, found before any change is sent.
    public struct UnknownRole: Error, Hashable, Sendable, CustomStringConvertible {
        /// The name as given.
        public var name: String
        /// The types of the tenant's roles.
        public var known: [String]

        public var description: String { "no role '\(name)' (roles: \(known.joined(separator: ", ")))" }
    }
}
