import CipherscaleAPI

extension APIImplementation {
    public func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        guard await services.tenants.databaseAnswers() else { throw DirectoryError(.unavailable, "The database does not answer.") }
        return .ok(.init(body: .json(.init(status: "ok"))))
    }

    public func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        .ok(.init(body: .json(.init(status: .ready, migrations: Int64(try await services.tenants.readiness())))))
    }
}
