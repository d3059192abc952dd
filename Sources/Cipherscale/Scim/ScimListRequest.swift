import Foundation

/// The parameters of a list (`GET /Users?filter=…`) or search (`POST /Users/.search`): the query
/// for the services and the projection of each answer.
struct ScimListRequest: Sendable {
    var query: ScimQuery
    var projection: ScimProjection

    /// From the query string of a GET.
    init(parameters: [String: String]) throws(ScimError) {
        func number(_ name: String) throws(ScimError) -> Int? {
            guard let text = parameters[name] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else { throw .invalidValue("\(name) must be an integer.") }
            return value
        }
        try self.init(
            filter: parameters["filter"], sortBy: parameters["sortBy"], sortOrder: parameters["sortOrder"], startIndex: try number("startIndex"),
            count: try number("count"), attributes: parameters["attributes"].map { [$0] }, excluded: parameters["excludedAttributes"].map { [$0] })
    }

    /// From a SearchRequest body.
    init(body: JSONValue) throws(ScimError) {
        guard body.members != nil else { throw .invalidSyntax("A search body is a SearchRequest object.") }
        try ScimResource.checkSchemas(body, expected: ScimURN.searchRequest)
        func number(_ name: String) throws(ScimError) -> Int? {
            guard let value = body[name], !value.isNull else { return nil }
            guard case .number(let number) = value, number.rounded() == number, abs(number) < 1e9 else {
                throw .invalidValue("\(name) must be an integer.")
            }
            return Int(number)
        }
        func names(_ name: String) throws(ScimError) -> [String]? {
            guard let value = body[name], !value.isNull else { return nil }
            if let text = value.text { return [text] }
            guard let items = value.items else { throw .invalidValue("\(name) must be an array of attribute names.") }
            var names: [String] = []
            for item in items {
                guard let text = item.text else { throw .invalidValue("\(name) must be an array of attribute names.") }
                names.append(text)
            }
            return names
        }
        try self.init(
            filter: try ScimResource.optionalText(body["filter"], "filter"), sortBy: try ScimResource.optionalText(body["sortBy"], "sortBy"),
            sortOrder: try ScimResource.optionalText(body["sortOrder"], "sortOrder"), startIndex: try number("startIndex"),
            count: try number("count"),
            attributes: try names("attributes"), excluded: try names("excludedAttributes"))
    }

    private init(
        filter: String?, sortBy: String?, sortOrder: String?, startIndex: Int?, count: Int?, attributes: [String]?, excluded: [String]?
    ) throws(ScimError) {
        var sortPath: ScimAttributePath?
        if let sortBy, !sortBy.isEmpty {
            guard let path = ScimAttributePath.parse(sortBy) else { throw .invalidValue("sortBy '\(sortBy)' is not an attribute name.") }
            sortPath = path
        }
        var descending = false
        if let sortOrder {
            switch sortOrder.lowercased() {
            case "ascending": descending = false
            case "descending": descending = true
            default: throw .invalidValue("sortOrder must be ascending or descending.")
            }
        }
        let parsed = try filter.flatMap { text throws(ScimError) -> ScimFilter? in
            text.trimmingCharacters(in: .whitespaces).isEmpty ? nil : try ScimFilterParser.parse(text)
        }
        query = ScimQuery(
            filter: parsed, sortBy: sortPath, descending: descending, startIndex: startIndex ?? 1,
            count: min(count ?? ScimDiscovery.maxResults, ScimDiscovery.maxResults))
        projection = try ScimProjection(attributes: attributes, excluded: excluded)
    }
}
