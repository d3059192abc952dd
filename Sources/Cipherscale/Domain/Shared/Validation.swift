/// Input checks shared by the domain operations.
enum Validation {
    /// The longest email address accepted (RFC 5321's path limit).
    static let maxEmailLength = 254
    static let maxNameLength = 100
    static let maxImageLength = 2048
    static let maxDescriptionLength = 1000

    /// Whether `email` looks like a deliverable address: one `@`, a non-empty local part of printable
    /// characters without spaces, and a domain of dot-separated labels with a dot in it.
    static func isValidEmail(_ email: String) -> Bool {
        guard email.utf8.count <= maxEmailLength, let at = email.lastIndex(of: "@") else { return false }
        let local = email[..<at]
        let domain = email[email.index(after: at)...]
        guard !local.isEmpty, local.utf8.count <= 64, !local.contains("@"), !domain.isEmpty else { return false }
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.")
        guard local.allSatisfy({ localAllowed.contains($0) }), !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else {
            return false
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard !label.isEmpty, label.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
            else { return false }
        }
        return true
    }

    /// A path parameter that must be a UUID, typed, or a 400.
    static func pathId<Kind>(_ text: String, name: String) throws(DirectoryError) -> Identifier<Kind> {
        guard let id = Identifier<Kind>(text) else {
            throw DirectoryError.invalid("The path parameter '\(name)' is not a UUID.", [FieldError(.path(name), "'\(text)' is not a UUID")])
        }
        return id
    }

    /// The typed ids of a body array (`field` of batch item `item`), collecting an error for each malformed one.
    static func bodyIds<Kind>(_ values: [String], item: Int? = nil, field: String, errors: inout [FieldError]) -> [Identifier<Kind>] {
        var ids: [Identifier<Kind>] = []
        for (index, value) in values.enumerated() {
            if let id = Identifier<Kind>(value) {
                ids.append(id)
            } else {
                errors.append(FieldError(.body(item: item, field: field, element: index), "'\(value)' is not a UUID"))
            }
        }
        return ids
    }

    /// Collects an error for body field `field` when `text` is longer than `limit` characters.
    static func checkLength(_ text: String?, limit: Int, field: String, errors: inout [FieldError]) {
        if let text, text.count > limit { errors.append(FieldError(.body(field: field), "must be at most \(limit) characters")) }
    }
}
