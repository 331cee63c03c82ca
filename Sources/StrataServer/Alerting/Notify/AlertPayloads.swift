import StrataStorage

/// The JSON bodies receivers get, in Alertmanager's shapes:
/// - webhooks: Alertmanager's webhook payload, version 4
///   (prometheus.io/docs/alerting/latest/configuration/#webhook_config);
/// - Alertmanager: `POST /api/v2/alerts` with a list of postable alerts
///   (Alertmanager's OpenAPI spec, `postableAlerts`).
enum AlertPayloads {
    /// Alertmanager's fingerprint: FNV-1a 64 over name, 0xff, value, 0xff of
    /// each label in name order (prometheus/common `model.LabelSet.Fingerprint`
    /// uses the same separator byte). Stable across restarts and servers.
    static func fingerprint(_ labels: Labels) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ b: UInt8) { h ^= UInt64(b); h = h &* 0x0000_0100_0000_01b3 }
        for l in labels {
            for b in l.name.utf8 { add(b) }
            add(0xff)
            for b in l.value.utf8 { add(b) }
            add(0xff)
        }
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    static func labelsJSON(_ l: Labels) -> JSONValue {
        .object(l.map { ($0.name, .string($0.value)) })
    }

    /// `generatorURL`: where the alert's expression can be looked at.
    static func generatorURL(externalURL: String, expr: String?) -> String {
        guard !externalURL.isEmpty, let expr else { return "" }
        return externalURL + "/graph?g0.expr=" + percentEncode(expr)
    }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = String(b, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }

    /// One alert as Alertmanager's webhook `alerts[]` item.
    static func webhookAlert(_ a: AlertInstance, endsAt: Int64?, generatorURL: String) -> JSONValue {
        .object([
            ("status", .string(a.isResolved ? "resolved" : "firing")),
            ("labels", labelsJSON(a.labels)),
            ("annotations", labelsJSON(a.annotations)),
            ("startsAt", .string(GoTime.rfc3339Nano(a.firedAt ?? a.activeAt))),
            ("endsAt", .string(endsAt.map(GoTime.rfc3339Nano) ?? GoTime.zero)),
            ("generatorURL", .string(generatorURL)),
            ("fingerprint", .string(fingerprint(a.labels))),
        ])
    }

    /// The webhook body for a notification about `alerts` (one group:
    /// the alerts of one rule, grouped by `alertname` as Alertmanager's default route does).
    static func webhook(receiver: String, alerts: [AlertInstance], externalURL: String, expr: String?) -> [UInt8] {
        let firing = alerts.contains { !$0.isResolved }
        let common = commonPairs(alerts.map(\.labels))
        let commonAnn = commonPairs(alerts.map(\.annotations))
        let alertname = alerts.first?.labels[alertNameLabel] ?? ""
        let items = alerts.map { webhookAlert($0, endsAt: $0.resolvedAt, generatorURL: generatorURL(externalURL: externalURL, expr: expr)) }
        let body = JSONValue.object([
            ("version", .string("4")),
            ("groupKey", .string("{}:{alertname=\"\(alertname)\"}")),
            ("truncatedAlerts", .int(0)),
            ("status", .string(firing ? "firing" : "resolved")),
            ("receiver", .string(receiver)),
            ("groupLabels", .object([(alertNameLabel, .string(alertname))])),
            ("commonLabels", labelsJSON(common)),
            ("commonAnnotations", labelsJSON(commonAnn)),
            ("externalURL", .string(externalURL)),
            ("alerts", .array(items)),
        ])
        return body.jsonBytes
    }

    /// `POST /api/v2/alerts` body. Firing alerts carry an `endsAt` in the
    /// future (Prometheus: 4 × max(resend delay, group interval)) so that
    /// Alertmanager resolves them itself if Strata stops re-sending.
    static func alertmanager(_ alerts: [AlertInstance], at now: Int64, validFor: Int64, externalURL: String, expr: (Labels) -> String?) -> [UInt8] {
        let items: [JSONValue] = alerts.map { a in
            .object([
                ("labels", labelsJSON(a.labels)),
                ("annotations", labelsJSON(a.annotations)),
                ("startsAt", .string(GoTime.rfc3339Nano(a.firedAt ?? a.activeAt))),
                ("endsAt", .string(GoTime.rfc3339Nano(a.resolvedAt ?? (now + validFor)))),
                ("generatorURL", .string(generatorURL(externalURL: externalURL, expr: expr(a.labels)))),
            ])
        }
        return JSONValue.array(items).jsonBytes
    }

    static func commonPairs(_ sets: [Labels]) -> Labels {
        guard var common = sets.first?.pairs else { return Labels() }
        for s in sets.dropFirst() { common = common.filter { l in s[l.name] == l.value } }
        return Labels(sortedUnchecked: common)
    }
}
