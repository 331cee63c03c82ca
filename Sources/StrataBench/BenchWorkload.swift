import StrataTestSupport

/// The workloads `strata bench` can run, each with its query set.
public enum BenchWorkload: String, Sendable, Codable, CaseIterable {
    /// node_exporter-like hosts (`NodeWorkload`): 100 series per host, 15 s.
    case node
    /// TSBS cpu-only (`DevopsWorkload`): 10 series per host, 10 s.
    case devops
    /// Pods that come and go (`ChurnWorkload`): 5 series per pod, 15 s.
    case churn

    /// Series per scrape target (host or pod).
    public var seriesPerTarget: Int {
        switch self {
        case .node: return NodeWorkload.seriesPerHost
        case .devops: return DevopsWorkload.seriesPerHost
        case .churn: return ChurnWorkload.seriesPerPod
        }
    }

    /// Scrape targets for about `series` series alive at a time.
    public func targets(forSeries series: Int) -> Int { max(1, (series + seriesPerTarget / 2) / seriesPerTarget) }

    /// Generates `durationMs` of the workload for about `series` active series.
    public func generate(
        series: Int, durationMs: Int64, seed: UInt64, start: Int64, generator: LoadGenerator,
        progress: (_ done: Int, _ total: Int) -> Void
    ) -> GeneratedLoad {
        let n = targets(forSeries: series)
        switch self {
        case .node:
            let w = NodeWorkload(hosts: n, seed: seed, start: start)
            let rounds = w.roundCount(durationMs: durationMs)
            return generator.generate(w, rounds: rounds) { progress($0, rounds) }
        case .devops:
            let w = DevopsWorkload(hosts: n, seed: seed, start: start)
            let rounds = w.roundCount(durationMs: durationMs)
            return generator.generate(w, rounds: rounds) { progress($0, rounds) }
        case .churn:
            let w = ChurnWorkload(slots: n, seed: seed, start: start)
            let rounds = w.roundCount(durationMs: durationMs)
            return generator.generate(w, rounds: rounds) { progress($0, rounds) }
        }
    }

    /// The query set. `range` is the whole data span as a PromQL duration
    /// (for raw range selectors over all of it).
    public func queries(range: String) -> [BenchQuery] {
        switch self {
        case .node:
            return [
                BenchQuery("series_range", #"node_load1{instance="host-00:9100"}"#, kind: .selector),
                BenchQuery("series_raw", #"node_memory_MemFree_bytes{instance="host-00:9100"}[\#(range)]"#, kind: .selector, shape: .instant),
                BenchQuery("regex_selector", #"node_filesystem_avail_bytes{instance=~"host-0[0-4]:9100",mountpoint=~"/|/var"}"#, kind: .selector),
                BenchQuery("rate", #"rate(node_network_receive_bytes_total{device="eth0"}[5m])"#, kind: .dashboard),
                BenchQuery("cpu_by_instance", #"sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))"#, kind: .dashboard),
                BenchQuery("latency_p95", "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))", kind: .dashboard),
                BenchQuery("load_avg_over_time", "avg_over_time(node_load1[15m])", kind: .dashboard),
                BenchQuery("mem_max_over_time", "max by (instance) (max_over_time(node_memory_Active_bytes[1h]))", kind: .dashboard),
                BenchQuery("mem_used_ratio", "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", kind: .dashboard),
                BenchQuery("disk_io_top3", "topk(3, rate(node_disk_io_time_seconds_total[5m]))", kind: .dashboard),
                BenchQuery("count_series", #"count({__name__=~".+"})"#, kind: .dashboard),
            ]
        case .devops:
            // TSBS' cpu-only query types, in PromQL.
            return [
                BenchQuery("series_range", #"cpu_usage_user{hostname="host_0"}"#, kind: .selector),
                BenchQuery("series_raw", #"cpu_usage_user{hostname="host_0"}[\#(range)]"#, kind: .selector, shape: .instant),
                BenchQuery("lastpoint", #"{__name__=~"cpu_.+",hostname="host_0"}"#, kind: .selector, shape: .instant),
                BenchQuery("single_groupby_1_1_1", #"max(max_over_time(cpu_usage_user{hostname="host_0"}[1m]))"#, kind: .dashboard),
                BenchQuery("cpu_max_all_8", #"max by (hostname) (max_over_time(cpu_usage_user{hostname=~"host_[0-7]"}[1h]))"#, kind: .dashboard),
                BenchQuery("double_groupby_1", "avg by (hostname) (avg_over_time(cpu_usage_user[5m]))", kind: .dashboard),
                BenchQuery("high_cpu_all", "cpu_usage_user > 90", kind: .dashboard),
                BenchQuery("groupby_orderby_limit", "topk(5, max by (hostname) (cpu_usage_user))", kind: .dashboard),
                BenchQuery("count_series", #"count({__name__=~".+"})"#, kind: .dashboard),
            ]
        case .churn:
            return [
                BenchQuery("regex_selector", #"container_memory_working_set_bytes{pod=~"api-.*",container="app"}"#, kind: .selector),
                BenchQuery("active_pods", "count(kube_pod_info)", kind: .dashboard),
                BenchQuery("pods_per_node", "count by (node) (kube_pod_info)", kind: .dashboard),
                BenchQuery("cpu_by_namespace", "sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))", kind: .dashboard),
                BenchQuery("mem_top5_pods", #"topk(5, sum by (pod) (container_memory_working_set_bytes{namespace="default"}))"#, kind: .dashboard),
                BenchQuery("pods_seen_1h", "count(last_over_time(kube_pod_info[1h]))", kind: .dashboard),
                BenchQuery("count_series", #"count({__name__=~".+"})"#, kind: .dashboard),
            ]
        }
    }
}
