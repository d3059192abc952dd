import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Console: signing in")
struct ConsoleSignInTests {
    /// The sign-in page's answer to a posted email.
    static func requestLink(_ world: TestWorld, _ email: String) async throws -> Reply {
        try await world.client.executeRequest(
            uri: "/console/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .accept: "text/html"],
            body: ByteBuffer(string: "email=\(ConsoleBrowser.encode(email))")
        ).asReply
    }

    @Test("the owner gets one mailed link; it signs in once, sets a safe cookie, and a second use is 410")
    func mailedLinkWorksOnce() async throws {
        try await withWorld { world in
            let page = try await world.request(.get, "/console/login", auth: .none, headers: ["Accept": "text/html"])
            #expect(page.status == .ok)
            #expect(page.text.contains("<label for=\"email\">Email</label>"))
            #expect(page.text.contains("Send sign-in link"))
            let sent = try await Self.requestLink(world, "OWNER@a.example")
            #expect(sent.status == .ok)
            #expect(sent.text.contains("Check your email"))
            let transport = RecordingTransport()
            #expect(try await world.signInWorker(transport).processDue() == 1)
            let mail = try #require(transport.sent.first)
            #expect(mail.to == "owner@a.example")
            #expect(MailText.header("Subject", in: mail.data) == "Sign in to the Tenant A console")
            let link = try #require(mail.link)
            #expect(link.hasPrefix("https://directory.example/console/signin?token="))
            let path = String(link.dropFirst("https://directory.example".count))
            let signedIn = try await world.request(.get, path, auth: .none)
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/console/users")
            let cookie = try #require(signedIn.headers[.setCookie])
            #expect(cookie.hasPrefix("cs_session="))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Secure"), "the test server's base URL is http")
            let again = try await world.request(.get, path, auth: .none)
            #expect(again.status == .gone)
            #expect(again.text.contains("This sign-in link cannot be used"))
        }
    }

    @Test("with an https public base URL the session cookie is Secure")
    func secureCookie() async throws {
        try await withWorld { world in
            let link = try #require(try await world.services.console.operatorLinks(email: "owner@a.example").first)
            let app = Application(router: try buildRouter(services: world.services, secureCookies: true))
            try await app.test(.router) { client in
                let reply = try await client.executeRequest(uri: "/console/signin?token=\(link.token)", method: .get, headers: [:], body: nil)
                #expect(reply.status == .seeOther)
                let cookie = try #require(reply.headers[.setCookie])
                #expect(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            }
        }
    }

    @Test("a link is valid for 15 minutes")
    func linkExpires() async throws {
        try await withWorld { world in
            let link = try #require(try await world.services.console.operatorLinks(email: "owner@a.example").first)
            world.clock.advance(by: 15 * 60 * 1000)
            #expect(try await world.request(.get, "/console/signin?token=\(link.token)", auth: .none).status == .gone)
            #expect(try await world.request(.get, "/console/signin?token=forged", auth: .none).status == .gone)
        }
    }

    @Test("unknown, pending and non-admin addresses get the same page and no mail; an auditor gets one")
    func noEnumeration() async throws {
        try await withWorld { world in
            _ = try await world.createUsers(["pending-admin@example.com"])
            _ = try await world.activeUser("basic@example.com", roles: ["BASIC"])
            _ = try await world.activeUser("auditor@example.com", roles: ["AUDITOR"])
            let transport = RecordingTransport()
            _ = try await world.worker(transport).processDue()
            let pages = [
                try await Self.requestLink(world, "nobody@example.com"), try await Self.requestLink(world, "pending-admin@example.com"),
                try await Self.requestLink(world, "basic@example.com"), try await Self.requestLink(world, "auditor@example.com"),
            ]
            for page in pages { #expect(page.status == .ok) }
            let bodies = Set(pages.map { $0.text.replacingOccurrences(of: #"<strong>[^<]*</strong>"#, with: "", options: .regularExpression) })
            #expect(bodies.count == 1, "every answer must read the same")
            let signIn = RecordingTransport()
            #expect(try await world.signInWorker(signIn).processDue() == 1)
            #expect(signIn.sent.map(\.to) == ["auditor@example.com"])
        }
    }

    @Test("sign-in requests are rate limited per client address")
    func rateLimited() async throws {
        try await withWorld(consoleSignInRateLimit: 2) { world in
            #expect(try await Self.requestLink(world, "a@example.com").status == .ok)
            #expect(try await Self.requestLink(world, "b@example.com").status == .ok)
            let refused = try await Self.requestLink(world, "c@example.com")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] != nil)
        }
    }

    @Test("sign out ends the session; 12 idle hours end it; so does losing the role or being deactivated")
    func sessionsEnd() async throws {
        try await withWorld { world in
            let owner = try await world.console("owner@a.example")
            #expect(try await owner.get("/console/users").status == .ok)
            #expect(try await owner.post("/console/logout", []).status == .seeOther)
            let after = try await owner.get("/console/users")
            #expect(after.status == .seeOther)
            #expect(after.headers[.location] == "/console/login")

            let idle = try await world.console("owner@a.example")
            world.clock.advance(by: 11 * 3600 * 1000)
            #expect(try await idle.get("/console/users").status == .ok, "used within 12 hours")
            world.clock.advance(by: 12 * 3600 * 1000)
            #expect(try await idle.get("/console/users").status == .seeOther, "12 hours without use")

            let adminId = try await world.activeUser("admin@example.com", roles: ["ADMIN"])
            let admin = try await world.console("admin@example.com")
            #expect(try await admin.get("/console/users").status == .ok)
            let adminRole = try await world.roleId("ADMIN")
            let removed = try await world.request(.patch, "/tenants/users/\(adminId)/roles", json: ["addedRoles": [], "removedRoles": [adminRole]])
            #expect(removed.status == .ok)
            #expect(try await admin.get("/console/users").status == .seeOther)

            let otherId = try await world.activeUser("other-admin@example.com", roles: ["ADMIN"])
            let other = try await world.console("other-admin@example.com")
            #expect(try await world.request(.patch, "/tenants/users/\(otherId)/deactivate").status == .ok)
            #expect(try await other.get("/console/users").status == .seeOther)
        }
    }
}

extension ConsoleSignInTests {
    @Test("housekeeping forgets ended and idle sessions and expired links, and keeps live ones")
    func purge() async throws {
        try await withWorld { world in
            let ended = try await world.console("owner@a.example")
            #expect(try await ended.post("/console/logout", []).status == .seeOther)
            _ = try await world.console("owner@a.example")
            _ = try await world.services.console.operatorLinks(email: "owner@a.example")
            #expect(try await world.services.console.purge() == 1, "the ended session")
            world.clock.advance(by: 13 * 3600 * 1000)
            let live = try await world.console("owner@a.example")
            for _ in 0..<2 {
                world.clock.advance(by: 6 * 3600 * 1000)
                #expect(try await live.get("/console/users").status == .ok)
            }
            // The session idle for 25 hours, and the three links that expired a day ago (not the fourth, 12 hours old).
            #expect(try await world.services.console.purge() == 1 + 3)
            #expect(try await live.get("/console/users").status == .ok)
        }
    }
}

@Suite("Console: pages and safety")
struct ConsolePageTests {
    @Test("every page renders for the owner with the security headers")
    func pagesAndHeaders() async throws {
        try await withWorld { world in
            let owner = try await world.console("owner@a.example")
            let group = try await world.defaultGroupId()
            for path in [
                "/console/users", "/console/users/\(world.a.ownerId)", "/console/users/new", "/console/groups", "/console/groups/\(group)",
                "/console/groups/new", "/console/roles", "/console/devices", "/console/audit", "/console/keys",
            ] {
                let page = try await owner.get(path)
                #expect(page.status == .ok, "\(path): \(page.text)")
                #expect(page.contentType == "text/html; charset=utf-8")
                #expect(page.text.contains("<nav aria-label=\"Console\">"), "\(path)")
                let policy = try #require(page.headers[.contentSecurityPolicy])
                #expect(policy.contains("frame-ancestors 'none'"))
                #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
                #expect(page.headers[.xContentTypeOptions] == "nosniff")
                #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
                #expect(page.headers[.cacheControl] == "no-store")
            }
            #expect(try await owner.get("/console/nothing-here").status == .notFound)
        }
    }

    @Test("a post without the session's CSRF token is 403 and changes nothing")
    func csrf() async throws {
        try await withWorld { world in
            let owner = try await world.console("owner@a.example")
            let other = try await world.console("owner@a.example")
            let target = try await world.createUsers(["target@example.com"])[0]
            let path = "/console/users/\(target)/profile"
            #expect(try await owner.post(path, [("firstName", "X"), ("lastName", "Y")], csrf: .none).status == .forbidden)
            #expect(try await owner.post(path, [("firstName", "X"), ("lastName", "Y")], csrf: "forged").status == .forbidden)
            let foreign = try await other.csrfToken()
            #expect(try await owner.post(path, [("firstName", "X"), ("lastName", "Y")], csrf: .some(foreign)).status == .forbidden)
            let user = try await world.request(.get, "/tenants/users/\(target)")
            #expect(user.object["firstName"] is NSNull || user.object["firstName"] == nil)
            #expect(try await owner.post(path, [("firstName", "Ada"), ("lastName", "King")]).status == .seeOther)
            #expect(try await world.request(.get, "/tenants/users/\(target)").object["firstName"] as? String == "Ada")
        }
    }

    @Test("an auditor sees every page without a single write control, and a forged post is 403")
    func auditorIsReadOnly() async throws {
        try await withWorld { world in
            _ = try await world.activeUser("auditor@example.com", roles: ["AUDITOR"])
            let target = try await world.createUsers(["target@example.com"])[0]
            let auditor = try await world.console("auditor@example.com")
            for path in [
                "/console/users", "/console/users/\(target)", "/console/users/new", "/console/groups", "/console/groups/new",
                "/console/groups/\(try await world.defaultGroupId())", "/console/roles", "/console/keys", "/console/devices", "/console/audit",
            ] {
                let page = try await auditor.get(path)
                #expect(page.status == .ok, "\(path)")
                let posts = page.text.components(separatedBy: "method=\"post\"").count - 1
                #expect(posts == 1, "\(path) has \(posts) post forms; only Sign out is allowed")
                #expect(page.text.contains("read-only"))
            }
            let refused = try await auditor.post("/console/users/\(target)/profile", [("firstName", "X"), ("lastName", "Y")])
            #expect(refused.status == .forbidden)
            #expect(try await auditor.post("/console/keys", []).status == .forbidden)
            #expect(try await world.request(.get, "/tenants/users/\(target)").object["firstName"] as? String == nil)
        }
    }

    @Test("names are escaped: a script in a name shows as text")
    func escaping() async throws {
        try await withWorld { world in
            let target = try await world.createUsers(["xss@example.com"])[0]
            let patched = try await world.request(.put, "/tenants/users/\(target)", json: ["firstName": "<script>alert(1)</script>"])
            #expect(patched.status == .ok)
            let owner = try await world.console("owner@a.example")
            for path in ["/console/users", "/console/users/\(target)"] {
                let page = try await owner.get(path).text
                #expect(!page.contains("<script>alert(1)</script>"), "\(path)")
                #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path)")
            }
        }
    }

    @Test("an invite batch with a bad line creates nothing and names the line; a good batch creates all")
    func inviteBatch() async throws {
        try await withWorld { world in
            let owner = try await world.console("owner@a.example")
            let bad = try await owner.post("/console/users/new", [("emails", "one@example.com\r\n\r\nnot-an-email\r\ntwo@example.com")])
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("Line 3: not-an-email: is not a valid email address"))
            #expect(bad.text.contains("one@example.com\r\n\r\nnot-an-email"), "the lines are kept in the field (as browsers send them)")
            let none = try await world.request(.get, "/tenants/users?filter[email]=one@example.com")
            #expect(none.object["total"] as? Int == 0)
            let good = try await owner.post("/console/users/new", [("emails", "one@example.com\ntwo@example.com")])
            #expect(good.status == .seeOther)
            #expect(good.headers[.location] == "/console/users?notice=invited&count=2")
            let list = try await owner.get("/console/users?notice=invited&count=2&search=example.com")
            #expect(list.text.contains("Invited 2 users."))
            #expect(list.text.contains("<p id=\"total\">2 users</p>"))
        }
    }

    @Test("changes made in the console are the API's: roles, groups, and the signed-in user as the audit actor")
    func changesSeenThroughTheAPI() async throws {
        try await withWorld { world in
            let owner = try await world.console("owner@a.example")
            let target = try await world.createUsers(["target@example.com"])[0]
            let group = try await world.createGroup("Engineering")
            #expect(try await owner.post("/console/users/\(target)/roles", [("roles", "ADMIN"), ("roles", "SUPPORT")]).status == .seeOther)
            #expect(try await owner.post("/console/users/\(target)/groups", [("groupId", group)]).status == .seeOther)
            let user = try await world.request(.get, "/tenants/users/\(target)").object
            let roles = Set((user["roles"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String })
            #expect(roles.isSuperset(of: ["ADMIN", "SUPPORT"]))
            #expect((user["groups"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == group })
            let events = try await world.request(.get, "/tenants/audit-events?targetId=\(target)&action=user.roles.update").object
            let event = try #require((events["data"] as? [[String: Any]])?.first)
            let actor = event["actor"] as? [String: Any]
            #expect(actor?["type"] as? String == "user")
            #expect(actor?["id"] as? String == world.a.ownerId)
        }
    }

    @Test("a session of tenant A cannot see or touch tenant B, whatever ids it sends")
    func tenantIsolation() async throws {
        try await withWorld { world in
            let owner = try await world.console("owner@a.example")
            #expect(try await owner.get("/console/users/\(world.b.ownerId)").status == .notFound)
            let bUser = try await world.request(
                .post, "/tenants/users", auth: .key(world.b.adminKey), json: [["email": "b@example.com", "groups": []]])
            let bId = try #require(bUser.array.first?["id"] as? String)
            #expect(try await owner.post("/console/users/\(bId)/profile", [("firstName", "X"), ("lastName", "Y")]).status == .notFound)
            #expect(try await owner.post("/console/users/\(bId)/delete", []).status == .notFound)
            let bKeys = try await world.services.keys.list(tenant: TenantID(world.b.id)!)
            #expect(try await owner.post("/console/keys/\(bKeys[0].id)/revoke", []).status == .notFound)
            #expect(try await world.request(.get, "/tenants/users", auth: .key(world.b.adminKey)).status == .ok, "B's key still works")
            let list = try await owner.get("/console/users?search=b%40example").text
            #expect(list.contains("<p id=\"total\">0 users</p>"))
        }
    }

    @Test("an API key created in the console is shown once and works; revoked, it is refused")
    func keys() async throws {
        try await withWorld { world in
            let owner = try await world.console("owner@a.example")
            let created = try await owner.post("/console/keys", [("readOnly", "1")])
            #expect(created.status == .created)
            let marker = "<code id=\"new-key\">"
            let start = try #require(created.text.range(of: marker)).upperBound
            let key = String(created.text[start...].prefix { $0 != "<" })
            #expect(key.hasPrefix("csk_"))
            #expect(try await world.request(.get, "/tenants/users", auth: .key(key)).status == .ok)
            #expect(try await world.request(.post, "/tenants/groups", auth: .key(key), json: ["name": "X", "roles": []]).status == .forbidden)
            let record = try #require(
                try await world.services.keys.list(tenant: TenantID(world.a.id)!).first {
                    $0.readOnly && $0.revokedAt == nil && key.contains($0.prefix)
                })
            #expect(try await owner.post("/console/keys/\(record.id)/revoke", []).status == .seeOther)
            #expect(try await world.request(.get, "/tenants/users", auth: .key(key)).status == .unauthorized)
            let events = try await world.request(.get, "/tenants/audit-events?targetId=\(record.id)").object["data"] as? [[String: Any]] ?? []
            #expect(events.count == 2)
            #expect(events.allSatisfy { ($0["actor"] as? [String: Any])?["type"] as? String == "user" })
        }
    }

    @Test("a group is created, edited, given a member by email, and deleted from the console")
    func groups() async throws {
        try await withWorld { world in
            let owner = try await world.console("owner@a.example")
            let empty = try await owner.post("/console/groups/new", [("name", ""), ("roles", "BASIC")])
            #expect(empty.status == .badRequest)
            #expect(empty.text.contains("class=\"field-error\""))
            let created = try await owner.post("/console/groups/new", [("name", "Field team"), ("maxDevices", "3"), ("roles", "BASIC")])
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            let id = String(location.dropFirst("/console/groups/".count).prefix { $0 != "?" })
            let member = try await world.createUsers(["member@example.com"])[0]
            #expect(try await owner.post("/console/groups/\(id)/members", [("memberEmail", "member@example.com")]).status == .seeOther)
            let unknown = try await owner.post("/console/groups/\(id)/members", [("memberEmail", "nobody@example.com")])
            #expect(unknown.status == .badRequest)
            #expect(unknown.text.contains("No user has the email nobody@example.com."))
            let group = try await world.request(.get, "/tenants/groups/\(id)").object
            #expect(group["maxDevices"] as? Int == 3)
            #expect((group["users"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == member })
            let page = try await owner.get("/console/groups/\(id)").text
            #expect(page.contains("member@example.com"))
            #expect(try await owner.post("/console/groups/\(id)/delete", []).status == .seeOther)
            #expect(try await world.request(.get, "/tenants/groups/\(id)").status == .notFound)
            let defaultGroup = try await world.defaultGroupId()
            #expect(!(try await owner.get("/console/groups/\(defaultGroup)").text.contains("Delete group")))
        }
    }
}
