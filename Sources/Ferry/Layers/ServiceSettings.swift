/// `http:` in ferry.yaml: the watcher's HTTP endpoint (metrics, health, the status page).
///
/// ```yaml
/// http:
///   listen: 127.0.0.1:9464         # the same as ferry watch --http 127.0.0.1:9464
///   token_file: /etc/ferry/token   # needed to retry from the page when listen is not loopback
/// ```
public struct HTTPSettings: Sendable, Equatable {
    public var listen: String
    public var tokenFile: String?

    public init(listen: String, tokenFile: String? = nil) {
        self.listen = listen
        self.tokenFile = tokenFile
    }

    static let keys = ["listen", "token_file"]
}

/// One entry of `notify:` in ferry.yaml: a webhook that gets a JSON POST per event.
///
/// ```yaml
/// notify:
///   - url: https://hooks.example.com/ferry
///     on: [failed, quarantined]      # default: every event
///     headers: {Authorization: Bearer abc}
/// ```
public struct WebhookSettings: Sendable, Equatable {
    public var url: String
    public var events: Set<String>
    public var headers: [String: String]

    public init(url: String, events: Set<String> = WebhookSettings.allEvents, headers: [String: String] = [:]) {
        self.url = url
        self.events = events
        self.headers = headers
    }

    /// failed: an input went to failed/ (quarantined ones too); quarantined: set aside after crashes;
    /// delivery-waiting: outputs complete but cannot be moved into place (disk full, permissions).
    public static let allEvents: Set<String> = ["failed", "quarantined", "delivery-waiting"]
    static let keys = ["url", "on", "headers"]
}
