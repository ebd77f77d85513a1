import Dispatch
import Synchronization

/// Computes a file's SHA-256 on another core while the pipeline reads the same file (from the page
/// cache), so the digest costs no wall time on large inputs. Small files are hashed at once.
final class BackgroundDigest: Sendable {
    static let inlineLimit: Int64 = 4 << 20

    private let result = Mutex<Result<String, InputError>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(path: String, displayName: String, size: Int64) {
        let compute: @Sendable () -> Result<String, InputError> = {
            do {
                return .success(try SHA256.file(path, displayName: displayName))
            } catch let error as InputError {
                return .failure(error)
            } catch {
                return .failure(InputError(.io, InputLocation(file: displayName), "\(error)"))
            }
        }
        if size <= Self.inlineLimit {
            let value = compute()
            result.withLock { $0 = value }
            done.signal()
            return
        }
        DispatchQueue.global(qos: .userInitiated).async {
            let value = compute()
            self.result.withLock { $0 = value }
            self.done.signal()
        }
    }

    /// Waits for the digest.
    func value() throws(InputError) -> String {
        done.wait()
        done.signal()
        switch result.withLock({ $0 }) {
        case .success(let digest): return digest
        case .failure(let error): throw error
        case nil: throw InputError(.io, InputLocation(file: ""), "the digest was not computed")
        }
    }
}
