import Yams

extension WorkspaceConfig {
    static func readHTTP(_ node: Node, path: String) throws(WorkspaceConfigError) -> HTTPSettings {
        func fail(_ node: Node, _ message: String) -> WorkspaceConfigError {
            WorkspaceConfigError(file: path, line: node.mark?.line, column: node.mark?.column, message)
        }
        if let scalar = node.scalar { return HTTPSettings(listen: scalar.string) }
        guard let mapping = node.mapping else { throw fail(node, "http must be an address (127.0.0.1:9464) or a section with listen:") }
        var settings = HTTPSettings(listen: "")
        for (key, value) in mapping {
            let name = key.scalar?.string ?? ""
            guard let text = value.scalar?.string, !text.isEmpty else { throw fail(value, "http: \(name) must be a value") }
            switch name {
            case "listen": settings.listen = text
            case "token_file": settings.tokenFile = text
            default:
                throw WorkspaceConfigError(file: path, line: key.mark?.line, column: key.mark?.column, "unknown key \"\(name)\" in http",
                                    hint: HTTPSettings.keys.joined(separator: ", "))
            }
        }
        guard !settings.listen.isEmpty else { throw fail(node, "http: listen is missing (an address such as 127.0.0.1:9464)") }
        return settings
    }

    static func readNotify(_ node: Node, path: String) throws(WorkspaceConfigError) -> [WebhookSettings] {
        func fail(_ node: Node, _ message: String) -> WorkspaceConfigError {
            WorkspaceConfigError(file: path, line: node.mark?.line, column: node.mark?.column, message)
        }
        guard let sequence = node.sequence else { throw fail(node, "notify must be a list of webhooks (- url: https://...)") }
        var hooks: [WebhookSettings] = []
        for item in sequence {
            guard let mapping = item.mapping else { throw fail(item, "each notify entry must be a section with url:") }
            var hook = WebhookSettings(url: "")
            for (key, value) in mapping {
                let name = key.scalar?.string ?? ""
                switch name {
                case "url":
                    let url = value.scalar?.string ?? ""
                    guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw fail(value, "notify: url must start with http:// or https://") }
                    hook.url = url
                case "on":
                    let events = value.sequence.map { $0.compactMap { $0.scalar?.string } } ?? value.scalar.map { [$0.string] } ?? []
                    for event in events where !WebhookSettings.allEvents.contains(event) {
                        throw fail(value, "notify: unknown event \"\(event)\" (events: \(WebhookSettings.allEvents.sorted().joined(separator: ", ")))")
                    }
                    guard !events.isEmpty else { throw fail(value, "notify: on must name events") }
                    hook.events = Set(events)
                case "headers":
                    guard let headers = value.mapping else { throw fail(value, "notify: headers must be a section (Name: value)") }
                    for (header, content) in headers {
                        hook.headers[header.scalar?.string ?? ""] = content.scalar?.string ?? ""
                    }
                default:
                    throw WorkspaceConfigError(file: path, line: key.mark?.line, column: key.mark?.column, "unknown key \"\(name)\" in notify",
                                        hint: WebhookSettings.keys.joined(separator: ", "))
                }
            }
            guard !hook.url.isEmpty else { throw fail(item, "notify: url is missing") }
            hooks.append(hook)
        }
        return hooks
    }
}
