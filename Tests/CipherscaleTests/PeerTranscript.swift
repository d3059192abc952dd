/// What the fake server saw on its one connection.
struct PeerTranscript: Sendable {
    /// Every byte the client sent (decrypted when TLS was on), as text.
    var received: String
    /// Lines that did not match the script.
    var mismatches: [String]
    /// How many script steps were never reached.
    var unfinishedSteps: Int
}
