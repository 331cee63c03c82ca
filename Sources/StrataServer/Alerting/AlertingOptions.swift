import StrataStorage

/// The `alerting:` section of the server config. Names and defaults follow
/// Prometheus' flags (`--rules.alert.*`, `evaluation_interval`).
public struct AlertingOptions: Sendable, Equatable {
    /// Interval of groups that set none (Prometheus' `evaluation_interval`).
    public var evaluationInterval: Int64 = 15_000
    /// `--rules.alert.for-grace-period`: least `for` left after a restart.
    public var forGracePeriod: Int64 = 10 * 60_000
    /// `--rules.alert.for-outage-tolerance`: older `for` state is not restored.
    public var outageTolerance: Int64 = 60 * 60_000
    /// `--rules.alert.resend-delay`: how often firing alerts go to Alertmanager again.
    public var resendDelay: Int64 = 60_000
    /// Shown as `generatorURL` base and `$externalURL` in templates.
    public var externalURL = ""
    /// `global.external_labels` of the server config (set by the server, not
    /// under `alerting:`): `$externalLabels` in templates, and added to the
    /// labels of alerts sent to Alertmanager and webhooks.
    public var externalLabels = Labels()
    /// First retry delay of a failed notification; doubles each attempt.
    public var retryInitial: Int64 = 500
    /// Longest delay between retries.
    public var retryMax: Int64 = 30_000
    /// A notification still failing after this long is dropped (and counted).
    public var retryGiveUp: Int64 = 24 * 3_600_000
    /// Timeout of one notification request.
    public var sendTimeout: Int64 = 10_000
    /// Evaluate groups with alerting rules early when data is ingested
    /// (see `RuleManager.watchIngest`), so alerts fire within about
    /// `minEvalSpacing` of the crossing sample whatever the interval.
    public var evaluateOnIngest = true
    /// Least time between two evaluations of a group triggered by ingestion.
    public var minEvalSpacing: Int64 = 1000
    /// Transitions kept in the history.
    public var historyRetention: Int64 = 30 * 86_400_000

    public init() {}

    /// Applies the `alerting:` mapping of the YAML config.
    public mutating func apply(yaml v: Any) throws(ConfigError) {
        guard let map = v as? [String: Any] else { throw .invalid("alerting", "must be a mapping") }
        for (k, raw) in map {
            let key = "alerting." + k
            switch k {
            case "evaluation_interval":
                evaluationInterval = try RealtimeOptions.duration(key, raw, allowZero: false)
                guard evaluationInterval >= RuleGroupDecoder.minInterval else { throw .invalid(key, "must be at least 1s") }
            case "for_grace_period": forGracePeriod = try RealtimeOptions.duration(key, raw, allowZero: true)
            case "outage_tolerance": outageTolerance = try RealtimeOptions.duration(key, raw, allowZero: false)
            case "resend_delay": resendDelay = try RealtimeOptions.duration(key, raw, allowZero: false)
            case "external_url":
                guard let s = raw as? String else { throw .invalid(key, "\(raw)") }
                externalURL = s
            case "retry_initial": retryInitial = try RealtimeOptions.duration(key, raw, allowZero: false)
            case "retry_max": retryMax = try RealtimeOptions.duration(key, raw, allowZero: false)
            case "retry_give_up": retryGiveUp = try RealtimeOptions.duration(key, raw, allowZero: false)
            case "send_timeout": sendTimeout = try RealtimeOptions.duration(key, raw, allowZero: false)
            case "evaluate_on_ingest":
                guard let b = raw as? Bool else { throw .invalid(key, "\(raw)") }
                evaluateOnIngest = b
            case "min_eval_spacing": minEvalSpacing = try RealtimeOptions.duration(key, raw, allowZero: false)
            case "history_retention": historyRetention = try RealtimeOptions.duration(key, raw, allowZero: false)
            default: throw .unknownKey(key)
            }
        }
    }
}
