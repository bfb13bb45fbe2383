/// ISO 8601 dates and date-times, to and from milliseconds since 1970-01-01T00:00:00Z (proleptic Gregorian
/// calendar, UTC; dates before 1970 are negative).
///
/// Accepted forms: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, then optionally `T` (or a space) and `HH:MM`, `HH:MM:SS`
/// or `HH:MM:SS.fff`, then optionally `Z` or an offset `±HH:MM` / `±HHMM` (none means UTC). Years run from
/// 0000 to 9999. A slash may stand for the dash in the date, and the month and day may have one digit
/// (`2017/2/7`): the year comes first, so this is not ambiguous. Anything else is refused, never guessed.
///
/// A value given with less than millisecond precision stands for the whole period it names: in a range,
/// `[2017-03-01 TO 2017-03-31]` runs from the first millisecond of March 1 to the last of March 31, as in
/// Elasticsearch (see ``parse(_:)``'s `start` and `end`).
public enum DateValue {
    /// How much of a date-time was given.
    public enum Precision: Int, Sendable, Comparable {
        case year, month, day, minute, second, millisecond
        /// Orders from the coarsest precision (year) to the finest (millisecond).
        public static func < (a: Precision, b: Precision) -> Bool { a.rawValue < b.rawValue }
    }

    /// Parses `text`; nil when it is not one of the accepted forms or names no real date (February 30).
    /// - Returns: the first millisecond of the period `text` names, its last millisecond, and its precision.
    public static func parse(_ text: String) -> (start: Int64, end: Int64, precision: Precision)? {
        let s = Array(text.utf8)
        var i = 0
        func digits(_ minCount: Int, _ maxCount: Int) -> Int? {
            var v = 0, n = 0
            while i < s.count, n < maxCount, s[i] >= 48, s[i] <= 57 { v = v * 10 + Int(s[i] - 48); i += 1; n += 1 }
            return n >= minCount ? v : nil
        }
        guard let year = digits(4, 4) else { return nil }
        var month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0
        var precision = Precision.year
        var separator: UInt8? = nil
        if i < s.count, s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "/") {
            separator = s[i]; i += 1
            guard let m = digits(1, 2) else { return nil }
            month = m; precision = .month
            if i < s.count, s[i] == separator {
                i += 1
                guard let d = digits(1, 2) else { return nil }
                day = d; precision = .day
            }
        }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year, month) else { return nil }
        if i < s.count, precision == .day, s[i] == UInt8(ascii: "T") || s[i] == UInt8(ascii: " ") {
            i += 1
            guard let h = digits(2, 2), i < s.count, s[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            guard let mi = digits(2, 2) else { return nil }
            hour = h; minute = mi; precision = .minute
            if i < s.count, s[i] == UInt8(ascii: ":") {
                i += 1
                guard let sec = digits(2, 2) else { return nil }
                second = sec; precision = .second
                if i < s.count, s[i] == UInt8(ascii: ".") || s[i] == UInt8(ascii: ",") {
                    i += 1
                    let start = i
                    guard let frac = digits(1, 9) else { return nil }
                    let n = i - start
                    var ms = frac
                    if n < 3 { for _ in n..<3 { ms *= 10 } } else { for _ in 3..<n { ms /= 10 } }
                    millis = ms; precision = .millisecond
                }
            }
            guard hour < 24, minute < 60, second < 60 else { return nil }
        }
        var offsetMinutes = 0
        if i < s.count {
            guard precision >= .minute else { return nil }   // a zone needs a time
            if s[i] == UInt8(ascii: "Z") { i += 1 }
            else if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
                let sign = s[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = digits(2, 2) else { return nil }
                if i < s.count, s[i] == UInt8(ascii: ":") { i += 1 }
                guard let om = digits(2, 2), oh < 24, om < 60 else { return nil }
                offsetMinutes = sign * (oh * 60 + om)
            } else { return nil }
        }
        guard i == s.count else { return nil }
        let days = Int64(daysFromCivil(year, month, day))
        let start = ((days * 24 + Int64(hour)) * 60 + Int64(minute) - Int64(offsetMinutes)) * 60_000
            + Int64(second) * 1000 + Int64(millis)
        let next: Int64
        switch precision {
        case .year: next = Int64(daysFromCivil(year + 1, 1, 1)) * 86_400_000
        case .month: next = Int64(month == 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1)) * 86_400_000
        case .day: next = start + 86_400_000
        case .minute: next = start + 60_000
        case .second: next = start + 1000
        case .millisecond: next = start + 1
        }
        return (start, next - 1, precision)
    }

    /// `ms` as `YYYY-MM-DDTHH:MM:SSZ`, with `.fff` before the `Z` when the milliseconds are not 0; with
    /// `dateOnly`, a value at midnight UTC as just `YYYY-MM-DD`.
    public static func format(_ ms: Int64, dateOnly: Bool = false) -> String {
        if dateOnly, floorDiv(ms, 86_400_000).1 == 0 { return String(format(ms).prefix(10)) }
        let (days, rest) = floorDiv(ms, 86_400_000)
        let (y, m, d) = civil(fromDays: Int(days))
        let secs = Int(rest / 1000), millis = Int(rest % 1000)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var year = String(y)
        if y >= 0 && y < 1000 { year = String(repeating: "0", count: 4 - year.count) + year }
        var out = "\(year)-\(two(m))-\(two(d))T\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))"
        if millis != 0 { out += "." + (millis < 10 ? "00" : millis < 100 ? "0" : "") + String(millis) }
        return out + "Z"
    }

    /// The calendar year, month and day of `ms` in UTC.
    static func components(_ ms: Int64) -> (year: Int, month: Int, day: Int) {
        civil(fromDays: Int(floorDiv(ms, 86_400_000).0))
    }

    /// The first millisecond of the year, month or day holding `ms`, and the first of the next one.
    static func bucket(_ ms: Int64, _ interval: CalendarInterval) -> (start: Int64, next: Int64) {
        let (y, m, d) = components(ms)
        let day: Int64 = 86_400_000
        switch interval {
        case .year: return (Int64(daysFromCivil(y, 1, 1)) * day, Int64(daysFromCivil(y + 1, 1, 1)) * day)
        case .month:
            return (Int64(daysFromCivil(y, m, 1)) * day, Int64(m == 12 ? daysFromCivil(y + 1, 1, 1) : daysFromCivil(y, m + 1, 1)) * day)
        case .day: let s = Int64(daysFromCivil(y, m, d)) * day; return (s, s + day)
        }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b, r = a % b
        if r < 0 { q -= 1; r += b }
        return (q, r)
    }

    static func isLeap(_ y: Int) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (the civil-calendar algorithm published by
    /// Howard Hinnant, public domain).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The inverse of ``daysFromCivil(_:_:_:)``.
    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// A calendar interval for date histograms (``FacetRequest/dateHistogram(_:interval:)``), in UTC.
public enum CalendarInterval: String, Sendable, CaseIterable {
    case year, month, day
}
