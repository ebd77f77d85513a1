/// This build's version, printed by `ferry --version`.
public enum FerryVersion {
    public static let current = "0.11.0"
}
