import Foundation
import HTTPTypes
import Testing

@testable import Cipherscale

@Suite("Input that no database can store")
struct NulInputTests {
    @Test("a NUL character in a query value or a JSON string is 400, never a 500")
    func nulIsRefused() async throws {
        try await withWorld { world in
            try await world.request(.get, "/tenants/groups?search=d%00x").expectProblem(.badRequest)
            try await world.request(.get, "/tenants/users?filter[firstName]=a%00b").expectProblem(.badRequest)
            try await world.request(.post, "/tenants/users", rawBody: #"{"email":"a\u0000@example.com","groups":[]}"#).expectProblem(.badRequest)
            try await world.request(.put, "/tenants/users/\(world.a.ownerId)", rawBody: #"{"firstName":"x\u0000y"}"#).expectProblem(.badRequest)
            #expect(try await world.request(.put, "/tenants/users/\(world.a.ownerId)", rawBody: #"{"firstName":"x\u00e9y"}"#).status == .ok)
        }
    }
}
