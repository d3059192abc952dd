/// Nobody with the email may sign in: exit status 1 with the reason.
struct ConsoleLinkRefused: Error, CustomStringConvertible {
    var description: String
}
