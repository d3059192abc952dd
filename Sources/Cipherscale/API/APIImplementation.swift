import CipherscaleAPI
import OpenAPIRuntime

/// The generated `APIProtocol`, implemented by thin handlers: unpack the input, make one call into
/// ``Directory``, map the result. Errors are thrown and turned into problem details by ``ProblemMiddleware``.
public struct APIImplementation: APIProtocol {
    /// The domain operations.
    let directory: Directory

    public init(directory: Directory) {
        self.directory = directory
    }

}
