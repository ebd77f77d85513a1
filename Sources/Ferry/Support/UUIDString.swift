import Foundation

/// A fresh random UUID as text (names of scratch folders and staged copies).
enum UUIDString {
    static func make() -> String { UUID().uuidString }
}
