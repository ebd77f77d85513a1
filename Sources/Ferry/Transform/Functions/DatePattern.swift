import Foundation

/// A date/time layout such as `yyyy-MM-dd'T'HH:mm:ssZ` or `dd.MM.yyyy`, compiled once: reads values
/// in that layout and writes them, converting between time zones when asked.
///
/// Letters: `yyyy` `yy` year, `MM` `M` month, `dd` `d` day, `HH` `H` hour (0-23), `mm` minute, `ss` second,
/// `SSS` milliseconds, `Z` or `XXX` zone offset (`Z`, `+01:00`, `+0100`). Text in single quotes is literal.
public struct DatePattern: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case year(digits: Int), month(digits: Int), day(digits: Int), hour(digits: Int), minute, second, millisecond
        case zone
        case literal(String)
    }

    public let text: String
    let parts: [Part]

    public init(_ text: String) throws(TemplateError) {
        self.text = text
        var parts: [Part] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            var run = 1
            while index + run < characters.count, characters[index + run] == character { run += 1 }
            switch character {
            case "y": guard run == 2 || run == 4 else { throw Self.bad(text, "write the year as yyyy or yy") }; parts.append(.year(digits: run))
            case "M": guard run <= 2 else { throw Self.bad(text, "write the month as MM or M") }; parts.append(.month(digits: run))
            case "d": guard run <= 2 else { throw Self.bad(text, "write the day as dd or d") }; parts.append(.day(digits: run))
            case "H": guard run <= 2 else { throw Self.bad(text, "write the hour as HH or H") }; parts.append(.hour(digits: run))
            case "m": guard run == 2 else { throw Self.bad(text, "write minutes as mm (months are MM)") }; parts.append(.minute)
            case "s": guard run == 2 else { throw Self.bad(text, "write seconds as ss") }; parts.append(.second)
            case "S": guard run == 3 else { throw Self.bad(text, "write milliseconds as SSS") }; parts.append(.millisecond)
            case "Z", "X": parts.append(.zone)
            case "'":
                guard let close = characters[(index + 1)...].firstIndex(of: "'") else { throw Self.bad(text, "a quoted text is not closed with '") }
                parts.append(.literal(String(characters[(index + 1)..<close])))
                index = close + 1
                continue
            default:
                if character.isLetter { throw Self.bad(text, "the letter \(character) has no meaning; put literal text in single quotes") }
                parts.append(.literal(String(repeating: character, count: run)))
            }
            index += run
        }
        self.parts = parts
    }

    /// Minutes with no hour: `yyyy-mm-dd` almost always means months (MM).
    var hasMinutesWithoutHours: Bool {
        parts.contains(.minute) && !parts.contains { if case .hour = $0 { true } else { false } }
    }

    private static func bad(_ text: String, _ message: String) -> TemplateError {
        TemplateError(file: "", "date pattern \"\(text)\": \(message)")
    }

    /// The moment a value names: fields, plus the zone offset in seconds when the value has one.
    struct Moment: Equatable {
        var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millisecond = 0
        var offset: Int?
    }

    func parse(_ value: String) -> Moment? {
        var moment = Moment()
        let characters = Array(value)
        var index = 0
        func number(_ minDigits: Int, _ maxDigits: Int) -> Int? {
            var digits = 0, result = 0
            while index < characters.count, digits < maxDigits, let digit = characters[index].wholeNumberValue, characters[index].isASCII {
                result = result * 10 + digit
                index += 1
                digits += 1
            }
            return digits >= minDigits ? result : nil
        }
        for part in parts {
            switch part {
            case .year(let digits):
                guard let year = number(digits, digits) else { return nil }
                moment.year = digits == 2 ? 2000 + year : year
            case .month(let digits): guard let month = number(digits, 2), (1...12).contains(month) else { return nil }; moment.month = month
            case .day(let digits): guard let day = number(digits, 2), day >= 1 else { return nil }; moment.day = day
            case .hour(let digits): guard let hour = number(digits, 2), hour < 24 else { return nil }; moment.hour = hour
            case .minute: guard let minute = number(2, 2), minute < 60 else { return nil }; moment.minute = minute
            case .second: guard let second = number(2, 2), second < 60 else { return nil }; moment.second = second
            case .millisecond: guard let millisecond = number(3, 3) else { return nil }; moment.millisecond = millisecond
            case .zone:
                guard index < characters.count else { return nil }
                if characters[index] == "Z" {
                    moment.offset = 0
                    index += 1
                } else if characters[index] == "+" || characters[index] == "-" {
                    let sign = characters[index] == "-" ? -1 : 1
                    index += 1
                    // Real offsets run from -12:00 to +14:00, in whole minutes.
                    guard let hours = number(2, 2), hours <= 14 else { return nil }
                    if index < characters.count, characters[index] == ":" { index += 1 }
                    let minutes = number(2, 2) ?? 0
                    guard minutes < 60 else { return nil }
                    moment.offset = sign * (hours * 3600 + minutes * 60)
                } else {
                    return nil
                }
            case .literal(let text):
                for expected in text {
                    guard index < characters.count, characters[index] == expected else { return nil }
                    index += 1
                }
            }
        }
        guard index == characters.count, moment.day <= Self.daysIn(month: moment.month, year: moment.year) else { return nil }
        return moment
    }

    func format(_ moment: Moment) -> String {
        var text = ""
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        for part in parts {
            switch part {
            case .year(let digits): text += digits == 2 ? pad(moment.year % 100, 2) : pad(moment.year, 4)
            case .month(let digits): text += pad(moment.month, digits)
            case .day(let digits): text += pad(moment.day, digits)
            case .hour(let digits): text += pad(moment.hour, digits)
            case .minute: text += pad(moment.minute, 2)
            case .second: text += pad(moment.second, 2)
            case .millisecond: text += pad(moment.millisecond, 3)
            case .zone:
                let offset = moment.offset ?? 0
                if offset == 0 {
                    text += "Z"
                } else {
                    text += (offset < 0 ? "-" : "+") + pad(abs(offset) / 3600, 2) + ":" + pad(abs(offset) % 3600 / 60, 2)
                }
            case .literal(let literal): text += literal
            }
        }
        return text
    }

    /// Moves a moment with a known offset into `zone` (the zone's offset at that instant).
    static func convert(_ moment: Moment, to zone: TimeZone) -> Moment {
        guard let offset = moment.offset else { return moment }
        let seconds = epochSeconds(moment) - offset
        let target = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
        var converted = fields(fromEpoch: seconds + target)
        converted.millisecond = moment.millisecond
        converted.offset = target
        return converted
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
    static func epochSeconds(_ moment: Moment) -> Int {
        let y = moment.month <= 2 ? moment.year - 1 : moment.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (moment.month + (moment.month > 2 ? -3 : 9)) + 2) / 5 + moment.day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return days * 86_400 + moment.hour * 3600 + moment.minute * 60 + moment.second
    }

    static func fields(fromEpoch seconds: Int) -> Moment {
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPart = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPart + 2) / 5 + 1
        let month = monthPart + (monthPart < 10 ? 3 : -9)
        return Moment(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day,
                      hour: secondOfDay / 3600, minute: secondOfDay % 3600 / 60, second: secondOfDay % 60)
    }
}
