import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import Cipherscale

@Suite("Devices: listing")
struct DeviceListTests: DeviceTestSupport {
    /// Percent-encodes a query value (timestamps carry `:` and `+`).
    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    @Test("the device list pages with limit and offset (or page[...]) and reports total, page, hasNext and hasPrevious")
    func paging() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "pager@a.example")
            var created: [String] = []
            for index in 0..<7 { created.append(try await Self.device(world, user: user, name: "Page \(index)", hardwareId: "HW-PG\(index)")) }

            let first = try await Self.list(world, "")
            #expect(first.object["total"] as? Int == 7)
            #expect(first.object["limit"] as? Int == 10)
            #expect(first.object["page"] as? Int == 0)
            #expect(first.object["hasNext"] as? Bool == false)
            #expect(first.object["hasPrevious"] as? Bool == false)
            #expect(Set(Self.ids(first)) == Set(created))
            for device in Self.data(first) { Self.expectDeviceShape(device) }

            var seen: [String] = []
            for offset in stride(from: 0, to: 7, by: 3) {
                let page = try await Self.list(world, "limit=3&offset=\(offset)")
                #expect(page.object["total"] as? Int == 7)
                #expect(page.object["limit"] as? Int == 3)
                #expect(page.object["page"] as? Int == offset / 3)
                #expect(page.object["hasPrevious"] as? Bool == (offset > 0))
                #expect(page.object["hasNext"] as? Bool == (offset + 3 < 7))
                seen += Self.ids(page)
            }
            #expect(seen == Self.ids(first))
            let aliased = try await Self.list(world, "page[limit]=3&page[offset]=3")
            #expect(Self.ids(aliased) == Array(seen[3..<6]))
            #expect(aliased.object["page"] as? Int == 1)
            #expect(try await Self.list(world, "limit=500").object["limit"] as? Int == 100)
            for bad in ["limit=-1", "limit=abc", "offset=-3", "offset=2.5"] {
                try await world.request(.get, "/tenants/devices?\(bad)").expectProblem(.badRequest)
            }
            try await world.request(.get, "/tenants/devices", auth: .none).expectProblem(.unauthorized)
        }
    }

    @Test("sort orders by name, status, createdAt, updatedAt and lastConnection in both directions; unknown sorts are 400")
    func sorting() async throws {
        try await withWorld { world in
            let user = try await Self.activeUser(world, "sorter@a.example")
            let names = ["Device C", "Device A", "Device D", "Device B"]
            var ids: [String] = []
            for (index, name) in names.enumerated() { ids.append(try await Self.device(world, user: user, name: name, hardwareId: "HW-SO\(index)")) }
            // Distinct stored times: createdAt in reverse registration order, updatedAt in another order,
            // and heartbeats 10, 1 and 5 minutes ago for the first three devices (the last never connected).
            let now = world.clock.now()
            let created: [Millis] = [now - 4000, now - 5000, now - 6000, now - 7000]
            let updated: [Millis] = [now - 300, now - 100, now - 400, now - 200]
            let connected: [Millis?] = [now - 600_000, now - 60_000, now - 300_000 + 30_000, nil]
            try await world.pool.transaction { db in
                for index in 0..<4 {
                    try await db.raw(
                        "UPDATE devices SET created_at = \(bind: created[index]), updated_at = \(bind: updated[index]), last_connection = \(bind: connected[index]) WHERE id = \(bind: ids[index])"
                    ).run()
                }
            }
            func order(_ sort: String) async throws -> [String] { Self.ids(try await Self.list(world, "sort=\(sort)&limit=100")) }

            #expect(try await order("name") == [ids[1], ids[3], ids[0], ids[2]])
            #expect(try await order("name:asc") == [ids[1], ids[3], ids[0], ids[2]])
            #expect(try await order("-name") == [ids[2], ids[0], ids[3], ids[1]])
            #expect(try await order("name:desc") == [ids[2], ids[0], ids[3], ids[1]])
            #expect(try await order("createdAt") == [ids[3], ids[2], ids[1], ids[0]])
            #expect(Self.ids(try await Self.list(world, "limit=100")) == [ids[3], ids[2], ids[1], ids[0]])
            #expect(try await order("-createdAt") == [ids[0], ids[1], ids[2], ids[3]])
            #expect(try await order("updatedAt") == [ids[2], ids[0], ids[3], ids[1]])
            #expect(try await order("-updatedAt") == [ids[1], ids[3], ids[0], ids[2]])
            // Missing values sort last ascending and first descending.
            #expect(try await order("lastConnection") == [ids[0], ids[2], ids[1], ids[3]])
            #expect(try await order("-lastConnection") == [ids[3], ids[1], ids[2], ids[0]])

            // Status: ids[0] Offline (10 min), ids[1] and ids[2] Online, ids[3] Offline (never); deactivate ids[1].
            _ = try await world.request(.patch, "/tenants/devices/\(ids[1])/deactivate")
            func runs(_ sort: String) async throws -> [String] {
                let statuses = Self.data(try await Self.list(world, "sort=\(sort)&limit=100")).compactMap { $0["status"] as? String }
                #expect(statuses.count == 4)
                var result: [String] = []
                for status in statuses where result.last != status { result.append(status) }
                return result
            }
            let ascending = try await runs("status")
            #expect(ascending.count == 3 && Set(ascending) == ["Online", "Offline", "Deactivated"], "equal statuses are not together: \(ascending)")
            let descending = try await runs("-status")
            #expect(descending == ascending.reversed())
            let byStatusThenName = Self.data(try await Self.list(world, "sort=status,name&limit=100"))
            let offline = byStatusThenName.filter { $0["status"] as? String == "Offline" }.compactMap { $0["id"] as? String }
            #expect(offline == [ids[3], ids[0]])

            for bad in ["posture", "color", "name:up", "user"] {
                try await world.request(.get, "/tenants/devices?sort=\(bad)").expectProblem(.badRequest)
            }
        }
    }

    @Test("filters on id, name, status, active, hardwareId, appVersion, user.id, createdAt and lastConnection narrow the list and the total")
    func filtering() async throws {
        try await withWorld { world in
            let users = try await Self.activeUsers(world, ["f1@a.example", "f2@a.example"])
            let work = try await Self.device(world, user: users[0], name: "Work Laptop", hardwareId: "HW-AAA-001", appVersion: "1.0.0")
            let home = try await Self.device(world, user: users[0], name: "Home Desktop", hardwareId: "HW-BBB-002", appVersion: "1.0.0")
            let phone = try await Self.device(world, user: users[0], name: "Phone", hardwareId: "hw-ccc-003", appVersion: "2.0.0")
            let tablet = try await Self.device(world, user: users[0], name: "Tablet", hardwareId: "HW-DDD-004", appVersion: "2.0.0")
            let old = try await Self.device(world, user: users[1], name: "Old Laptop", hardwareId: "HW-EEE-005", appVersion: "3.1.0")
            // Home's last heartbeat is ten minutes older than the others'.
            let homeBeat = try await world.request(.post, "/tenants/devices/\(home)/heartbeat", json: [String: Any]())
            let stale = try #require((homeBeat.object["lastConnection"] as? String).flatMap(Timestamps.parse))
            world.clock.advance(by: 10 * 60 * 1000)
            for id in [work, tablet, old] {
                #expect(try await world.request(.post, "/tenants/devices/\(id)/heartbeat", json: [String: Any]()).status == .ok)
            }
            // Tablet heartbeated a moment ago but is deactivated: its status is Deactivated, not Online.
            _ = try await world.request(.patch, "/tenants/devices/\(tablet)/deactivate")

            func matches(_ query: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Set<String> {
                let reply = try await Self.list(world, "\(query)&limit=100", sourceLocation: sourceLocation)
                // Device names are unique here, so failures read as names.
                let found = Set(Self.data(reply).compactMap { $0["name"] as? String })
                #expect(reply.object["total"] as? Int == found.count, "\(query)", sourceLocation: sourceLocation)
                return found
            }
            #expect(try await matches("filter[status]=Online") == ["Work Laptop", "Old Laptop"])
            #expect(try await matches("filter[status][eq]=Offline") == ["Home Desktop", "Phone"])
            #expect(try await matches("filter[status]=Deactivated") == ["Tablet"])
            let notOnline = try await matches("filter[status][ne]=Online")
            #expect(notOnline == ["Home Desktop", "Phone", "Tablet"], "never-connected Phone must match: \(notOnline)")
            #expect(try await matches("filter[status][in]=Online,Deactivated") == ["Work Laptop", "Old Laptop", "Tablet"])
            let neitherOnlineNorDeactivated = try await matches("filter[status][nin]=Online,Deactivated")
            #expect(neitherOnlineNorDeactivated == ["Home Desktop", "Phone"], "never-connected Phone must match: \(neitherOnlineNorDeactivated)")
            // Every device either has a status or not: eq and ne split the five devices.
            for status in ["Online", "Offline", "Deactivated"] {
                let equal = try await matches("filter[status]=\(status)")
                let unequal = try await matches("filter[status][ne]=\(status)")
                #expect(equal.union(unequal).count == 5 && equal.isDisjoint(with: unequal), "\(status): \(equal) / \(unequal)")
            }
            for status in ["Online", "Offline", "Deactivated"] {
                let reply = try await Self.list(world, "filter[status]=\(status)&limit=100")
                #expect(Self.data(reply).allSatisfy { $0["status"] as? String == status }, "\(status): \(reply.text)")
            }
            #expect(try await matches("filter[active]=false") == ["Tablet"])
            #expect(try await matches("filter[active]=true") == ["Work Laptop", "Home Desktop", "Phone", "Old Laptop"])
            #expect(try await matches("filter[id]=\(phone)") == ["Phone"])
            #expect(try await matches("filter[id][in]=\(work),\(home)") == ["Work Laptop", "Home Desktop"])
            #expect(try await matches("filter[name]=Phone") == ["Phone"])
            #expect(try await matches("filter[name][ilike]=%25laptop%25") == ["Work Laptop", "Old Laptop"])
            #expect(try await matches("filter[hardwareId]=HW-BBB-002") == ["Home Desktop"])
            #expect(try await matches("filter[appVersion]=2.0.0") == ["Phone", "Tablet"])
            #expect(try await matches("filter[appVersion][ne]=2.0.0") == ["Work Laptop", "Home Desktop", "Old Laptop"])
            #expect(try await matches("filter[user.id]=\(users[1])") == ["Old Laptop"])
            #expect(try await matches("filter[user.id]=\(users[0])&filter[status]=Offline") == ["Home Desktop", "Phone"])

            let phoneStamp = try #require(try await world.request(.get, "/tenants/devices/\(phone)").object["createdAt"] as? String)
            for op in ["eq", "gte", "lte"] {
                #expect(try await matches("filter[createdAt][\(op)]=\(Self.encoded(phoneStamp))&filter[id]=\(phone)") == ["Phone"], "\(op)")
            }
            #expect(try await matches("filter[createdAt][gt]=\(Self.encoded(phoneStamp))&filter[id]=\(phone)").isEmpty)
            #expect(try await matches("filter[createdAt][lt]=2000-01-01T00:00:00Z").isEmpty)
            #expect(try await matches("filter[createdAt][gt]=2000-01-01T00:00:00Z").count == 5)
            let minuteAgo = Self.encoded(Timestamps.format(world.clock.now() - 60_000))
            #expect(try await matches("filter[lastConnection][gte]=\(minuteAgo)") == ["Work Laptop", "Tablet", "Old Laptop"])
            #expect(try await matches("filter[lastConnection][lt]=\(minuteAgo)") == ["Home Desktop"])
            #expect(try await matches("filter[lastConnection]=\(Self.encoded(Timestamps.format(stale)))") == ["Home Desktop"])

            for bad in [
                "filter[color]=red", "filter[posture]=x", "filter[name][like]=x", "filter[active]=maybe", "filter[createdAt][gt]=soon",
                "filter[lastConnection]=yesterday", "filter[status]=Sleeping", "filter[user.id]=zz", "filter[id]=zz",
            ] {
                try await world.request(.get, "/tenants/devices?\(bad)").expectProblem(.badRequest)
            }
        }
    }

    @Test("search matches a case-insensitive fragment of the name or hardware id and combines with filters")
    func searching() async throws {
        try await withWorld { world in
            let users = try await Self.activeUsers(world, ["s1@a.example", "s2@a.example"])
            let work = try await Self.device(world, user: users[0], name: "Work Laptop", hardwareId: "SN-AAA-001")
            _ = try await Self.device(world, user: users[0], name: "Phone", hardwareId: "sn-bbb-002")
            let old = try await Self.device(world, user: users[1], name: "old LAPTOP", hardwareId: "SN-CCC-003")
            func found(_ text: String) async throws -> Set<String> {
                let reply = try await Self.list(world, "search=\(text)&limit=100")
                #expect(reply.object["total"] as? Int == Self.ids(reply).count)
                return Set(Self.ids(reply))
            }
            #expect(try await found("laptop") == [work, old])
            #expect(try await found("LapTop") == [work, old])
            #expect(try await found("ccc") == [old])
            #expect(try await found("sn-").count == 3)
            #expect(try await found("AAA-0") == [work])
            #expect(try await found("nothing-like-this").isEmpty)
            #expect(try await found("%25").isEmpty)
            #expect(try await found("laptop&filter[user.id]=\(users[0])") == [work])
        }
    }
}
