import Foundation

/// The plot of Strata's ratio to each peer per figure: horizontal bars on a
/// log₂ axis centred on 1×, one bar per peer, drawn from 1× to the ratio.
/// Full colour where Strata is at least as good (the figure's direction
/// decides: higher ingest rate, lower everything else), faded and marked ✗
/// where it is worse. Plain SVG 1.1 written by hand: no dependencies.
public enum RatioChart {
    static let width = 960.0
    static let labelRight = 262.0
    static let axisLeft = 280.0
    static let axisRight = 880.0
    /// The axis spans 2^-minExp … 2^maxExp; ratios beyond are clamped
    /// (the text still gives the exact ratio).
    static let minExp = -5.0, maxExp = 5.0
    static let rowHeight = 15.0, barHeight = 11.0, groupGap = 9.0
    static let colors: [TargetKind: String] = [.prometheus: "#d9541e", .victoriametrics: "#6a3d9a"]

    static func x(_ ratio: Double) -> Double {
        let e = min(maxExp, max(minExp, log2(ratio)))
        return axisLeft + (e - minExp) / (maxExp - minExp) * (axisRight - axisLeft)
    }

    public static func svg(_ r: BenchResults) -> String {
        let strata = r.target(.strata)
        let peers = [TargetKind.prometheus, .victoriametrics].filter { r.target($0) != nil }
        let figures = BenchFigure.all(queries: r.queries).filter { f in
            peers.contains { f.ratio(strata, r.target($0)) != nil }
        }
        let top = 92.0
        let groupHeight = Double(max(1, peers.count)) * rowHeight + groupGap
        let height = top + Double(max(1, figures.count)) * groupHeight + 40
        var s = #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(n(width))" height="\#(n(height))" viewBox="0 0 \#(n(width)) \#(n(height))" font-family="sans-serif" font-size="12">"#
        s += "\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
        s += "\n" + text(16, 24, "Strata ÷ peer, \(r.settings.workload.rawValue) workload, \(Report.grouped(r.load.samples)) samples (\(r.date))", size: 15, weight: "bold")
        s += "\n" + text(16, 44, "Bars go from 1× to the ratio on a log scale. Faded with ✗: Strata is worse on that figure.", size: 11, fill: "#555")
        // Legend.
        var lx = 16.0
        for p in peers {
            s += "\n" + #"<rect x="\#(n(lx))" y="54" width="12" height="12" fill="\#(colors[p] ?? "#888")"/>"#
            s += "\n" + text(lx + 17, 64, "vs \(p.displayName)", size: 11)
            lx += 150
        }
        // Axis and grid.
        let gridBottom = height - 30
        var e = minExp
        while e <= maxExp {
            let gx = x(pow(2, e))
            let label = e >= 0 ? "\(Int(pow(2, e)))×" : "1/\(Int(pow(2, -e)))×"
            s += "\n" + #"<line x1="\#(n(gx))" y1="\#(n(top - 8))" x2="\#(n(gx))" y2="\#(n(gridBottom))" stroke="\#(e == 0 ? "#333" : "#ddd")" stroke-width="\#(e == 0 ? 1.5 : 1)"/>"#
            s += "\n" + text(gx, top - 12, label, size: 10, fill: "#555", anchor: "middle")
            e += 1
        }
        var y = top
        for f in figures {
            s += "\n" + text(labelRight, y + rowHeight * Double(peers.count) / 2 + 3, f.label + (f.higherIsBetter ? " (higher is better)" : ""), size: 12, anchor: "end")
            for p in peers {
                if let ratio = f.ratio(strata, r.target(p)) {
                    let x0 = x(1), x1 = x(ratio)
                    let good = f.isBetterOrEqual(ratio: ratio)
                    let bx = min(x0, x1), bw = max(1, abs(x1 - x0))
                    s += "\n" + #"<rect x="\#(n(bx))" y="\#(n(y + (rowHeight - barHeight) / 2))" width="\#(n(bw))" height="\#(n(barHeight))" fill="\#(colors[p] ?? "#888")" fill-opacity="\#(good ? "0.9" : "0.35")"><title>\#(escape("\(f.label): Strata ÷ \(p.displayName) = \(Report.fixed(ratio, 3))"))</title></rect>"#
                    let label = Report.fixed(ratio, 2) + "×" + (good ? "" : " ✗")
                    let tx = x1 >= x0 ? max(x0, x1) + 4 : min(x0, x1) - 4
                    s += "\n" + text(tx, y + rowHeight - 4, label, size: 10, fill: "#222", anchor: x1 >= x0 ? "start" : "end")
                }
                y += rowHeight
            }
            y += groupGap
        }
        s += "\n</svg>\n"
        return s
    }

    static func text(_ x: Double, _ y: Double, _ t: String, size: Int, weight: String = "normal", fill: String = "#000", anchor: String = "start") -> String {
        #"<text x="\#(n(x))" y="\#(n(y))" font-size="\#(size)" font-weight="\#(weight)" fill="\#(fill)" text-anchor="\#(anchor)">\#(escape(t))</text>"#
    }

    /// Coordinates with at most one decimal.
    static func n(_ v: Double) -> String { Report.fixed(v, 1) }

    static func escape(_ s: String) -> String {
        var o = ""
        for c in s {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            default: o.append(c)
            }
        }
        return o
    }
}
