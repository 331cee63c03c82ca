import Logging
import StrataStorage
import Synchronization

/// The alerting subsystem (issue #9): rules and their evaluation, the
/// notifier with its delivery queue, settings and history. Built by
/// `StrataServer.init`, run by `AlertingService`, served by `AlertingHandlers`.
public final class Alerting: Sendable {
    public let rules: RuleManager
    let notifier: AlertNotifier
    let history: AlertHistory
    let settings: AlertSettingsStore
    let queue: DeliveryQueue
    let metrics: AlertingMetrics
    let options: AlertingOptions

    init(config: ServeConfig, db: Database, hub: RealtimeHub?, metrics serverMetrics: ServerMetrics,
         ingestCommits: CommitSignal? = nil, logger: Logger) throws {
        var log = logger
        log[metadataKey: "component"] = "alerting"
        var options = config.alerting
        options.externalLabels = config.externalLabels
        self.options = options
        let metrics = AlertingMetrics(serverMetrics)
        self.metrics = metrics
        settings = try AlertSettingsStore(dataDir: config.dataDir)
        history = try AlertHistory(dataDir: config.dataDir, retention: options.historyRetention, now: RuleManager.nowMs())
        queue = try DeliveryQueue(dataDir: config.dataDir, options: options, metrics: metrics, logger: log)
        let exprs = ExprDirectory()
        notifier = AlertNotifier(hub: hub, history: history, settings: settings, queue: queue, options: options, logger: log,
                                 exprOf: { g, r in exprs.expr(group: g, rule: r) })
        rules = try RuleManager(db: db, options: options, ruleFiles: config.ruleFiles, dataDir: config.dataDir,
                                notifier: notifier, metrics: metrics, commits: hub?.commits, ingestCommits: ingestCommits,
                                queryLimits: config.query.limits(), logger: log)
        exprs.manager.withLock { $0 = rules }
    }
}


/// Lets the notifier look up a rule's expression without owning the manager
/// (which owns the notifier).
private final class ExprDirectory: Sendable {
    let manager = Mutex<RuleManager?>(nil)

    func expr(group: String, rule: String) -> String? {
        guard let m = manager.withLock({ $0 }) else { return nil }
        return m.group(named: group)?.rules.first { $0.rule.name == rule }?.rule.definition.expr
    }
}
