import Foundation
import ZhenxingDomain

/// A chart drawn on the server as SVG — a line over years or horizontal bars over categories — with its numbers
/// kept beside it as a table for screen readers and print.
struct Chart: Sendable, Encodable {
    /// One value: its label on the axis, the value, and the value as people read it.
    struct Point: Sendable, Encodable {
        let label: String
        let value: Double
        let text: String
    }

    let title: String
    /// The unit of the values, named on the axis and in the table.
    let unit: String
    /// The SVG markup (labels escaped), placed in the page as is.
    let svg: String
    let rows: [Point]

    /// The drawing's width in its own units: small enough that its 14-unit labels stay at 12 px or more on a 375 px phone.
    private static let width = 400.0

    /// Values over an ordered axis (years) joined by a line; a year without a value leaves a gap.
    static func line(title: String, unit: String, points: [Point?], labels: [String]) -> Chart {
        let height = 240.0, left = 56.0, right = 16.0, top = 30.0, bottom = 36.0
        let values = points.compactMap { $0?.value }
        let (maximum, step) = scale(values.max() ?? 0, whole: values.allSatisfy { $0 == $0.rounded() })
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let x = { (index: Int) in left + (labels.count < 2 ? plotWidth / 2 : plotWidth * Double(index) / Double(labels.count - 1)) }
        let y = { (value: Double) in top + plotHeight * (1 - value / maximum) }
        var svg = header(title: title, height: height)
        svg += grid(maximum: maximum, step: step, left: left, right: width - right, y: y)
        var path = "", dots = ""
        var drawing = false
        for (index, point) in points.enumerated() {
            guard let point else { drawing = false; continue }
            path += "\(drawing ? "L" : "M")\(format(x(index))),\(format(y(point.value))) "
            drawing = true
            dots += "<circle cx=\"\(format(x(index)))\" cy=\"\(format(y(point.value)))\" r=\"3.5\" class=\"chart-dot\"><title>\(escape(point.label)): \(escape(point.text))</title></circle>"
        }
        svg += "<path d=\"\(path)\" class=\"chart-line\" fill=\"none\"/>" + dots
        let every = max(1, (labels.count + 5) / 6)
        for (index, label) in labels.enumerated() where index % every == 0 || index == labels.count - 1 {
            svg += "<text x=\"\(format(x(index)))\" y=\"\(format(height - bottom + 18))\" text-anchor=\"middle\" class=\"chart-label\">\(escape(label))</text>"
        }
        // The unit above the axis, clear of its top number.
        svg += "<text x=\"\(format(left - 8))\" y=\"14.0\" text-anchor=\"end\" class=\"chart-unit\">\(escape(unit))</text></svg>"
        return Chart(title: title, unit: unit, svg: svg, rows: points.compactMap { $0 })
    }

    /// Values over categories as horizontal bars, each with its number at the end.
    static func bars(title: String, unit: String, points: [Point]) -> Chart {
        let labelWidth = 130.0, right = 80.0, top = 28.0, barHeight = 22.0, gap = 10.0
        let height = top + Double(points.count) * (barHeight + gap) + 8
        let (maximum, step) = scale(points.map(\.value).max() ?? 0, whole: points.allSatisfy { $0.value == $0.value.rounded() })
        let plotWidth = width - labelWidth - right
        let x = { (value: Double) in labelWidth + plotWidth * value / maximum }
        var svg = header(title: title, height: height)
        var tick = 0.0
        while tick <= maximum + step / 2 {
            svg += "<line x1=\"\(format(x(tick)))\" x2=\"\(format(x(tick)))\" y1=\"\(format(top - 6))\" y2=\"\(format(height - 8))\" class=\"chart-grid\"/>"
            svg += "<text x=\"\(format(x(tick)))\" y=\"\(format(top - 10))\" text-anchor=\"middle\" class=\"chart-label\">\(escape(axis(tick)))</text>"
            tick += step
        }
        for (index, point) in points.enumerated() {
            let y = top + Double(index) * (barHeight + gap)
            svg += "<text x=\"\(format(labelWidth - 8))\" y=\"\(format(y + barHeight * 0.72))\" text-anchor=\"end\" class=\"chart-label\">\(escape(point.label))</text>"
            svg += "<rect x=\"\(format(labelWidth))\" y=\"\(format(y))\" width=\"\(format(max(0, x(point.value) - labelWidth)))\" height=\"\(format(barHeight))\" class=\"chart-bar\"><title>\(escape(point.label)): \(escape(point.text))</title></rect>"
            svg += "<text x=\"\(format(x(point.value) + 6))\" y=\"\(format(y + barHeight * 0.72))\" class=\"chart-value\">\(escape(point.text))</text>"
        }
        // The unit over the labels' column, where no axis number stands.
        svg += "<text x=\"\(format(labelWidth - 8))\" y=\"\(format(top - 10))\" text-anchor=\"end\" class=\"chart-unit\">\(escape(unit))</text></svg>"
        return Chart(title: title, unit: unit, svg: svg, rows: points)
    }

    private static func header(title: String, height: Double) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(format(width)) \(format(height))\" role=\"img\" aria-label=\"\(escape(title))\" class=\"chart\">"
    }

    private static func grid(maximum: Double, step: Double, left: Double, right: Double, y: (Double) -> Double) -> String {
        var svg = ""
        var tick = 0.0
        while tick <= maximum + step / 2 {
            svg += "<line x1=\"\(format(left))\" x2=\"\(format(right))\" y1=\"\(format(y(tick)))\" y2=\"\(format(y(tick)))\" class=\"chart-grid\"/>"
            svg += "<text x=\"\(format(left - 8))\" y=\"\(format(y(tick) + 4))\" text-anchor=\"end\" class=\"chart-label\">\(escape(axis(tick)))</text>"
            tick += step
        }
        return svg
    }

    /// A round axis maximum at or above `value` and the step between four or five grid lines; for `whole` values
    /// (counts) the step is a whole number, so an axis of 3 households reads 0 1 2 3 4 5, not 0 0.25 0.5.
    static func scale(_ value: Double, whole: Bool = false) -> (maximum: Double, step: Double) {
        let (maximum, step) = roundScale(value)
        guard whole, step < 1 else { return (maximum, step) }
        return (max(1, maximum.rounded(.up)), 1)
    }

    private static func roundScale(_ value: Double) -> (maximum: Double, step: Double) {
        guard value > 0 else { return (1, 0.25) }
        let magnitude = pow(10, floor(log10(value)))
        for factor in [1.0, 2, 2.5, 5, 10] where value <= magnitude * factor {
            return (magnitude * factor, magnitude * factor / (factor == 2.5 || factor == 5 ? 5 : 4))
        }
        return (magnitude * 10, magnitude * 2.5)
    }

    private static func axis(_ value: Double) -> String {
        value == value.rounded() ? FixedPoint.group(String(Int(value))) : String(format: "%g", value)
    }

    /// A coordinate with one decimal (`String(format:)` cost a fifth of a dashboard's CPU). A value that is not a number
    /// (a ratio of nothing) draws at 0 and one beyond the drawing at its edge, instead of trapping the conversion.
    private static func format(_ value: Double) -> String {
        let tenths = value.isNaN ? 0 : Int((min(max(value, -1e6), 1e6) * 10).rounded(.toNearestOrEven))
        return "\(tenths < 0 ? "-" : "")\(abs(tenths) / 10).\(abs(tenths) % 10)"
    }

    static func escape(_ text: String) -> String {
        var bytes: [UInt8] = []
        HTML.escape(text, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
