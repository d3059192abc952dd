import Foundation

/// The rules on groups, as pure functions of values. `RulesTests` checks each without a database.
public enum GroupRules {
    /// The most IdP mapping entries a group holds.
    public static let maxMappings = 100
    /// The longest IdP mapping entry.
    public static let maxMappingLength = 256

    /// Checks a group body and gives its canonical form: trimmed name, typed role ids without
    /// duplicates, an empty description as none.
    public static func draft(_ input: GroupInput) throws(DirectoryError) -> GroupDraft {
        var errors: [FieldError] = []
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { errors.append(FieldError(.body(field: "name"), "must not be empty")) }
        Validation.checkLength(name, limit: Validation.maxNameLength, field: "name", errors: &errors)
        Validation.checkLength(input.description, limit: Validation.maxDescriptionLength, field: "description", errors: &errors)
        if let max = input.maxDevices, max < 0 { errors.append(FieldError(.body(field: "maxDevices"), "must not be negative")) }
        let roleIds: [RoleID] = Validation.bodyIds(input.roles, field: "roles", errors: &errors)
        let mapping = input.idpMapping ?? []
        for (index, entry) in mapping.enumerated() where entry.count > maxMappingLength {
            errors.append(FieldError(.body(field: "idpMapping", element: index), "must be at most \(maxMappingLength) characters"))
        }
        if mapping.count > maxMappings { errors.append(FieldError(.body(field: "idpMapping"), "must hold at most \(maxMappings) entries")) }
        if !errors.isEmpty { throw DirectoryError.invalid("The group is not valid.", errors) }
        var seen = Set<RoleID>()
        return GroupDraft(
            name: name, description: input.description.flatMap { $0.isEmpty ? nil : $0 },
            roleIds: roleIds.filter { seen.insert($0).inserted }, maxDevices: input.maxDevices,
            isSamlDefaultGroup: input.isSamlDefaultGroup ?? false, idpMapping: mapping
        )
    }

    /// A provisioned group's fields, trimmed: a name of 1 to the usual length, an external id within its length.
    public static func checkProvisioned(_ group: ProvisionedGroup) throws(DirectoryError) -> ProvisionedGroup {
        var errors: [FieldError] = []
        let name = group.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { errors.append(FieldError(.body(field: "name"), "must not be empty")) }
        Validation.checkLength(name, limit: Validation.maxNameLength, field: "name", errors: &errors)
        Validation.checkLength(group.externalId, limit: UserRules.maxExternalIdLength, field: "externalId", errors: &errors)
        if !errors.isEmpty { throw DirectoryError.invalid("The group is not valid.", errors) }
        return ProvisionedGroup(name: name, externalId: group.externalId)
    }

    /// The Default group (and any group marked not deleteable) stays.
    public static func checkCanDelete(_ group: Group) throws(DirectoryError) {
        if group.isDefault || !group.deleteable { throw DirectoryError.conflict("The Default group cannot be deleted.") }
    }

    /// Group names are unique in a tenant regardless of case.
    public static func checkNameFree(_ taken: Bool) throws(DirectoryError) {
        if taken { throw nameTaken }
    }

    /// The answer when another group has the name.
    public static let nameTaken = DirectoryError.conflict(
        "A group with this name already exists.", [FieldError(.body(field: "name"), "already in use")])
}
