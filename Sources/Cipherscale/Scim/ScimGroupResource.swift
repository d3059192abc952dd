/// Groups as SCIM resources: `displayName` is the group's name and `members` its users. The REST
/// API's other group fields (description, roles, device limit) are kept as they are by SCIM writes.
enum ScimGroupResource {
    /// The group as a SCIM resource at `base`; `display` adds each member's name (asked for with
    /// `attributes=members.display`).
    static func json(_ group: Group, base: String, display: Bool = false) -> JSONValue {
        var resource: JSONValue = ["schemas": [.string(ScimURN.group)], "id": .string(group.id.rawValue)]
        if let externalId = group.externalId { resource.set("externalId", .string(externalId)) }
        resource.set("displayName", .string(group.name))
        let members = group.members ?? []
        if !members.isEmpty {
            resource.set(
                "members",
                .array(
                    members.map { member in
                        var item: JSONValue = [
                            "value": .string(member.id.rawValue), "$ref": .string(ScimUserResource.location(member.id, base: base)), "type": "User",
                        ]
                        if display {
                            let name = [member.firstName, member.lastName].compactMap { $0 }.joined(separator: " ")
                            item.set("display", .string(name.isEmpty ? member.email : name))
                        }
                        return item
                    }))
        }
        // The version covers the members, so it is given only when they were read (always for one
        // group; in a list, when the answer shows members).
        resource.set(
            "meta",
            ScimMeta.json(
                resourceType: "Group", created: group.createdAt, lastModified: group.updatedAt, location: location(group.id, base: base),
                version: group.members == nil ? nil : version(group)))
        return resource
    }

    static func location(_ id: GroupID, base: String) -> String { base + "/Groups/" + id.rawValue }

    /// The group's entity tag, the same as the REST API's (which covers the first ``Group/memberLimit`` members).
    static func version(_ group: Group) -> String {
        var tagged = group
        tagged.members = group.members.map { Array($0.prefix(Group.memberLimit)) }
        return EntityTag.of(tagged)
    }

    /// The name and external id a body states, and its members when it has the attribute.
    static func state(from body: JSONValue) throws(ScimError) -> (group: ProvisionedGroup, members: [UserID]?) {
        guard body.members != nil else { throw .invalidSyntax("A Group is a JSON object.") }
        try ScimResource.checkSchemas(body, expected: ScimURN.group)
        guard let name = try ScimResource.optionalText(body["displayName"], "displayName"), !name.isEmpty else {
            throw .invalidValue("displayName is required.")
        }
        let externalId = try ScimResource.optionalText(body["externalId"], "externalId")
        var members: [UserID]?
        if let value = body["members"] { members = try memberIds(value) }
        return (ProvisionedGroup(name: name, externalId: externalId), members)
    }

    /// The user ids of a `members` value: an array of `{"value": id}` (a single object or null too).
    static func memberIds(_ value: JSONValue) throws(ScimError) -> [UserID] {
        if value.isNull { return [] }
        let items = value.items ?? [value]
        var ids: [UserID] = []
        for item in items {
            if let type = item["type"]?.text, type.lowercased() != "user" {
                throw .invalidValue("Only users can be members of a group (type \(type) is not supported).")
            }
            guard let text = item["value"]?.text else { throw .invalidValue("Each member must have a string value: the user's id.") }
            guard let id = UserID(text) else { throw .invalidValue("Member '\(text)' is not a user id.") }
            ids.append(id)
        }
        return ids
    }
}
