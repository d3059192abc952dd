/// The `meta` attribute of a resource (RFC 7643 3.1).
enum ScimMeta {
    static func json(resourceType: String, created: Millis, lastModified: Millis, location: String, version: String?) -> JSONValue {
        var meta: JSONValue = [
            "resourceType": .string(resourceType), "created": .string(Timestamps.format(created)),
            "lastModified": .string(Timestamps.format(lastModified)), "location": .string(location),
        ]
        if let version { meta.set("version", .string(version)) }
        return meta
    }
}
