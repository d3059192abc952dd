import Foundation
import NIOCore
import Testing

@testable import Cipherscale

/// Problems are written to bytes by hand; what a client parses must be exactly the texts we meant.
@Suite struct JSONWriterTests {
    @Test func stringsRoundTripThroughAJSONParserWhateverTheyHold() throws {
        let texts = [
            "plain", "", "quote \" and backslash \\", "slash / stays", "line\nbreak\r\ttab\u{08}\u{0C}", "nul \u{0}, bell \u{07}, unit \u{1F}",
            "unicode é ü 中文 😀", "'single'", "</script>",
        ]
        var json = JSONWriter()
        json.beginObject()
        json.key("texts")
        json.beginArray()
        for text in texts { json.value(text) }
        json.endArray()
        json.key("n")
        json.value(-42)
        json.key("nested")
        json.beginObject()
        json.key("k\"ey")
        json.value(7)
        json.endObject()
        json.endObject()
        let bytes = Data(json.buffer.readableBytesView)
        let object = try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
        #expect(object["texts"] as? [String] == texts)
        #expect(object["n"] as? Int == -42)
        #expect((object["nested"] as? [String: Any])?["k\"ey"] as? Int == 7)
        #expect(String(decoding: bytes, as: UTF8.self).contains("slash / stays"))
    }
}
