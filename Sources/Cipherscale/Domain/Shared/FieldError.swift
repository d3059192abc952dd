/// One problem with one field of a request: where it is, as a value, and what is wrong.
public struct FieldError: Error, Sendable, Equatable {
    /// Where the problem is.
    public var location: FieldLocation
    /// What is wrong, in words.
    public var detail: String

    /// A problem at `location`.
    public init(_ location: FieldLocation, _ detail: String) {
        self.location = location
        self.detail = detail
    }
}
