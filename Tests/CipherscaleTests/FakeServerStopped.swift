/// Why the fake server has no transcript to give.
struct FakeServerStopped: Error {}
