import Foundation

/// The contract as shipped with the server, served at `GET /openapi.yaml`.
public enum OpenAPIDocument {
    /// The bytes of `openapi.yaml`, or nil if the resource bundle is missing.
    public static func yaml() -> Data? {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else { return nil }
        return try? Data(contentsOf: url)
    }
}
