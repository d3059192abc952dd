import CipherscaleAPI

extension APIImplementation {
    public func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        guard await services.tenants.databaseAnswers() else { throw DirectoryError(.unavailable, "The database does not answer.") }
        return .ok(.init(body: .json(.init(status: "ok"))))
    }
}
