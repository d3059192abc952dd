/// Every service of the directory, built once by the composition root and shared by every door
/// (REST handlers, command line, background workers).
public struct DirectoryServices: Sendable {
    public let users: UserService
    public let groups: GroupService
    public let roles: RoleService
    public let devices: DeviceService
    public let invitations: InvitationService
    public let audit: AuditService
    public let tenants: TenantService
    public let keys: KeyService
    /// Console sign-in and sessions.
    public let console: ConsoleService
    /// Stored answers of idempotent requests.
    public let idempotency: any IdempotencyRepository
    /// The durable job queue every background worker shares.
    public let jobs: any JobQueue
    /// The time source every service reads.
    public let clock: any DirectoryClock

    /// The services over one set of repositories.
    public init(
        users: UserService, groups: GroupService, roles: RoleService, devices: DeviceService, invitations: InvitationService,
        audit: AuditService, tenants: TenantService, keys: KeyService, console: ConsoleService, idempotency: any IdempotencyRepository,
        jobs: any JobQueue, clock: any DirectoryClock
    ) {
        self.users = users
        self.groups = groups
        self.roles = roles
        self.devices = devices
        self.invitations = invitations
        self.audit = audit
        self.tenants = tenants
        self.keys = keys
        self.console = console
        self.idempotency = idempotency
        self.jobs = jobs
        self.clock = clock
    }
}
