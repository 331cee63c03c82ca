import Foundation
import Testing

@testable import StrataBench

/// The realtime workload's report: medians per phase kind, the throughput
/// ratio and server CPU per million samples.
@Suite struct RealtimeBenchReportTests {
    func phase(_ with: Bool, rate: Double, cpu: Double, messages: Int) -> RealtimeBench.Phase {
        RealtimeBench.Phase(withSubscribers: with, samplesPerSecond: rate, serverCPUSeconds: cpu, seconds: 8, messages: messages)
    }

    @Test func mediansAndRatios() {
        var o = RealtimeBench.Options()
        o.repetitions = 3
        let bench = RealtimeBench(options: o, executable: "/bin/false", workDir: "/tmp")
        let lines = bench.report([
            phase(false, rate: 4e6, cpu: 6.4, messages: 1000), phase(true, rate: 3.6e6, cpu: 6.0, messages: 9000),
            phase(true, rate: 3.0e6, cpu: 5.0, messages: 9000), phase(false, rate: 5e6, cpu: 8.0, messages: 1000),
            phase(false, rate: 1e6, cpu: 1.6, messages: 1000), phase(true, rate: 4.5e6, cpu: 7.2, messages: 9008),
        ])
        let text = lines.joined(separator: "\n")
        // Medians: without 4.00 M/s, with 3.60 M/s → 90 %.
        #expect(text.contains("| remote-write ingest (M samples/s, median of 3) | 4.00 | 3.60 | **90 %** |"), "\(text)")
        // CPU per million samples: without 6.4 / 32 = 0.200 (all three), with 6.0 / 28.8 = 0.208.
        #expect(text.contains("| server CPU per million samples (s) | 0.200 | 0.208 | 104 % |"), "\(text)")
        #expect(text.contains("| messages to subscribers per second | 125 | 1125 | |"), "\(text)")
    }
}
