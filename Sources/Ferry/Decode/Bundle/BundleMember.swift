/// A data file taken out of a bundle into the staging area, ready to be processed like an inbox file.
struct BundleMember: Sendable, Equatable {
    /// The member's file name inside the bundle (its folders dropped).
    var name: String
    /// Where its extracted bytes are.
    var path: String
    var size: Int64
}
