/// The discovery documents (RFC 7644 section 4): what this service provider supports, its resource
/// types, and the schemas of their attributes, stating exactly what is stored and returned.
enum ScimDiscovery {
    /// The most resources one list answer holds (`filter.maxResults`).
    static let maxResults = 100

    static func serviceProviderConfig(base: String) -> JSONValue {
        [
            "schemas": [.string(ScimURN.serviceProviderConfig)],
            "patch": ["supported": true],
            "bulk": ["supported": false, "maxOperations": .number(0), "maxPayloadSize": .number(0)],
            "filter": ["supported": true, "maxResults": .number(Double(maxResults))],
            "changePassword": ["supported": false],
            "sort": ["supported": true],
            "etag": ["supported": true],
            "authenticationSchemes": [
                [
                    "type": "oauthbearertoken", "name": "API key as bearer token",
                    "description": "A directory API key in `Authorization: Bearer <key>` (or the `apikey` header); it decides the tenant.",
                    "primary": true,
                ]
            ],
            "meta": ["resourceType": "ServiceProviderConfig", "location": .string(base + "/ServiceProviderConfig")],
        ]
    }

    static func resourceTypes(base: String) -> [JSONValue] {
        [
            resourceType("User", endpoint: "/Users", schema: ScimURN.user, base: base),
            resourceType("Group", endpoint: "/Groups", schema: ScimURN.group, base: base),
        ]
    }

    private static func resourceType(_ name: String, endpoint: String, schema: String, base: String) -> JSONValue {
        [
            "schemas": [.string(ScimURN.resourceType)], "id": .string(name), "name": .string(name), "endpoint": .string(endpoint),
            "description": .string(name == "User" ? "A user of the directory" : "A group of users"), "schema": .string(schema),
            "schemaExtensions": [],
            "meta": ["resourceType": "ResourceType", "location": .string(base + "/ResourceTypes/" + name)],
        ]
    }

    static func schemas(base: String) -> [JSONValue] {
        [
            schema(
                ScimURN.user, name: "User", description: "A user of the directory", base: base,
                attributes: [
                    attribute("userName", required: true, uniqueness: "server", description: "The user's email address, unique in the tenant."),
                    attribute(
                        "name", type: "complex", description: "The user's names.",
                        subAttributes: [attribute("givenName", description: "First name."), attribute("familyName", description: "Last name.")]),
                    attribute(
                        "emails", type: "complex", multiValued: true, required: true,
                        description: "The user's email: the same address as userName, of type work.",
                        subAttributes: [
                            attribute("value", required: true, description: "The address."),
                            attribute("type", canonicalValues: ["work"], description: "Always work."),
                        ]),
                    attribute("active", type: "boolean", required: true, description: "False while the user is deactivated."),
                    attribute(
                        "groups", type: "complex", multiValued: true, mutability: "readOnly",
                        description: "The groups the user belongs to; change them through Groups.",
                        subAttributes: [
                            attribute("value", mutability: "readOnly", caseExact: true, description: "The group's id."),
                            attribute("$ref", type: "reference", mutability: "readOnly", referenceTypes: ["Group"], description: "The group's URI."),
                            attribute("display", mutability: "readOnly", description: "The group's name."),
                        ]),
                ]),
            schema(
                ScimURN.group, name: "Group", description: "A group of users", base: base,
                attributes: [
                    attribute("displayName", required: true, uniqueness: "server", description: "The group's name, unique in the tenant."),
                    attribute(
                        "members", type: "complex", multiValued: true, description: "The users in the group.",
                        subAttributes: [
                            attribute("value", mutability: "immutable", caseExact: true, description: "The user's id."),
                            attribute("$ref", type: "reference", mutability: "immutable", referenceTypes: ["User"], description: "The user's URI."),
                            attribute("type", mutability: "immutable", canonicalValues: ["User"], description: "Always User."),
                            attribute(
                                "display", mutability: "readOnly", returned: "request",
                                description: "The user's name or email, when asked for with attributes=members.display."),
                        ]),
                ]),
        ]
    }

    private static func schema(_ id: String, name: String, description: String, base: String, attributes: [JSONValue]) -> JSONValue {
        [
            "schemas": [.string(ScimURN.schema)], "id": .string(id), "name": .string(name), "description": .string(description),
            "attributes": .array(attributes), "meta": ["resourceType": "Schema", "location": .string(base + "/Schemas/" + id)],
        ]
    }

    private static func attribute(
        _ name: String, type: String = "string", multiValued: Bool = false, required: Bool = false, mutability: String = "readWrite",
        returned: String = "default", uniqueness: String = "none", caseExact: Bool = false, canonicalValues: [String]? = nil,
        referenceTypes: [String]? = nil, description: String, subAttributes: [JSONValue]? = nil
    ) -> JSONValue {
        var value: JSONValue = [
            "name": .string(name), "type": .string(type), "multiValued": .bool(multiValued), "description": .string(description),
            "required": .bool(required), "caseExact": .bool(caseExact), "mutability": .string(mutability), "returned": .string(returned),
            "uniqueness": .string(uniqueness),
        ]
        if let canonicalValues { value.set("canonicalValues", .array(canonicalValues.map(JSONValue.string))) }
        if let referenceTypes { value.set("referenceTypes", .array(referenceTypes.map(JSONValue.string))) }
        if let subAttributes { value.set("subAttributes", .array(subAttributes)) }
        return value
    }
}
