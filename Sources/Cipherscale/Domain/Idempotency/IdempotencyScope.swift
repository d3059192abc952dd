/// Whose `Idempotency-Key`s a stored answer belongs to: the same key text sent by two callers
/// names two different requests.
///
/// An API key's requests share one scope. An invitation's acceptance needs no API key (the token in
/// the path is the credential), so its keys are scoped to the invitation, named by the hash of its
/// token as the invitation itself is stored: only the holder of the link can reach that scope.
public enum IdempotencyScope: Sendable, Hashable {
    /// Requests made with this API key.
    case apiKey(APIKeyID)
    /// Acceptances of the invitation whose token has this hash (``Secrets/hash(_:)``).
    case invitation(tokenHash: String)

    /// The stored form: `key:<api key id>` or `invitation:<token hash>`.
    public var storageKey: String {
        switch self {
        case .apiKey(let id): "key:\(id.rawValue)"
        case .invitation(let tokenHash): "invitation:\(tokenHash)"
        }
    }
}
