import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// CPU-heavy work of requests (reading and mapping ingest batches) on threads of their own at a lower OS priority.
///
/// SQLite has one writer, and a transaction holds it while its thread runs. When mapping shared the cooperative
/// threads at the same priority, the kernel took the core from the writer mid-transaction as often as not, and every
/// other batch waited for the lock meanwhile: the writer was held half again as long as it worked. Swift's task
/// priorities do not reach the kernel on Linux; a thread's nice value does.
enum BackgroundWork {
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: System.coreCount)
        pool.start()
        return pool
    }()

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive {
            yieldToOtherThreads()
            return try body()
        }
    }

    /// Nice 10 for the calling thread (its weight is a tenth of a normal thread's when both want a core). On Linux
    /// the nice value belongs to a thread, and `who` 0 names the calling one.
    static func yieldToOtherThreads() {
        #if os(Linux)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }
}
