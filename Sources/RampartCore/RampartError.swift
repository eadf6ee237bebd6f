/// Every error Rampart's domain raises; the server maps each case to a response in one place.
public enum RampartError: Error, Sendable, Equatable {
    /// No or bad credentials.
    case unauthorized(String)
    /// Valid credentials without the needed permission.
    case forbidden(String)
    /// Absent, or present but outside the caller's scope: the two must look the same.
    case notFound(String)
    /// Input that breaks a rule; `code` is a Defender error code such as `InvalidRequestBody`.
    case invalidInput(code: String, message: String)
    /// A unique name or key is already taken.
    case conflict(String)
    case tooManyRequests(retryAfterSeconds: Int)
    case payloadTooLarge(limit: Int)
}
