#!/usr/bin/python3
"""e2e.py NB_FIXTURE NIANBAOD NIANBAO SRCDIR - nianbao's answers on an
archive built by crawling the fixture site equal the fixture's truth.

nb-fixture (seed 1, four counties, every planted case on) is started on a
free 127.0.0.1 port and crawled with `nianbaod --once`.  Then every answer
that the manifest (GET /__fixture/manifest) or the fixture's records
(GET /__fixture/record?id=N) can judge is compared with them exactly:
agencies, every report's publication date and status, missing, overdue
and late (per year, per county and over all years, with the days), the
coverage grid and its counts per county, check, stats, every record's
tables; for a report of each kind of page, show --raw and warc get give
the document the record was made from and parse of it the same tables;
warc cdxj holds every report's document and warc verify finds nothing.
POST /__fixture/advance then posts one report and edits another; after a
second crawl `new --consumer` shows exactly those two, `show`
gives their new records, `history` the cells the edit changed, and every
answer above is compared again with the manifest as it is now.

Deadlines are judged as of the manifest's `today` (--today), which is
the fixture's idea of the date, so the answers do not depend on the clock.
"""
import atexit
import base64
import datetime
import hashlib
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time

fixture, nianbaod, nb, src = sys.argv[1:5]
START = time.monotonic()
fails = passes = 0


def check(name, cond, detail=""):
    global fails, passes
    if cond:
        passes += 1
    else:
        fails += 1
        print("FAIL: %s %s" % (name, str(detail)[:2000]))


def same_set(name, got, want):
    got, want = set(got), set(want)
    check(name, got == want, "extra %s, lacking %s" %
          (sorted(got - want)[:20], sorted(want - got)[:20]))


sys.path.insert(0, os.path.join(src, "tests", "fixture"))
from nbfixture import Fixture, FixtureError  # noqa: E402

tmp = tempfile.mkdtemp(prefix="nb-e2e-")
data = os.path.join(tmp, "data")
ini = os.path.join(tmp, "nianbao.ini")


def bail(why):
    print("FAIL: %s" % why)
    fx.stop()
    sys.exit(1)


try:
    fx = Fixture(fixture, tmp)
except FixtureError as e:
    print("FAIL: %s" % e)
    sys.exit(1)
atexit.register(fx.stop)
port = fx.port


def fixture_json(method, path):
    try:
        return fx.json(path, method)
    except FixtureError as e:
        bail(e)


def fixture_summary():
    """GET /__fixture/summary: {region: {agencies, reports, missing,
    overdue, late}}, the fixture's own count per county"""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", "/__fixture/summary")
    lines = c.getresponse().read().decode().splitlines()
    c.close()
    head = lines[0].split()
    out = {}
    for x in lines[1:]:
        v = dict(zip(head, x.split()))
        if v.get("site"):
            out[v["site"]] = {k: int(v[k]) for k in ("agencies", "reports",
                                                     "missing", "overdue",
                                                     "late")}
    return out


def records(ids):
    """the fixture's records of these reports, over one connection"""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out = {}
    for i in ids:
        c.request("GET", "/__fixture/record?id=%d" % i)
        out[i] = json.loads(c.getresponse().read())
    c.close()
    return out


def crawl():
    p = subprocess.run([nianbaod, "--once", "-f", ini], capture_output=True,
                       timeout=120)
    if p.returncode != 0:
        bail("nianbaod --once exited %d: %s" %
             (p.returncode, p.stderr.decode()[-2000:]))


def run(*args):
    p = subprocess.run([nb] + list(args) + ["-f", ini], capture_output=True,
                       timeout=60)
    if p.returncode > 1:
        check("exit %s" % " ".join(args), False, p.stderr.decode())
    return p


def js(*args, code=None):
    """nianbao ... --json; code: the exit status it must have"""
    p = run(*(list(args) + ["--json"]))
    if code is not None:
        check("exit %s" % " ".join(args), p.returncode == code,
              "got %d, want %d" % (p.returncode, code))
    try:
        return json.loads(p.stdout) if p.stdout.strip() else []
    except ValueError:
        check("json %s" % " ".join(args), False, p.stdout[:200])
        return []


def b32sha1(data):
    """the WARC digest form of data's SHA-1"""
    return base64.b32encode(hashlib.sha1(data).digest()).decode()


def days(a, b):
    """b - a in days, both YYYY-MM-DD"""
    return (datetime.date.fromisoformat(b) -
            datetime.date.fromisoformat(a)).days


m = fixture_json("GET", "/__fixture/manifest")
with open(ini, "w", encoding="utf-8") as f:
    f.write(fx.config(data, src, "delay = 0s\nper_host = 4\nconcurrency = 16\n"
                      "timeout = 10s\nrecrawl = 1s\nrecrawl_reports = 1s\n",
                      [s for s in m["sites"] if not s["bench"]]))
crawl()
TODAY = ["--today", m["today"]]
Y0, Y1 = m["years"]
YEARS = "%d-%d" % (Y0, Y1)


def expected_state(r):
    """the coverage state of a manifest report"""
    if r["image_only"]:
        return "unparsed"
    if r["inconsistent"]:
        return "failed"
    return "late" if r["late"] else "on-time"


def flat(v, path, out, cols=None):
    """a record's table cells under their export column names"""
    if isinstance(v, dict):
        cols = v.get("columns", cols)
        for k, x in v.items():
            if k != "columns":
                flat(x, path + [k], out, cols)
    elif isinstance(v, list) and cols and len(v) == len(cols):
        for c, x in zip(cols, v):
            out[".".join(path + [c])] = x
    else:
        out[".".join(path)] = v
    return out


def tables(rec):
    out = {}
    for k in ("active", "requests", "appeals"):
        if k in rec:
            flat(rec[k], [k], out)
    return out


def judge(m, when):
    """every answer the manifest can judge, against manifest m"""
    reps = {(r["agency"], r["year"]): r for r in m["reports"]}
    miss = {(r["agency"], r["year"]): r for r in m["missing"]}
    fxr = records(r["id"] for r in reps.values())
    regions = sorted({s["region"] for s in m["sites"] if not s["bench"]})
    site_of = {s["region"]: s["id"] for s in m["sites"] if not s["bench"]}
    summary = fixture_summary()

    # agencies: names, regions, kinds
    a = js("agencies", code=0)
    same_set(when + "agencies", ((x["agency"], x["region"], x["kind"])
                                 for x in a),
             ((x["name"], x["region"], x["kind"]) for x in m["agencies"]))

    # list: every report, its date (the earliest any page showed: the
    # republished ones too), status, template and checks
    rows = {(x["agency"], x["year"]): x for x in js("list", *TODAY, code=0)}
    same_set(when + "list reports", rows, reps)
    bad = []
    for k, r in reps.items():
        x = rows.get(k)
        if x is None:
            continue
        nfailed = sum(1 for c in fxr[r["id"]]["checks"] if c["ok"] is False)
        want = ("unparsed" if r["image_only"] else
                "%d failed" % nfailed if r["inconsistent"] else "ok")
        if (x["published"] != r["published"] or
                x["status"] != ("late" if r["late"] else "on-time") or
                x["template"] != ("unknown" if r["image_only"]
                                  else r["template"]) or
                not x["checks"].startswith(want) or
                x["url"] not in (r["urls"] + [d["url"]
                                              for d in r["documents"]])):
            bad.append((k, x, r["published"], r["late"], r["template"]))
    check(when + "list rows", not bad, bad[:5])
    check(when + "republished reports",
          any(r["republished"] for r in reps.values()))

    # missing, overdue, late: per year, per county, over all years
    def sets(args):
        mi = js("missing", *args, *TODAY)
        ov = js("overdue", *args, *TODAY)
        la = js("late", *args, *TODAY)
        return ({(x["agency"], x["year"]): x for x in mi},
                {(x["agency"], x["year"]): x for x in ov},
                {(x["agency"], x["year"]): x for x in la})

    def want(pred):
        wm = {k: r for k, r in miss.items() if pred(r)}
        wl = {k: r for k, r in reps.items() if pred(r) and r["late"]}
        return wm, wl

    scopes = [("%d" % y, ["--year", str(y)],
               lambda r, y=y: r["year"] == y) for y in range(Y0, Y1 + 1)]
    scopes += [(reg, ["--year", YEARS, "--region", reg],
                lambda r, reg=reg: r["region"] == reg) for reg in regions]
    scopes.append(("all", ["--year", YEARS], lambda r: True))
    for name, args, pred in scopes:
        gm, go, gl = sets(args)
        wm, wl = want(pred)
        same_set(when + "missing " + name, gm, wm)
        same_set(when + "overdue " + name, go,
                 (k for k, r in wm.items() if r["overdue"]))
        same_set(when + "late " + name, gl, wl)
    gm, go, gl = sets(["--year", YEARS])
    bad = [(k, x) for k, x in gm.items() if k in miss and (
        x["deadline"] != miss[k]["deadline"] or
        x["kind"] != miss[k]["kind"] or
        x["state"] != ("overdue" if miss[k]["overdue"] else "missing") or
        (miss[k]["overdue"] and
         x["days_overdue"] != days(miss[k]["deadline"], m["today"])))]
    check(when + "missing rows", not bad, bad[:5])
    bad = [(k, x) for k, x in gl.items() if k in reps and (
        x["published"] != reps[k]["published"] or
        x["deadline"] != reps[k]["deadline"] or
        x["days_late"] != days(reps[k]["deadline"], reps[k]["published"]))]
    check(when + "late rows", not bad, bad[:5])
    check(when + "late found", len(gl) > 0 and len(go) > 0)

    # coverage: every cell, and the counts per county
    cells = js("coverage", "--year", YEARS, *TODAY, code=0)
    got = {(c["agency"], c["year"]): c["state"] for c in cells}
    exp = {k: expected_state(r) for k, r in reps.items()}
    exp.update({k: "overdue" if r["overdue"] else "missing"
                for k, r in miss.items()})
    bad = [(k, got.get(k), s) for k, s in exp.items() if got.get(k) != s]
    check(when + "coverage cells", not bad and len(got) == len(exp),
          (len(got), len(exp), bad[:10]))
    states = ["on-time", "late", "undated", "missing", "overdue", "failed",
              "unparsed"]
    lines = run("coverage", "--year", YEARS, *TODAY).stdout.decode()
    counts = lines[lines.index("\nregion "):].split("\n")
    check(when + "coverage counts header", counts[1].split() ==
          ["region", "agencies"] + states, counts[1])
    table = {x.split()[0]: [int(v) for v in x.split()[1:]]
             for x in counts[2:] if x.strip()}
    for reg in regions:
        agencies = [x for x in m["agencies"] if x["region"] == reg]
        n = [sum(1 for k, s in exp.items() if s == st and
                 (reps.get(k) or miss.get(k))["region"] == reg)
             for st in states]
        check(when + "coverage counts " + reg,
              table.get(reg) == [len(agencies)] + n, (table.get(reg), n))
        # the fixture's own count per county
        t = table.get(reg, [0] * 8)
        fs = summary.get(site_of[reg], {})
        check(when + "coverage vs summary " + reg,
              t[0] == fs.get("agencies") and
              sum(t[1:4]) + t[6] + t[7] == fs.get("reports") and
              t[4] + t[5] == fs.get("missing") and
              t[5] == fs.get("overdue"), (t, fs))
        check(when + "late vs summary " + reg,
              len(js("late", "--year", YEARS, "--region", reg, *TODAY)) ==
              fs.get("late"), fs)

    # check: exactly the planted inconsistent reports, their rules; the
    # cross-year chains the fixture keeps true hold
    rows = js("check", *TODAY)
    same_set(when + "check reports", ((x["agency"], x["year"]) for x in rows),
             (k for k, r in reps.items() if r["inconsistent"]))
    bad = [x for x in rows
           if x["rule"].split("[")[0] not in
           reps.get((x["agency"], x["year"]), {"fails": []})["fails"] or
           x["result"] != "failed"]
    check(when + "check rules", not bad and rows, bad[:5])

    # stats per year
    st = {x["year"]: x for x in js("stats", "--year", YEARS, *TODAY, code=0)}
    bad = []
    for y in range(Y0, Y1 + 1):
        ry = [r for r in reps.values() if r["year"] == y]
        w = {"reports": len(ry),
             "agencies_missing": sum(1 for r in miss.values()
                                     if r["year"] == y),
             "late": sum(1 for r in ry if r["late"]),
             "on_time": sum(1 for r in ry if not r["late"]),
             "undated": 0,
             "unparsed": sum(1 for r in ry if r["image_only"]),
             "template_unknown": sum(1 for r in ry if r["image_only"]),
             "template_2019": sum(1 for r in ry if not r["image_only"] and
                                  r["template"] == "2019"),
             "template_2021": sum(1 for r in ry if not r["image_only"] and
                                  r["template"] == "2021"),
             "checks_failed": sum(1 for r in ry if r["inconsistent"])}
        g = {k: st.get(y, {}).get(k) for k in w}
        if g != w:
            bad.append((y, g, w))
    check(when + "stats", not bad, bad[:3])
    check(when + "stats unparsed",
          sum(x["unparsed"] for x in st.values()) ==
          sum(1 for r in reps.values() if r["image_only"]) > 0)

    # every record: the fixture's, table by table (an unparsed one: what
    # could be known without the tables)
    lines = run("export", "--format", "jsonl").stdout.decode().splitlines()
    recs = {(r["agency"], r["year"]): r for r in map(json.loads, lines)}
    bad = []
    for k, r in reps.items():
        got, want = dict(recs.get(k, {})), fxr[r["id"]]
        src = got.pop("source", {})
        if src.get("published") != r["published"]:
            bad.append((k, "published", src.get("published")))
        if r["image_only"]:
            keep = {x: want[x] for x in ("agency", "region", "year", "title")}
            if (got.get("unparsed") is None or got.get("checks") != [] or
                    got.get("template") != "unknown" or
                    any(x in got for x in ("active", "requests", "appeals")) or
                    any(got.get(x) != v for x, v in keep.items())):
                bad.append((k, got))
        elif got != want:
            t1, t2 = tables(got), tables(want)
            bad.append((k, [(c, t1.get(c), t2.get(c))
                            for c in sorted(set(t1) | set(t2))
                            if t1.get(c) != t2.get(c)][:5] or
                        sorted(x for x in set(got) | set(want)
                               if got.get(x) != want.get(x))))
    check(when + "records", not bad and len(recs) == len(reps), bad[:5])
    return reps, recs, fxr


reps, recs, fxr = judge(m, "")

# show: a report of each kind of page, exactly the record export gives
samples = {}
for k, r in sorted(reps.items()):
    key = (tuple(r["formats"]), r["listing"], r["charset"], r["template"],
           r["image_only"], r["republished"], r["via"] is not None)
    samples.setdefault(key, k)
for k in sorted(samples.values()):
    got = js("show", k[0], str(k[1]), code=0)
    check("show %s %d" % k, got == recs.get(k), got)

# the archived documents: show --raw and warc get give the bytes the record
# was made from (its source.sha1); parse of them gives the same tables
for k in sorted(samples.values()):
    rec = recs.get(k) or {}
    src = rec.get("source", {})
    url = src.get("url", "")
    raw = run("show", k[0], str(k[1]), "--raw")
    got = run("warc", "get", url)
    check("show --raw %s %d" % k, raw.returncode == 0 and
          b32sha1(raw.stdout) == src.get("sha1"), (raw.returncode, src))
    check("warc get %s" % url, got.returncode == 0 and
          got.stdout == raw.stdout, got.returncode)
    if reps[k]["image_only"]:
        continue
    doc = os.path.join(tmp, "doc")
    with open(doc, "wb") as f:
        f.write(got.stdout)
    p = subprocess.run([nb, "parse", "--json", "--hint", rec["region"],
                        "-f", ini, doc], capture_output=True, timeout=60)
    try:
        parsed = json.loads(p.stdout) if p.returncode == 0 else {}
    except ValueError:
        parsed = {}
    check("parse of the archived %s %d" % k,
          tables(parsed) == tables(rec) and
          (parsed.get("agency"), parsed.get("year")) == k,
          (p.returncode, p.stderr.decode()[-300:]))

# the CDXJ index: sorted, and every report's document in it, status 200
cdx = run("warc", "cdxj")
lines = cdx.stdout.decode().splitlines()
check("warc cdxj", cdx.returncode == 0 and lines == sorted(lines),
      cdx.returncode)
captured = set()
for x in lines:
    key, ts, blob = x.split(" ", 2)
    j = json.loads(blob)
    if j.get("status") == "200":
        captured.add(j.get("url"))
uncaptured = [k for k, r in recs.items()
              if r.get("source", {}).get("url") not in captured]
check("warc cdxj: every report's document", not uncaptured and recs,
      uncaptured[:5])
v = run("warc", "verify")
check("warc verify", v.returncode == 0, v.stdout.decode()[-500:])

# the consumer is up to date; then one report posted and one edited
js("new", "--consumer", "cron", "--since", "0", code=0)
check("new consumer caught up",
      run("new", "--consumer", "cron").returncode == 1)
adv = fixture_json("POST", "/__fixture/advance")
posted, edited = adv["new"], adv["changed"]
before = fxr[edited["id"]]
time.sleep(1.2)
crawl()
m2 = fixture_json("GET", "/__fixture/manifest")
ev = js("new", "--consumer", "cron", code=0)
same_set("new after advance",
         ((x["event"], x["agency"], x["year"]) for x in ev
          if x["event"] in ("new", "changed")),
         [("new", posted["agency"], posted["year"]),
          ("changed", edited["agency"], edited["year"])])
check("new after advance: nothing else read",
      not [x for x in ev if x["event"] in ("removed", "parse-failed")], ev)
check("new consumer moved", run("new", "--consumer", "cron").returncode == 1)

reps2, recs2, fxr2 = judge(m2, "after advance: ")
for r in (posted, edited):
    k = (r["agency"], r["year"])
    got = js("show", k[0], str(k[1]), code=0)
    want = fxr2[r["id"]]
    src = got.pop("source", {})
    check("show %s %d after advance" % k, got == want,
          [(c, v, tables(want).get(c)) for c, v in tables(got).items()
           if tables(want).get(c) != v][:5])
    check("show %s %d published" % k,
          src.get("published") == reps2[k]["published"], src)
after = fxr2[edited["id"]]
changed = {c for c, v in tables(after).items() if tables(before).get(c) != v}
h = js("history", edited["agency"], str(edited["year"]), code=0)
vs = h.get("versions", []) if isinstance(h, dict) else []
hf = {c["field"] for c in vs[-1]["changes"]} if len(vs) == 2 else set()
check("history of the edit", len(vs) == 2 and changed and
      {c for c in hf if c.split(".")[0] in ("active", "requests",
                                           "appeals")} == changed,
      (len(vs), sorted(changed), sorted(hf)))
check("history: the edit kept the date", "source.published" not in hf, hf)

fx.stop()
subprocess.run(["rm", "-rf", tmp])
print("%d passed, %d failed in %.0f s" % (passes, fails,
                                          time.monotonic() - START))
sys.exit(1 if fails else 0)
