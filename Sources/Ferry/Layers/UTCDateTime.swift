#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A moment in UTC broken into fields; names outputs and stamps zip entries.
public struct UTCDateTime: Sendable, Equatable {
    public var year, month, day, hour, minute, second: Int

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
    }

    /// Now, from the system clock.
    public static func now() -> UTCDateTime {
        UTCDateTime(secondsSince1970: Int(time(nil)))
    }

    /// The moment `seconds` after 1970-01-01T00:00:00Z (a file's time stamp).
    public init(secondsSince1970: Int) {
        var seconds = time_t(secondsSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        self.init(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                  hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec))
    }

    /// `20261125T130512Z`, safe in file names and sorting by time.
    public var compact: String {
        "\(pad(year, 4))\(pad(month))\(pad(day))T\(pad(hour))\(pad(minute))\(pad(second))Z"
    }

    /// `2026-11-25`, the archive's folder per day.
    public var day8601: String { "\(pad(year, 4))-\(pad(month))-\(pad(day))" }

    /// `2026-11-25T13:05:12Z`.
    public var iso8601: String { "\(day8601)T\(pad(hour)):\(pad(minute)):\(pad(second))Z" }

    private func pad(_ value: Int, _ width: Int = 2) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
