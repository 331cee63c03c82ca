// The benchmark harness (issue #6): workloads, clients, peers, reports.
