#!/usr/bin/env python3
"""Cross-checks a PromQL .test script against Prometheus' own engine.

Converts each `load`/`eval` segment into a `promtool test rules` unit test
(instant evaluations; range evaluations become one instant evaluation per
step) and runs Debian's promtool (Prometheus 2.42). Prints promtool's
verdict; "SUCCESS" means Prometheus agrees with every expected value.

Not run by `swift test` (it needs promtool); a development aid:
    python3 promtool_check.py selectors.test
Skipped: eval_fail, instant queries of range selectors (promtool compares
vectors only), scripts whose segments mix load intervals.
"""
import json, os, re, subprocess, sys, tempfile

def dur(s):
    try:
        return float(s)
    except ValueError:
        pass
    total, num = 0.0, ''
    units = {'ms': 0.001, 's': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800, 'y': 31536000}
    i = 0
    while i < len(s):
        c = s[i]
        if c.isdigit():
            num += c; i += 1; continue
        u = 'ms' if s[i:i+2] == 'ms' else c
        total += float(num) * units[u]; num = ''; i += len(u)
    return total

def split_labels(line):
    depth, i = 0, 0
    m = re.match(r'^([^{\s]*)(\{)?', line)
    if m.group(2):
        i = line.index('{')
        in_q = False
        while i < len(line):
            c = line[i]
            if c == '\\': i += 2; continue
            if c == '"': in_q = not in_q
            if c == '}' and not in_q: break
            i += 1
        return line[:i+1], line[i+1:].strip()
    j = line.find(' ')
    return (line, '') if j < 0 else (line[:j], line[j+1:].strip())

def expand(vals):
    out = []
    for w in vals.split():
        if w == '_': out.append(None); continue
        m = re.match(r'^(.*)x(\d+)$', w)
        if m:
            head, n = m.group(1), int(m.group(2))
            if head == '_': out += [None] * n; continue
            mm = re.match(r'^(-?[^+\-]+(?:e[+-]?\d+)?)([+-])(.+)$', head)
            a, b = (float(mm.group(1)), float(mm.group(3)) * (-1 if mm.group(2) == '-' else 1)) if mm else (float(head), 0.0)
            v = a
            for _ in range(n + 1): out.append(v); v += b
            continue
        out.append(float(w))
    return out

def main(path):
    lines = open(path).read().split('\n')
    groups, cur = [], None
    i = 0
    def new_group():
        g = {'interval': None, 'input_series': [], 'promql_expr_test': []}
        groups.append(g); return g
    cur = new_group()
    while i < len(lines):
        line = lines[i].strip(); i += 1
        if not line or line.startswith('#'): continue
        if line == 'clear':
            cur = new_group(); continue
        body = []
        while i < len(lines) and lines[i][:1] in (' ', '\t'):
            b = lines[i].strip(); i += 1
            if b and not b.startswith('#'): body.append(b)
        if line.startswith('load '):
            iv = line.split()[1]
            if cur['interval'] not in (None, iv):
                print('skip: mixed intervals'); return
            cur['interval'] = iv
            for b in body:
                lab, vals = split_labels(b)
                cur['input_series'].append({'series': lab, 'values': vals})
            continue
        verb, rest = line.split(' ', 1)
        if verb == 'eval_fail': continue
        w = rest.split()
        if w[0] == 'instant':
            times, q = [dur(w[2])], ' '.join(w[3:])
        else:
            s, e, st = dur(w[2]), dur(w[4]), dur(w[6])
            times, q = [], ' '.join(w[7:])
            t = s
            while t <= e + 1e-9: times.append(t); t += st
        if re.search(r'\]\s*$', q) and w[0] == 'instant':
            continue
        if w[0] == 'range' and ('start()' in q or 'end()' in q):
            continue  # one instant evaluation per step cannot express @ start()/end()
        for k, t in enumerate(times):
            exp = []
            scalar = None
            for b in body:
                if b.startswith('expected_fail_message'): continue
                try:
                    scalar = float(b); continue
                except ValueError:
                    pass
                lab, vals = split_labels(b)
                vs = expand(vals)
                v = vs[k] if k < len(vs) else None
                if v is not None:
                    exp.append({'labels': lab, 'value': v})
            if scalar is not None:
                exp = [{'labels': '{}', 'value': scalar}]
            cur['promql_expr_test'].append({'expr': q, 'eval_time': f'{int(round(t*1000))}ms', 'exp_samples': exp})
    tests = []
    for g in groups:
        if not g['promql_expr_test']: continue
        tests.append({'interval': g['interval'] or '1m', 'input_series': g['input_series'], 'promql_expr_test': g['promql_expr_test']})
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, 'rules.yml'), 'w').write('groups: []\n')
        # JSON is YAML; NaN/Inf need YAML spellings.
        text = json.dumps({'rule_files': ['rules.yml'], 'evaluation_interval': '1m', 'tests': tests}, indent=1)
        text = re.sub(r'("value": )NaN', r'\1.nan', text)
        text = re.sub(r'("value": )-Infinity', r'\1-.inf', text)
        text = re.sub(r'("value": )Infinity', r'\1.inf', text)
        open(os.path.join(d, 't.yml'), 'w').write(text)
        r = subprocess.run(['promtool', 'test', 'rules', 't.yml'], cwd=d, capture_output=True, text=True)
        print(r.stdout + r.stderr)

def fill(path):
    """Writes promtool's answers under every `eval instant` that has no
    expected lines yet (a way to derive expected values from Prometheus)."""
    src = open(path).read().split('\n')
    # Run with empty expectations to collect what Prometheus returns.
    d = tempfile.mkdtemp()
    tmp = os.path.join(d, 'x.test')
    open(tmp, 'w').write('\n'.join(src))
    import io, contextlib
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        main(tmp)
    out = buf.getvalue()
    got = {}
    for m in re.finditer(r'expr: "((?:[^"\\]|\\.)*)", time: ([^,]+),\n\s+exp: .*\n\s+got: (.*)', out):
        expr = json.loads('"' + m.group(1) + '"')
        got[(expr, m.group(2))] = m.group(3)
    res, i = [], 0
    while i < len(src):
        line = src[i]; res.append(line); i += 1
        st = line.strip()
        if not (st.startswith('eval instant at ') or st.startswith('eval_ordered instant at ')): continue
        if i < len(src) and src[i][:1] in (' ', '\t') and src[i].strip(): continue
        w = st.split()
        t, q = w[3], ' '.join(w[4:])
        secs = dur(t)
        key = None
        for (e, tt), g in got.items():
            if e == q and abs(dur_go(tt) - secs) < 1e-6: key = (e, tt)
        if key is None: continue
        g = got[key]
        if g == 'nil': continue
        for item in split_samples(g):
            lab, val = item.rsplit(' ', 1)
            mm = re.match(r'^\{__name__="([^"]*)"(?:, )?(.*)\}$', lab)
            if mm: lab = mm.group(1) + '{' + mm.group(2) + '}'
            if lab.endswith('{}') and lab != '{}': lab = lab[:-2]
            v = float(val)
            vs = 'NaN' if v != v else ('Inf' if v == float('inf') else ('-Inf' if v == float('-inf') else repr(v)))
            if vs.endswith('.0'): vs = vs[:-2]
            res.append('    ' + lab + ' ' + vs)
    open(path, 'w').write('\n'.join(res))

def dur_go(s):
    # Go's time.Duration String(): 1h2m3.5s, 0s, 500ms
    if s == '0s': return 0.0
    total = 0.0
    for num, unit in re.findall(r'([\d.]+)(h|ms|m|s|µs|ns)', s):
        total += float(num) * {'h': 3600, 'm': 60, 's': 1, 'ms': 0.001, 'µs': 1e-6, 'ns': 1e-9}[unit]
    return total

def split_samples(g):
    items, depth, cur, inq = [], 0, '', False
    i = 0
    while i < len(g):
        c = g[i]
        if c == '\\' and inq: cur += g[i:i+2]; i += 2; continue
        if c == '"': inq = not inq
        if c == '{' and not inq: depth += 1
        if c == '}' and not inq: depth -= 1
        if c == ',' and depth == 0 and not inq:
            items.append(cur.strip()); cur = ''; i += 1; continue
        cur += c; i += 1
    if cur.strip(): items.append(cur.strip())
    return items

if __name__ == '__main__':
    args = sys.argv[1:]
    if args and args[0] == '--fill':
        for p in args[1:]: fill(p)
    else:
        for p in args:
            print('==', p); main(p)
