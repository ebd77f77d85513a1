extension Double {
    /// `5` for 5.0, `2.5` for 2.5.
    var formatted: String {
        self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}
