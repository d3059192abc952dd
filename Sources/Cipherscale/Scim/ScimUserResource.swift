/// Users as SCIM resources: the directory's user as the SCIM User schema shows it, and a SCIM User
/// body as the state to provision. `userName` and the work email are the user's email; `id`,
/// `meta` and `groups` in a body are never applied (the server owns them).
enum ScimUserResource {
    /// The user as a SCIM resource at `base` (the `/scim/v2` URL).
    static func json(_ user: User, base: String) -> JSONValue {
        var resource: JSONValue = ["schemas": [.string(ScimURN.user)], "id": .string(user.id.rawValue)]
        if let externalId = user.externalId { resource.set("externalId", .string(externalId)) }
        resource.set("userName", .string(user.email))
        var name: JSONValue = [:]
        if let first = user.firstName { name.set("givenName", .string(first)) }
        if let last = user.lastName { name.set("familyName", .string(last)) }
        if name.members?.isEmpty == false { resource.set("name", name) }
        resource.set("emails", [["value": .string(user.email), "type": "work"]])
        resource.set("active", .bool(user.status != .inactive))
        if !user.groups.isEmpty {
            resource.set(
                "groups",
                .array(
                    user.groups.map { group in
                        ["value": .string(group.id.rawValue), "$ref": .string(base + "/Groups/" + group.id.rawValue), "display": .string(group.name)]
                    }))
        }
        resource.set(
            "meta",
            ScimMeta.json(
                resourceType: "User", created: user.createdAt, lastModified: user.updatedAt, location: location(user.id, base: base),
                version: EntityTag.of(user)))
        return resource
    }

    static func location(_ id: UserID, base: String) -> String { base + "/Users/" + id.rawValue }

    /// The state a create or full replacement states. `current` is the user being replaced (nil on
    /// create): an attribute left out keeps `active` as it is, and clears the others.
    static func state(from body: JSONValue, current: User?) throws(ScimError) -> ProvisionedUser {
        guard body.members != nil else { throw .invalidSyntax("A User is a JSON object.") }
        try ScimResource.checkSchemas(body, expected: ScimURN.user)
        guard let userNameValue = body["userName"], !userNameValue.isNull else { throw .invalidValue("userName is required.") }
        guard let userName = userNameValue.text, !userName.isEmpty else { throw .invalidValue("userName must be a non-empty string.") }
        let email = try self.email(userName: userName, emails: body["emails"], current: current)
        var firstName: String?
        var lastName: String?
        if let name = body["name"], !name.isNull {
            guard name.members != nil else { throw .invalidValue("name must be an object with givenName and familyName.") }
            firstName = try ScimResource.optionalText(name["givenName"], "name.givenName")
            lastName = try ScimResource.optionalText(name["familyName"], "name.familyName")
        }
        let externalId = try ScimResource.optionalText(body["externalId"], "externalId")
        var active = current.map { $0.status != .inactive } ?? true
        if let value = body["active"], !value.isNull {
            guard let flag = ScimResource.boolean(value) else { throw .invalidValue("active must be true or false.") }
            active = flag
        }
        return ProvisionedUser(
            email: email, firstName: firstName.flatMap { $0.isEmpty ? nil : $0 }, lastName: lastName.flatMap { $0.isEmpty ? nil : $0 },
            externalId: externalId, active: active)
    }

    /// The one email: `userName`, unless the body keeps `userName` and changes the work email.
    private static func email(userName: String, emails: JSONValue?, current: User?) throws(ScimError) -> String {
        var address: String?
        if let emails, !emails.isNull {
            guard let items = emails.items else { throw .invalidValue("emails must be an array of objects with a value.") }
            var candidates: [(primary: Bool, work: Bool, value: String)] = []
            for item in items {
                guard let value = item["value"]?.text else { throw .invalidValue("Each of emails must have a string value.") }
                let primary = item["primary"].flatMap(ScimResource.boolean) ?? false
                let work = item["type"]?.text?.lowercased() == "work"
                candidates.append((primary, work, value))
            }
            address = (candidates.first { $0.primary } ?? candidates.first { $0.work } ?? candidates.first)?.value
        }
        guard let current, userName.lowercased() == current.email.lowercased(), let address, address.lowercased() != current.email.lowercased()
        else { return userName }
        return address
    }
}
