/// One step of what the fake SMTP server does, in order.
enum PeerStep: Sendable {
    /// Sends reply lines; several lines are separated by `\n` in the text, and each goes out with CRLF.
    case send(String)
    /// Reads the next line from the client and records a mismatch unless it is exactly this text.
    case expect(String)
    /// Reads the message after `DATA`, up to and including the line `.`.
    case expectData
    /// Puts a TLS server handler in front of the pipeline (after a `220` to `STARTTLS`).
    case startTLS
    /// Sends these raw bytes as they are.
    case sendRaw(String)
    /// Stops answering; waits for the client to go away.
    case silence
    /// Closes the connection.
    case close
}
