#!/usr/bin/env python3
"""Browser tests of the Strata dashboard (issue #11), in headless Chromium via Selenium.

Run by DashboardBrowserTests.swift against a real `strata serve` it started:

    python dashboard_test.py --base http://127.0.0.1:PORT --artifacts DIR

Ingests real data through the public APIs, loads every page, checks that the
numbers shown are the API's, that pushed changes appear without a reload,
that audit filters narrow the table, that nothing is logged to the console,
saves a screenshot per page and writes DIR/report.json with the measurements.
Exit status 0 = all checks passed. Waits are for synchronisation and generous
(a loaded CI machine), never timing assertions; timings are only reported.
"""
import argparse, json, math, os, random, sys, time, traceback, urllib.error, urllib.parse, urllib.request

os.environ.setdefault("SE_AVOID_STATS", "true")
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 60  # seconds; synchronisation only

class Fail(Exception):
    pass

def check(cond, msg):
    if not cond:
        raise Fail(msg)

class API:
    def __init__(self, base):
        self.base = base

    def req(self, method, path, params=None, body=None):
        url = self.base + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
        data = json.dumps(body).encode() if body is not None else None
        r = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(r, timeout=30) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def get(self, path, params=None):
        status, raw = self.req("GET", path, params)
        check(status == 200, f"GET {path} {params}: {status} {raw[:300]!r}")
        j = json.loads(raw)
        return j["data"] if isinstance(j, dict) and j.get("status") == "success" else j

    def post(self, path, body, expect=(200, 201, 204)):
        status, raw = self.req("POST", path, body=body)
        check(status in expect, f"POST {path}: {status} {raw[:300]!r}")
        return raw

    def put(self, path, body):
        status, raw = self.req("PUT", path, body=body)
        check(status in (200, 201), f"PUT {path}: {status} {raw[:300]!r}")
        return raw


def ingest(api, now_ms):
    """Real data through the public ingestion APIs (seeded, so reruns are alike)."""
    rng = random.Random(11)
    users = ["alice", "bob", "carol", "dave", "erin"]
    types = ["authentication", "data_modification", "security", "business"]
    sevs = ["info", "warning", "error", "critical"]
    words = ["login", "password reset", "export report", "delete dashboard", "grant role", "invoice paid", "token revoked"]
    events = []
    for i in range(160):
        w = rng.choice(words)
        events.append({
            "timestamp": now_ms - rng.randint(60_000, 20 * 3_600_000),
            "type": types[i % 4], "severity": rng.choice(sevs), "user": rng.choice(users),
            "source": f"10.0.0.{rng.randint(1, 20)}", "action": w.replace(" ", "_"),
            "description": f"{w} by test workload #{i}", "attributes": {"n": str(i), "tenant": rng.choice(["acme", "globex"])},
        })
    api.post("/api/v1/audit/events", {"events": events})
    beacons = []
    pages = [("/home", "Home"), ("/reports", "Reports"), ("/settings", "Settings"), ("/billing", "Billing")]
    for s in range(12):
        user = users[s % len(users)]
        start = now_ms - rng.randint(10, 180) * 60_000
        sess = f"s{s}"
        beacons.append({"kind": "session_start", "timestamp": start, "user": user, "session": sess})
        for k in range(rng.randint(2, 6)):
            path, title = rng.choice(pages)
            beacons.append({"kind": "page_view", "timestamp": start + k * 30_000, "user": user, "session": sess, "path": path, "title": title})
            if rng.random() < 0.6:
                beacons.append({"kind": "action", "timestamp": start + k * 30_000 + 5_000, "user": user, "session": sess,
                                "action_type": rng.choice(["click", "download", "search"]), "label": title})
    api.post("/api/v1/activity", {"events": beacons})
    # 29 days of a gauge at 5-minute intervals, for the 30-day chart point budget.
    samples = []
    t = now_ms - 30_000 - 29 * 86_400_000
    while t <= now_ms - 30_000:
        samples.append([t, 50 + 40 * math.sin(t / 3.6e6) + rng.random()])
        t += 300_000
    api.post("/api/v1/import", {"series": [{"labels": {"__name__": "dashboard_test_load", "job": "dashboard-test"}, "samples": samples}]})
    return len(events), len(beacons), len(samples)


class Run:
    def __init__(self, base, artifacts):
        self.base = base
        self.api = API(base)
        self.artifacts = artifacts
        self.report = {"checks": [], "screenshots": [], "load_ms": {}, "console": []}
        self.allowed = []  # (URL part, status) of failed loads a check causes on purpose
        opts = webdriver.ChromeOptions()
        for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800",
                  "--enable-precise-memory-info", "--js-flags=--expose-gc"]:
            opts.add_argument(a)
        opts.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.d = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")), options=opts)
        self.viewport(1280, 800)

    def viewport(self, w, h, mobile=False):
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": mobile})

    def ok(self, name, detail=""):
        print(f"  ok  {name}{(': ' + detail) if detail else ''}", flush=True)
        self.report["checks"].append({"name": name, "detail": detail})

    def wait(self, fn, what, timeout=WAIT):
        try:
            return WebDriverWait(self.d, timeout, poll_frequency=0.1).until(lambda d: fn())
        except Exception as e:
            raise Fail(f"timed out waiting for {what}: {e}") from None

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def css(self, sel):
        return self.d.find_elements(By.CSS_SELECTOR, sel)

    def attr(self, sel, name):
        """One attribute (or textContent) of the first match, read in one script call so a
        re-render between finding and reading cannot leave a stale reference."""
        return self.js("const e = document.querySelector(arguments[0]); if (!e) return null;"
                       "return arguments[1] === 'textContent' ? e.textContent : e.getAttribute(arguments[1]);", sel, name)

    def attrs(self, sel, name):
        return self.js("return [...document.querySelectorAll(arguments[0])].map(e => e.getAttribute(arguments[1]))", sel, name)

    def open(self, hash_path, page):
        """A full navigation (not a hash change), so the load measurement starts at navigation start."""
        self.d.get("about:blank")
        self.d.get(self.base + "/" + hash_path)
        self.wait(lambda: self.attr("main", "data-loaded") == "true" and self.attr("main", "data-page") == page, f"page {page} loaded")
        ms = self.js("return window.__strataPerf.loads[arguments[0]]", page)
        self.report["load_ms"].setdefault(page, []).append(ms)
        return ms

    def shot(self, name):
        path = os.path.join(self.artifacts, f"{name}.png")
        self.d.save_screenshot(path)
        self.report["screenshots"].append(path)

    def console_errors(self):
        errs = []
        for e in self.d.get_log("browser"):
            if e["level"] != "SEVERE":
                continue
            # Expected failed loads only: absent endpoints (404) and a query made bad on purpose (400).
            if any(p in e["message"] and f"status of {code}" in e["message"] for p, code in self.allowed):
                continue
            errs.append(e["message"])
        self.report["console"].extend(errs)
        return errs

    def no_console_errors(self, page):
        errs = self.console_errors()
        check(not errs, f"console errors on {page}: {errs}")
        self.ok(f"{page}: no console errors")

    # ------------------------------------------------------------------ pages

    def health(self):
        self.open("#/health", "health")
        self.js("window.__noReload = 'health'")
        def counts_match():
            api = self.api.get("/api/v1/health")
            shown = {k: self.attr(f"[data-testid=health-count-{k}]", "textContent") for k in api["summary"]}
            return shown == {k: str(v) for k, v in api["summary"].items()}
        self.wait(counts_match, "health counts equal to /api/v1/health")
        self.ok("health: counts equal /api/v1/health")
        # Host metrics: the value shown is the API's at the same time.
        self.wait(lambda: self.attr("[data-testid=host]", "data-loaded") == "true", "host metrics")
        for hid in ["cpu", "mem", "load1", "disk", "rss", "fds"]:
            sel = f"[data-testid=host-{hid}]"
            def same():
                q, t, v = self.attr(sel, "data-query"), self.attr(sel, "data-time"), self.attr(sel, "data-value")
                if not v:
                    return False
                r = self.api.get("/api/v1/query", {"query": q, "time": t})
                return r["result"] and r["result"][0]["value"][1] == v
            self.wait(same, f"host metric {hid} equal to the API")
        self.ok("health: host metric values equal the query API")
        self.shot("health")
        # A pushed change: a new target, then a failing one, without a reload.
        self.api.post("/api/v1/targets", {"id": "web-1", "name": "Web 1", "kind": "http",
                                          "url": self.base + "/-/healthy", "interval": "1s"})
        self.wait(lambda: self.attr("[data-target-id=web-1] [data-testid=status]", "textContent") == "healthy", "new target healthy")
        self.ok("health: added target appears healthy without reload")
        self.api.put("/api/v1/targets/web-1", {"id": "web-1", "name": "Web 1", "kind": "http",
                                               "url": self.base + "/no-such-page", "interval": "1s"})
        self.wait(lambda: self.attr("[data-target-id=web-1] [data-testid=status]", "textContent") == "down", "target down")
        err = self.attr("[data-target-id=web-1] [data-testid=last-error]", "textContent")
        check(self.js("return window.__noReload") == "health", "page was reloaded")
        api_t = self.api.get("/api/v1/targets/web-1")
        self.ok("health: pushed status change shown without reload", f"down, {err!r}; API status {api_t.get('status')}")
        self.shot("health-after-change")
        # WS message -> DOM at ~10 Hz: a target checked every 100 ms publishes a health_update per check.
        self.api.put("/api/v1/targets/web-1", {"id": "web-1", "name": "Web 1", "kind": "http",
                                               "url": self.base + "/-/healthy", "interval": "100ms", "timeout": "100ms"})
        self.js("window.__strataPerf.wsToDom.length = 0; window.__strataPerf.wsToFrame.length = 0")
        heap0 = self.js("if (window.gc) window.gc(); return performance.memory ? performance.memory.usedJSHeapSize : null")
        soak = float(os.environ.get("DASHBOARD_SOAK_SECONDS", "15"))
        t_end = time.time() + soak
        while time.time() < t_end:
            time.sleep(1)
        n = self.wait(lambda: (lambda k: k if k >= 20 else False)(self.js("return window.__strataPerf.wsToDom.length")), "WS updates")
        dom = sorted(self.js("return window.__strataPerf.wsToDom"))
        frame = sorted(self.js("return window.__strataPerf.wsToFrame"))
        self.js("if (window.gc) window.gc()")
        heap1 = self.js("return performance.memory ? performance.memory.usedJSHeapSize : null")
        pct = lambda a, p: a[min(len(a) - 1, int(math.ceil(p * len(a))) - 1)] if a else None
        self.report["ws"] = {"messages": len(dom), "seconds": soak, "dom_p50_ms": pct(dom, 0.5), "dom_p95_ms": pct(dom, 0.95),
                             "frame_p50_ms": pct(frame, 0.5), "frame_p95_ms": pct(frame, 0.95),
                             "heap_before": heap0, "heap_after": heap1}
        self.ok("health: WS→DOM measured", json.dumps(self.report["ws"]))
        self.api.put("/api/v1/targets/web-1", {"id": "web-1", "name": "Web 1", "kind": "http",
                                               "url": self.base + "/-/healthy", "interval": "5s"})
        self.no_console_errors("health")

    def metrics(self):
        self.open("#/metrics?range=5m", "metrics")
        # Scrapes land continuously: a sample stamped before the page's query time
        # may be committed just after the page asked. On a mismatch, refresh and
        # compare again (synchronisation, the comparison itself stays exact).
        for attempt in range(6):
            diffs = []
            for cid in ["request-rate", "error-rate", "response-time", "connections"]:
                sel = f"[data-testid=card-{cid}]"
                q, t, v = self.attr(sel, "data-query"), self.attr(sel, "data-time"), self.attr(sel, "data-value")
                r = self.api.get("/api/v1/query", {"query": q, "time": t})
                api_v = r["result"][0]["value"][1] if r["resultType"] == "vector" and r["result"] else ""
                if api_v != v:
                    diffs.append(f"card {cid}: shown {v!r}, API {api_v!r} for {q} @ {t}")
            if not diffs:
                break
            n = self.attr("main", "data-load-count")
            self.css("[data-testid=refresh]")[0].click()
            self.wait(lambda: self.attr("main", "data-load-count") != n, "metrics refresh")
        check(not diffs, "; ".join(diffs))
        for cid in ["request-rate", "error-rate", "response-time", "connections"]:
            sel = f"[data-testid=card-{cid}]"
            self.ok(f"metrics: card {cid} equals API", f"{self.attr(sel, 'data-value')} ({self.attr(sel, 'textContent')})")
        # The request-volume chart follows /ws/metrics: the initial result, then pushed updates.
        self.js("window.__noReload = 'metrics'")
        self.wait(lambda: int(self.attr("[data-testid=chart-requests-info]", "data-live-updates") or 0) >= 3, "live metrics updates")
        check(self.js("return window.__noReload") == "metrics", "page was reloaded")
        check(self.attr("#conn", "data-state") == "connected", f"badge {self.attr('#conn', 'data-state')}")
        self.ok("metrics: request chart updated live over /ws/metrics; badge connected",
                self.attr("[data-testid=chart-requests-info]", "textContent"))
        self.shot("metrics")
        # 30 days: the page asks for about 1,000 points per series.
        self.css("button[data-range='30d']")[0].click()
        self.wait(lambda: self.attr("main", "data-loaded-range") == "30d", "30d range")
        check("range=30d" in self.d.current_url, f"URL not deep-linked: {self.d.current_url}")
        pts = self.js("return window.__strataPerf.points")
        # Explorer: autocomplete, then graph of the 29-day imported series.
        box = self.css("#promql")[0]
        box.click()
        box.send_keys("dashboard_test_lo")
        self.wait(lambda: any(li.text == "dashboard_test_load" for li in self.css("#promql-suggest li")), "autocomplete suggestion")
        box.send_keys(Keys.TAB)
        check(box.get_attribute("value") == "dashboard_test_load", f"autocomplete gave {box.get_attribute('value')!r}")
        self.ok("metrics: autocomplete from /api/v1/label/__name__/values")
        box.send_keys(Keys.CONTROL, Keys.ENTER)
        self.wait(lambda: self.attr("[data-testid=explorer-result]", "data-state") == "done", "explorer graph")
        pts = self.js("return window.__strataPerf.points")
        self.report["points_30d"] = pts
        for name, arr in pts.items():
            check(all(n <= 2000 for n in arr), f"{name}: {arr} points per series on 30 days")
        check(pts.get("explorer") and pts["explorer"][0] > 500, f"explorer points {pts.get('explorer')}")
        self.ok("metrics: 30-day charts ≤ 2,000 points per series", json.dumps(pts))
        self.shot("metrics-30d")
        # Table view equals the instant query.
        self.css("button")[[b.text for b in self.css("button")].index("Table")].click()
        self.wait(lambda: self.css("[data-testid=explorer-table]"), "table view")
        # `up` is fresh whatever the test's duration (self-scrape and probes every second or faster).
        box.clear(); box.send_keys("up"); box.send_keys(Keys.ESCAPE); box.send_keys(Keys.CONTROL, Keys.ENTER)
        self.wait(lambda: self.attr("[data-testid=explorer-result]", "data-state") == "done"
                  and self.attr("[data-testid=explorer-table]", "data-rows") not in (None, "0"), "table of up")
        rows = int(self.attr("[data-testid=explorer-table]", "data-rows"))
        r = self.api.get("/api/v1/query", {"query": "up"})
        check(rows == len(r["result"]) >= 1, f"table rows {rows} vs API {len(r['result'])}")
        self.ok("metrics: explorer table equals API", f"{rows} rows")
        # A bad query shows the API's error.
        self.allowed.append(("query=sum%28rate%28x%5B5m%5D%29", 400))
        box.clear(); box.send_keys("sum(rate(x[5m])"); box.send_keys(Keys.CONTROL, Keys.ENTER)
        self.wait(lambda: self.css("[data-testid=explorer-error]"), "explorer error")
        self.ok("metrics: parse error shown", self.css("[data-testid=explorer-error]")[0].text[:80])
        self.no_console_errors("metrics")

    def activity(self):
        self.open("#/activity?period=24h", "activity")
        s = self.api.get("/api/v1/activity/summary", {"period": "24h"})
        expect = {"active-users": s["active_users"]["count"], "sessions-today": s["sessions_today"], "sessions": s["sessions"],
                  "avg-session": s["average_session_duration_seconds"]}
        for k, v in expect.items():
            shown = float(self.attr(f"[data-testid={k}]", "data-value"))
            check(abs(shown - float(v)) < 1e-9, f"activity {k}: shown {shown}, API {v}")
        check(expect["sessions"] > 0, "no sessions ingested")
        pages = [r.find_elements(By.TAG_NAME, "td")[0].text for r in self.css("[data-testid=top-pages] tbody tr")]
        check(pages == [p["path"] for p in s["top_pages"]], f"top pages {pages} vs {s['top_pages']}")
        self.ok("activity: cards and top pages equal /api/v1/activity/summary", json.dumps(expect))
        self.shot("activity")
        # A new user's beacon: /ws/activity announces it and the cards follow without a reload.
        self.js("window.__noReload = 'activity'")
        self.api.post("/api/v1/activity", {"events": [{"kind": "page_view", "user": "zoe", "session": "live-1", "path": "/live", "title": "Live"}]})
        want = self.api.get("/api/v1/activity/summary", {"period": "24h"})["active_users"]["count"]
        check(want == expect["active-users"] + 1, f"API active users {want}")
        self.wait(lambda: self.attr("[data-testid=active-users]", "data-value") == str(want), "active users updated live")
        check(self.js("return window.__noReload") == "activity", "page was reloaded")
        self.ok("activity: a new beacon updates the cards without reload", f"{expect['active-users']} → {want}")
        self.css("button[data-period='7d']")[0].click()
        self.wait(lambda: self.attr("main", "data-loaded-period") == "7d", "7d period")
        check("period=7d" in self.d.current_url, "period not in URL")
        self.ok("activity: period selector deep-links")
        self.no_console_errors("activity")

    def alerts(self):
        status, _ = self.api.req("GET", "/api/v1/alerts")
        if status == 404:
            self.allowed += [("/api/v1/alerts", 404), ("/api/v1/rules", 404), ("/api/v1/alert-settings", 404)]
        self.open("#/alerts", "alerts")
        if status == 404:
            notes = [e.text for e in self.css("[data-testid=not-available]")]
            check(len(notes) >= 3, f"expected 'not available' notes, got {notes}")
            self.ok("alerts: alerting API absent (404) and the page says so", notes[0])
            self.report["alerts"] = "not available on this server (GET /api/v1/alerts: 404)"
        else:
            for path in ["/api/v1/rules", "/api/v1/alert-settings", "/api/v1/alerts/history"]:
                if self.api.req("GET", path)[0] == 404:
                    self.allowed.append((path, 404))
            alerts = self.api.get("/api/v1/alerts")["alerts"]
            for sev in ["critical", "warning", "info"]:
                n = sum(1 for a in alerts if a["state"] == "firing" and a.get("labels", {}).get("severity", "info") == sev)
                self.wait(lambda: self.attr(f"[data-testid=count-{sev}]", "data-value") is not None, f"count {sev}")
            # A rule that fires at once; the alert must appear without a reload.
            self.js("window.__noReload = 'alerts'")
            self.api.post("/api/v1/rules", {"name": "dashboard-test", "interval": "1s", "rules": [
                {"alert": "DashboardTestCritical", "expr": "vector(1)", "for": "0s", "labels": {"severity": "critical"},
                 "annotations": {"summary": "fired by the dashboard test"}}]})
            self.wait(lambda: self.css("[data-alert=DashboardTestCritical][data-state=firing]"), "fired alert in the list", timeout=90)
            self.wait(lambda: self.css("[data-testid=toast]"), "critical toast")
            check(self.js("return window.__noReload") == "alerts", "page was reloaded")
            self.ok("alerts: fired alert and toast appear without reload")
            firing = [a for a in self.api.get("/api/v1/alerts")["alerts"] if a["state"] == "firing"]
            n = sum(1 for a in firing if a.get("labels", {}).get("severity") == "critical")
            self.wait(lambda: self.attr("[data-testid=count-critical]", "data-value") == str(n), "critical count equal to API")
            self.ok("alerts: critical count equals /api/v1/alerts", str(n))
            self.report["alerts"] = "tested against the live alerting API"
        self.shot("alerts")
        self.no_console_errors("alerts")

    def audit(self):
        self.open("#/audit", "audit")
        api_all = self.api.get("/api/v1/audit/events", {"range": "last_24h", "limit": 50})
        check(self.attr("[data-testid=audit-total]", "data-value") == str(api_all["total"]), "audit total")
        ids = self.attrs("[data-testid=audit-table] tbody tr", "data-id")
        check(ids == [str(e["id"]) for e in api_all["events"]], "audit first page ids differ from the API")
        self.ok("audit: first page equals the API", f"total {api_all['total']}, {len(ids)} rows")
        self.shot("audit")

        def table_matches(params):
            api = self.api.get("/api/v1/audit/events", dict(params, limit=50))
            def ok():
                if self.attr("[data-testid=audit-total]", "data-value") != str(api["total"]):
                    return False
                rows = self.attrs("[data-testid=audit-table] tbody tr", "data-id")
                return rows == [str(e["id"]) for e in api["events"]]
            self.wait(ok, f"audit table for {params}")
            return api
        sel = self.css("select[data-filter=type]")[0]
        sel.send_keys("security")  # keyboard selection of the option
        self.d.execute_script("arguments[0].value='security'; arguments[0].dispatchEvent(new Event('change'))", sel)
        api = table_matches({"range": "last_24h", "type": "security"})
        types = set(self.attrs("[data-testid=audit-table] tbody tr", "data-type"))
        check(types == {"security"} and api["total"] < api_all["total"], f"type filter: {types}, {api['total']}")
        self.ok("audit: type filter narrows the table", f"{api['total']} of {api_all['total']}")
        sev = self.css("select[data-filter=severity]")[0]
        self.d.execute_script("arguments[0].value='critical'; arguments[0].dispatchEvent(new Event('change'))", sev)
        api2 = table_matches({"range": "last_24h", "type": "security", "severity": "critical"})
        check(api2["total"] <= api["total"], "severity filter did not narrow")
        self.ok("audit: severity filter narrows the table", f"{api2['total']}")
        user = self.css("input[data-filter=user]")[0]
        user.send_keys("alice")
        api3 = table_matches({"range": "last_24h", "type": "security", "severity": "critical", "user": "alice"})
        check(set(self.attrs("[data-testid=audit-table] tbody tr", "data-user")) == {"alice"}, "user filter")
        self.ok("audit: user filter", f"{api3['total']}")
        # Reset and search free text, typed key by key (debounced).
        self.d.get(self.base + "/#/audit")
        self.d.refresh()
        self.wait(lambda: self.attr("main", "data-loaded") == "true", "audit reloaded")
        box = self.css("input[data-filter=q]")[0]
        box.send_keys("token revoked")
        api4 = table_matches({"range": "last_24h", "q": "token revoked"})
        check(0 < api4["total"] < api_all["total"], f"search total {api4['total']}")
        check("q=token" in self.d.current_url, "search not in URL")
        self.ok("audit: debounced search narrows the table", f"{api4['total']} events")
        # Detail drawer, opened and closed from the keyboard.
        btn = self.css("[data-testid=audit-table] tbody tr button")[0]
        btn.send_keys(Keys.ENTER)
        self.wait(lambda: self.css("[data-testid=drawer]") and "Hash" in self.css("[data-testid=drawer]")[0].text, "drawer")
        first = api4["events"][0]
        detail = self.api.get(f"/api/v1/audit/events/{first['id']}")
        check(detail["hash"] in self.css("[data-testid=drawer]")[0].text, "drawer does not show the event hash")
        self.shot("audit-drawer")
        self.d.switch_to.active_element.send_keys(Keys.ESCAPE)
        self.wait(lambda: not self.css("[data-testid=drawer]"), "drawer closed")
        check(self.d.switch_to.active_element == btn, "focus not returned to the View button")
        self.ok("audit: detail drawer shows the event and its hash; Escape closes it")
        href = self.attr("[data-testid=export-csv]", "href")
        status, body = self.api.req("GET", urllib.parse.urlparse(href).path + "?" + urllib.parse.urlparse(href).query)
        lines = body.decode().strip().split("\r\n")
        check(status == 200 and lines[0].startswith("id,timestamp") and len(lines) - 1 == api4["total"], f"export: {status} {len(lines)}")
        self.ok("audit: export link returns the filtered events", f"{len(lines) - 1} CSV rows")
        # Pagination equals the API's second page.
        self.d.get(self.base + "/#/audit"); self.d.refresh()
        self.wait(lambda: self.attr("main", "data-loaded") == "true", "audit reloaded")
        self.css("[data-testid=next-page]")[0].click()
        page2 = self.api.get("/api/v1/audit/events", {"range": "last_24h", "limit": 50, "cursor": api_all["next_cursor"]})
        self.wait(lambda: self.attrs("[data-testid=audit-table] tbody tr", "data-id") == [str(e["id"]) for e in page2["events"]], "page 2")
        self.ok("audit: next page equals the API's")
        # A new event arrives live.
        self.js("window.__noReload = 'audit'")
        self.api.post("/api/v1/audit/events", {"events": [{"type": "security", "severity": "critical", "user": "mallory", "description": "live"}]})
        self.wait(lambda: self.css("[data-testid=new-events]"), "live audit notice")
        check(self.js("return window.__noReload") == "audit", "page was reloaded")
        self.css("[data-testid=new-events]")[0].click()
        self.wait(lambda: self.attr("[data-testid=audit-table] tbody tr", "data-user") == "mallory", "new event on top")
        self.ok("audit: a new event is announced live over /ws/audit and shown on demand")
        self.no_console_errors("audit")

    def modules(self):
        """The WebSocket client's reconnect and resume, its backoff, and the chart's redraw cost."""
        self.open("#/health", "health")
        self.wait(lambda: self.js("return [...window.__strataRealtime.clients].some(c => c.state === 'connected' && c.lastSeq > 0)"), "health feed")
        # Drop the socket: the client must come back on its own with ?since=<last seq>.
        before = self.js("const c = [...window.__strataRealtime.clients][0]; const s = c.lastSeq; c.socket.close(); return s")
        self.wait(lambda: self.attr("#conn", "data-state") == "reconnecting" or self.js(
            "return [...window.__strataRealtime.clients][0].lastURL.includes('since=')"), "reconnect started")
        self.wait(lambda: self.js("const c = [...window.__strataRealtime.clients][0]; return c.state === 'connected' && c.lastURL.includes('since=')"), "resumed")
        url = self.js("return [...window.__strataRealtime.clients][0].lastURL")
        check(f"since={before}" in url or "since=" in url, f"resume URL {url}")
        self.wait(lambda: self.js("return [...window.__strataRealtime.clients][0].lastSeq") > before, "updates after resume")
        self.ok("ws: dropped socket reconnects and resumes by sequence number", url.split("/ws/")[1])
        b = self.d.execute_async_script("""
            const done = arguments[arguments.length - 1];
            import('/assets/js/ws.js').then(m => {
              const lo = [0, 1, 5, 10, 30].map(n => m.backoffDelay(n, () => 0));
              const hi = [0, 1, 5, 10, 30].map(n => m.backoffDelay(n, () => 0.999999));
              done({lo, hi});
            });""")
        check(b["lo"][0] == 250 and b["hi"][1] < 1000 and b["lo"][4] == 15000 and b["hi"][4] <= 30000, f"backoff {b}")
        self.ok("ws: backoff doubles from 0.5 s to a 30 s cap with jitter", json.dumps(b))
        r = self.d.execute_async_script("""
            const done = arguments[arguments.length - 1];
            import('/assets/js/chart.js').then(m => {
              const c = document.createElement('canvas'); c.className = 'chart'; document.body.append(c);
              const ch = new m.LineChart(c, {});
              const series = [];
              for (let s = 0; s < 5; s++) { const t = [], v = [];
                for (let i = 0; i < 10000; i++) { t.push(i * 1000); v.push(Math.sin(i / 50 + s) * 100 + Math.random() * 10); }
                series.push({t, v}); }
              ch.setSeries(series, 1000);
              const times = [];
              // getImageData forces the deferred rasterisation into the measurement.
              const ctx = c.getContext('2d', { willReadFrequently: false });
              for (let k = 0; k < 30; k++) { const t0 = performance.now(); ch.draw(); ctx.getImageData(0, 0, 1, 1); times.push(performance.now() - t0); }
              times.sort((a, b) => a - b); ch.destroy(); c.remove();
              done({p50: times[15], p95: times[28], width: c.width});
            });""")
        self.report["chart_redraw_5x10000_ms"] = r
        self.ok("chart: redraw of 5 × 10,000 points measured", json.dumps(r))
        self.no_console_errors("modules")

    def accessibility(self):
        self.open("#/health", "health")
        body = self.css("body")[0]
        body.send_keys(Keys.TAB)  # skip link
        body = self.d.switch_to.active_element
        body.send_keys(Keys.TAB)
        a = self.d.switch_to.active_element
        outline = self.js("const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth]", a)
        check(a.tag_name == "a" and outline[0] != "none" and outline[1] != "0px", f"focus not visible: {a.tag_name} {outline}")
        # Keyboard navigation: Enter on the focused nav link changes page.
        for _ in range(1):
            self.d.switch_to.active_element.send_keys(Keys.TAB)
        self.d.switch_to.active_element.send_keys(Keys.ENTER)
        self.wait(lambda: self.attr("main", "data-page") == "metrics", "keyboard navigation to Metrics")
        self.ok("a11y: visible focus ring and keyboard navigation", f"outline {outline}")
        ratios = {}
        for theme in ["light", "dark"]:
            self.js("document.documentElement.dataset.theme = arguments[0]", theme)
            ratios[theme] = self.js(CONTRAST_JS)
            for k, r in ratios[theme].items():
                check(r >= 4.5, f"{theme} {k} contrast {r:.2f} < 4.5")
        self.report["contrast"] = ratios
        self.ok("a11y: text contrast ≥ 4.5:1 in both themes", json.dumps({t: min(v.values()) for t, v in ratios.items()}))
        self.js("document.documentElement.dataset.theme = 'dark'")
        self.js("return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")  # charts redrawn
        self.shot("metrics-dark")
        # Narrow mobile width: nothing wider than the viewport.
        self.viewport(390, 844, mobile=True)
        for page in ["health", "metrics", "activity", "alerts", "audit"]:
            self.open(f"#/{page}", page)
            over = self.js("return document.documentElement.scrollWidth - window.innerWidth")
            check(over <= 1, f"{page} overflows the mobile viewport by {over}px")
            self.shot(f"{page}-mobile")
        self.viewport(1280, 800)
        self.ok("a11y: pages fit a 390 px mobile width")
        self.js("localStorage.clear()")


CONTRAST_JS = r"""
function rgb(c) { const m = c.match(/[\d.]+/g).map(Number); return m.slice(0, 3); }
function lum(c) { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; }
function ratio(a, b) { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
const cs = getComputedStyle(document.documentElement);
const v = n => { const d = document.createElement('div'); d.style.color = cs.getPropertyValue(n); document.body.append(d); const c = getComputedStyle(d).color; d.remove(); return c; };
const bg = v('--bg'), panel = v('--panel');
const out = {};
for (const n of ['--text', '--muted', '--accent', '--ok', '--warn', '--danger']) { out[n + '/bg'] = ratio(v(n), bg); out[n + '/panel'] = ratio(v(n), panel); }
out['nav-current'] = ratio(bg, v('--accent'));
return out;
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--artifacts", required=True)
    a = ap.parse_args()
    os.makedirs(a.artifacts, exist_ok=True)
    api = API(a.base)
    now_ms = int(time.time() * 1000)
    ne, nb, ns = ingest(api, now_ms)
    print(f"ingested {ne} audit events, {nb} activity beacons, {ns} samples", flush=True)
    # Wait until the self-scrape has put a few scrapes of /metrics into the TSDB.
    def scraped():
        r = api.get("/api/v1/query", {"query": "count_over_time(up{job=\"strata\"}[5m])"})
        return r["result"] and float(r["result"][0]["value"][1]) >= 3
    t0 = time.time()
    while not scraped():
        check(time.time() - t0 < WAIT, "self-scrape produced no data")
        time.sleep(0.2)
    run = Run(a.base, a.artifacts)
    failed = []
    try:
        for name in ["health", "metrics", "activity", "alerts", "audit", "modules", "accessibility"]:
            print(f"[{name}]", flush=True)
            try:
                getattr(run, name)()
            except Exception as e:
                failed.append(f"{name}: {e}")
                print(f"  FAIL {name}: {e}", flush=True)
                traceback.print_exc()
                try:
                    run.shot(f"{name}-failure")
                except Exception:
                    pass
    finally:
        run.report["failed"] = failed
        with open(os.path.join(a.artifacts, "report.json"), "w") as f:
            json.dump(run.report, f, indent=2)
        run.d.quit()
    loads = {k: round(v[0]) for k, v in run.report["load_ms"].items()}
    print(f"load ms (navigation start → data shown): {json.dumps(loads)}")
    print(f"ws: {json.dumps(run.report.get('ws'))}")
    print(f"points per series, 30 days: {json.dumps(run.report.get('points_30d'))}")
    print(f"chart redraw 5 x 10,000 points: {json.dumps(run.report.get('chart_redraw_5x10000_ms'))}")
    print(f"screenshots and report.json in {a.artifacts}")
    if failed:
        print("FAILED: " + "; ".join(failed))
        sys.exit(1)
    print("all dashboard browser checks passed")


if __name__ == "__main__":
    main()
