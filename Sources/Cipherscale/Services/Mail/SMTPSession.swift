/// An open, greeted, possibly encrypted and authenticated connection, with what its server offers.
struct SMTPSession: Sendable {
    /// The connection commands go over.
    let connection: SMTPConnection
    /// The `EHLO` keywords of the (last) hello.
    let extensions: SMTPExtensions
}
