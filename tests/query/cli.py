#!/usr/bin/python3
"""cli.py QA_BUILD NIANBAO SRCDIR - every nianbao subcommand against the
archive tests/query/archive.json describes, asserting on the answers.

The expected sets below were worked out by hand from archive.json and the
deadlines of domain.md (as of --today 2024-03-15), not from the program.
"""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

qa_build, nb, src = sys.argv[1:4]
seeds = os.environ.get("NB_SEEDS", os.path.join(src, "tests/seeds"))
spec_path = os.path.join(src, "tests/query/archive.json")
spec = json.load(open(spec_path, encoding="utf-8"))
tmp = tempfile.mkdtemp()
arch = os.path.join(tmp, "a")
fails = passes = 0

ZG, JG, YH = "樟树市人民政府", "樟树市机关事务管理局", "樟树市洋湖乡人民政府"
GA, RB, RZ = "高安市人民政府", "瑞金市人民政府办公室", "瑞金市政府"
TODAY = ["--today", "2024-03-15"]


def check(name, cond, detail=""):
    global fails, passes
    if cond:
        passes += 1
    else:
        fails += 1
        print("FAIL: %s %s" % (name, detail))


def run(*args, code=None, inp=None):
    p = subprocess.run([nb] + list(args) + ["-D", arch], capture_output=True,
                       input=inp)
    if code is not None:
        check("exit %s" % " ".join(args), p.returncode == code,
              "got %d, want %d; stderr: %s" % (p.returncode, code,
                                                p.stderr.decode()))
    return p


def js(*args, code=None):
    p = run(*(list(args) + ["--json"]), code=code)
    try:
        return json.loads(p.stdout)
    except ValueError:
        check("json %s" % " ".join(args), False, p.stdout[:200])
        return None


def build(spec_file, env=None):
    e = dict(os.environ, NB_SEEDS=seeds)
    r = subprocess.run([qa_build, arch, spec_file], env=e,
                       capture_output=True)
    if r.returncode != 0:
        print(r.stderr.decode())
        sys.exit(1)


build(spec_path)

# ---------------------------------------------------------------- agencies
a = js("agencies", code=0)
check("agencies", sorted(x["agency"] for x in a) ==
      sorted([ZG, JG, YH, GA, RB, RZ]), a)
by = {x["agency"]: x for x in a}
check("agencies kinds", by[ZG]["kind"] == "government" and
      by[GA]["kind"] == "government" and by[YH]["kind"] == "department" and
      by[RB]["kind"] == "department" and by[RZ]["kind"] == "department")
check("agencies years", by[JG]["years"] == "2020-2021, 2023" and
      by[JG]["first_year"] == 2020 and by[JG]["last_year"] == 2023,
      by[JG])
a = js("agencies", "--region", "高安市", code=0)
check("agencies region", [x["agency"] for x in a] == [GA], a)
run("agencies", "--region", "南昌市", code=1)

# ------------------------------------------------------------------- list
rows = js("list", *TODAY, code=0)
check("list count", len(rows) == 15, len(rows))
st = {(r["agency"], r["year"]): r for r in rows}
check("list status", st[(GA, 2021)]["status"] == "on-time" and
      st[(RB, 2021)]["status"] == "late" and
      st[(RB, 2023)]["status"] == "undated" and
      st[(YH, 2022)]["checks"] == "2 failed" and
      st[(JG, 2023)]["versions"] == 2, st[(GA, 2021)])
rows = js("list", "--region", "樟树市", "--year", "2023", *TODAY, code=0)
check("list region year", sorted(r["agency"] for r in rows) == sorted([YH, JG]),
      rows)
rows = js("list", "--template", "2019", *TODAY, code=0)
check("list template", sorted((r["agency"], r["year"]) for r in rows) ==
      sorted([(ZG, 2020), (JG, 2020), (GA, 2020)]), rows)
run("list", "--year", "2019", code=1)
run("list", "--year", "20x1", code=2)

# ------------------------------------------------- missing, overdue, late
missing = {2020: {YH, RB, RZ}, 2021: {YH, RZ}, 2022: {JG},
           2023: {ZG, GA, RZ}}
overdue = {2020: {YH, RB, RZ}, 2021: {YH, RZ}, 2022: {JG}, 2023: {RZ}}
for y in missing:
    m = js("missing", "--year", str(y), *TODAY, code=1)
    check("missing %d" % y, {x["agency"] for x in m} == missing[y], m)
    o = js("overdue", "--year", str(y), *TODAY, code=1)
    check("overdue %d" % y, {x["agency"] for x in o} == overdue[y], o)
m = js("missing", "--year", "2023", *TODAY)
states = {x["agency"]: (x["state"], x["deadline"], x["days_overdue"])
          for x in m}
check("missing states", states == {
    ZG: ("missing", "2024-03-31", None), GA: ("missing", "2024-03-31", None),
    RZ: ("overdue", "2024-01-31", 44)}, states)
# every agency is expected for a year with no report at all
m = js("missing", "--year", "2019", *TODAY, code=1)
check("missing 2019", len(m) == 6, m)
# a year with no gap in one region
run("missing", "--year", "2021", "--region", "高安市", *TODAY, code=0)
# after the government deadline, the two county governments are overdue
o = js("overdue", "--year", "2023", "--today", "2024-04-01", code=1)
check("overdue after March", {x["agency"] for x in o} == {ZG, GA, RZ}, o)
late = js("late", "--year", "2019-2023", *TODAY, code=1)
check("late", {(x["agency"], x["year"], x["days_late"]) for x in late} ==
      {(JG, 2021, 15), (RB, 2021, 1), (ZG, 2022, 10), (GA, 2022, 1),
       (RZ, 2022, 15)}, late)
run("late", "--year", "2020", *TODAY, code=0)
run("missing", "--year", "2023-2021", code=2)
# a region nobody is in is a typing error, not "nothing missing"
p = run("missing", "--region", "南昌市", code=2)
check("unknown region", b"no agency in region" in p.stderr, p.stderr)
run("check", "--region", "南昌市", code=2)

# the config overrides the kind: 瑞金市政府 is the county government
cfg = os.path.join(tmp, "q.ini")
with open(cfg, "w", encoding="utf-8") as f:
    f.write("[nianbao]\ndata_dir = %s\n[site ruijin]\nname = 瑞金市\n"
            "start = http://www.ruijin.gov.cn.demo/\n"
            "allow = www.ruijin.gov.cn.demo\n[agency 瑞金市政府]\nregion = 瑞金市\n"
            "kind = government\naliases = 瑞金政府\n"
            "[agency 樟树市人民政府]\nregion = 樟树市\naliases = 市政府\n"
            % arch)
p = subprocess.run([nb, "late", "--year", "2022", "-f", cfg] + TODAY +
                   ["--json"], capture_output=True)
late = json.loads(p.stdout)
check("late with config", {x["agency"] for x in late} == {ZG, GA} and
      p.returncode == 1, late)
p = subprocess.run([nb, "overdue", "--year", "2023", "-f", cfg] + TODAY +
                   ["--json"], capture_output=True)
check("overdue with config", json.loads(p.stdout) == [] and
      p.returncode == 0, p.stdout)

# ------------------------------------------------------------------ show
rec = js("show", ZG, "2021", code=0)
exp = json.load(open(os.path.join(seeds, "expected",
                                  "000_b28a0448acb1371b.json"),
                     encoding="utf-8"))
check("show tables", all(rec[k] == exp[k] for k in
                         ("active", "requests", "appeals", "checks",
                          "template")), rec.get("active"))
check("show source", rec["source"]["published"] == "2022-01-20" and
      rec["source"]["url"].endswith("/2021/gov.shtml") and
      list(rec)[:6] == ["agency", "region", "year", "template", "title",
                        "source"], list(rec))
# an alias recorded in the archive, and one from the config
check("show alias", js("show", "樟树市政府", "2021")["agency"] == ZG)
p = subprocess.run([nb, "show", "市政府", "2021", "-f", cfg, "--json"],
                   capture_output=True)
check("show config alias", p.returncode == 0 and
      json.loads(p.stdout)["agency"] == ZG, p.stderr)
t = run("show", YH, "2022", *TODAY, code=0).stdout.decode()
check("show text", "requests.balance[natural]: expected 5, actual 0" in t
      and "FAILED" in t and "樟树市洋湖乡人民政府 2022" in t, t[-400:])
raw = run("show", ZG, "2021", "--raw", code=0).stdout.decode()
check("show raw", raw.lstrip().lower().startswith("<!doctype html") and
      "樟树市人民政府2021年政府信息公开工作年度报告" in raw, raw[:200])
v1 = js("show", JG, "2023", "--version", "1", code=0)
v2 = js("show", JG, "2023", code=0)
check("show versions", v1["active"]["licensing"]["decisions"] == 0 and
      v2["active"]["licensing"]["decisions"] == 7)
run("show", JG, "2023", "--version", "3", code=1)
run("show", JG, "2022", code=1)
run("show", "没有这个机关", "2022", code=1)
run("show", JG, code=2)
c = list(csv.reader(io.StringIO(run("show", ZG, "2021", "--csv",
                                    code=0).stdout.decode())))
cv = dict(c[1:])
check("show csv", c[0] == ["field", "value"] and
      cv["requests.new.natural"] == "36" and
      cv["active.fees.amount.unit"] == "万元", c[:3])

# --------------------------------------------------------------- history
h = js("history", JG, "2023", code=0)
check("history versions", [v["version"] for v in h["versions"]] == [1, 2])
ch = {c["field"]: (c.get("from"), c.get("to"))
      for c in h["versions"][1]["changes"]}
check("history diff", ch.get("active.licensing.decisions") == (0, 7) and
      "requests.new.natural" not in ch and h["versions"][0]["changes"] == [],
      ch)
h = js("history", ZG, "2021", code=0)
check("history unchanged refetch", len(h["versions"]) == 1, h)
run("history", JG, "2022", code=1)

# ------------------------------------------------------------------- new
ev = js("new", "--since", "2024-02-01", code=0)
check("new since date", [(e["event"], e["agency"], e["year"]) for e in ev]
      == [("new", JG, 2023), ("new", YH, 2023), ("new", RB, 2023),
          ("changed", JG, 2023), ("blocked", None, None)], ev)
ev = js("new", "--since", "16", code=0)
check("new since seq", [e["seq"] for e in ev] == [17], ev)
ev = js("new", "--since", "2024-02-01", "--type", "new", code=0)
check("new type", len(ev) == 3)
ev = js("new", "--since", "2024-02-01", "--last", "2", code=0)
check("new last", [(e["event"], e["agency"]) for e in ev] ==
      [("changed", JG), ("blocked", None)], ev)
ev = js("new", "--since", "2024-02-01", "--type", "new", "--last", "1",
        code=0)
check("new last of a type", [(e["event"], e["agency"]) for e in ev] ==
      [("new", RB)], ev)
run("new", "--since", "2024-02-01", "--last", "0", code=1)
run("new", "--last", "-1", code=2)
run("new", "--since", "17", code=1)
run("new", "--since", "yesterday", code=2)
run("new", "--type", "exploded", code=2)
# a consumer: first from a point, then only what is posted afterwards
ev = js("new", "--consumer", "cron", "--since", "10", code=0)
check("consumer first", len(ev) == 7, ev)
run("new", "--consumer", "cron", code=1)
post = os.path.join(tmp, "post.json")
json.dump({"reports": [{"base": "004_0cecb108ebe11312.json", "agency": GA,
                        "region": "高安市", "year": 2023,
                        "published": "2024-03-10",
                        "fetched": "2024-03-12T00:00:00Z",
                        "url": "http://www.gaoan.gov.cn.demo/2023.shtml"}]},
          open(post, "w", encoding="utf-8"), ensure_ascii=False)
build(post)
ev = js("new", "--consumer", "cron", code=0)
check("new shows the posted report", [(e["event"], e["agency"], e["year"])
                                      for e in ev] == [("new", GA, 2023)],
      ev)
run("new", "--consumer", "cron", code=1)

# ----------------------------------------------------------------- check
ck = js("check", code=1)
check("check finds the planted report", sorted(
    (x["agency"], x["year"], x["rule"], x["expected"], x["actual"])
    for x in ck) == sorted([
        (YH, 2022, "requests.balance[natural]", 5, 0),
        (YH, 2022, "requests.row_total[new]", 0, 5),
        # seed 000 reused for 2021 and 2022: 160 + 33 - 57 != 160
        (ZG, 2022, "active.in_force_chain[normative_docs]", 136, 160),
        (GA, 2022, "active.in_force_chain[normative_docs]", 136, 160),
        # seed 001 reused for 2021-2023: 21 + 5 - 2 != 21
        (RB, 2022, "active.in_force_chain[normative_docs]", 24, 21),
        (RB, 2023, "active.in_force_chain[normative_docs]", 24, 21),
        # the report posted above (seed 004, all zeros) after seed 000
        (GA, 2023, "active.in_force_chain[normative_docs]", 160, 0)]), ck)
run("check", "--year", "2021", code=0)
run("check", "--agency", "洋湖乡", code=1)
ck = js("check", "--unknown", "--agency", JG, "--year", "2020", code=1)
check("check unknown", len(ck) == 25 and
      all(x["result"] == "unknown" for x in ck), len(ck))

# ----------------------------------------------------------------- stats
def expected_sum(year, path):
    total = 0
    for r in spec["reports"]:
        if r["year"] != year:
            continue
        d = json.load(open(os.path.join(seeds, "expected", r["base"]),
                           encoding="utf-8"))
        for k, v in r.get("set", {}).items():
            o = d
            ks = k.split(".")
            for x in ks[:-1]:
                o = o[int(x)] if isinstance(o, list) else o[x]
            if isinstance(o, list):
                o[int(ks[-1])] = v
            else:
                o[ks[-1]] = v
        key = (r["agency"], r["year"])
        expected_sum.latest[key] = d
    return sum((path(d) or 0) for (a_, y), d in expected_sum.latest.items()
               if y == year)


expected_sum.latest = {}
s = {x["year"]: x for x in js("stats", *TODAY, code=0)}
for y in (2020, 2021, 2022):
    new = expected_sum(y, lambda d: d["requests"]["new"][6])
    lic = expected_sum(y, lambda d: d["active"]["licensing"]["decisions"])
    check("stats %d" % y, s[y]["requests_new"] == new and
          s[y]["licensing"] == lic, (s[y], new, lic))
check("stats counts", s[2022]["reports"] == 5 and
      s[2022]["late"] == 3 and s[2022]["checks_failed"] == 1 and
      s[2023]["agencies_missing"] == 2 and s[2023]["undated"] == 1, s[2022])
run("stats", "--year", "2019", code=1)
t = run("stats", *TODAY, code=0).stdout.decode()
check("stats table", t.split("\n")[0].split() == ["measure", "2020", "2021",
                                                  "2022", "2023"], t[:200])

# ---------------------------------------------------------------- export
out = run("export", "--format", "csv", "--bom", *TODAY, code=0).stdout
check("export bom", out.startswith(b"\xef\xbb\xbf"))
rows = list(csv.DictReader(io.StringIO(out[3:].decode())))
check("export rows", len(rows) == 16, len(rows))
hdr = out[3:].split(b"\r\n")[0].decode().split(",")
check("export columns", hdr[:8] == ["version", "versions", "first_seen",
                                    "last_seen", "kind", "deadline",
                                    "status", "agency"] and
      "requests.results.denied.third_party.other_org" in hdr and
      "appeals.litigation_after_review.total" in hdr and
      "active.procurement.amount.unit" in hdr and
      hdr[-1] == "warnings" and len(hdr) == 7 + 42 + 175 + 15 + 5, len(hdr))
e = {(r["agency"], r["year"]): r for r in rows}
r = e[(ZG, "2021")]
check("export values", r["requests.new.natural"] == "36" and
      r["active.licensing.decisions"] == "11138" and
      r["active.fees.amount.value"] == "8606" and
      r["active.rules.new_made"] == "" and r["status"] == "on-time" and
      r["kind"] == "government", r["requests.new.natural"])
r = e[(GA, "2020")]
check("export 2019 template", r["active.procurement.amount.value"] ==
      "2.43" and r["active.fees.change"] == "-2" and
      r["requests.results.granted.public_interest"] == "", r["template"])
r = e[(YH, "2022")]
check("export failed rules", r["checks_failed"] == "2" and
      r["failed_rules"] ==
      "requests.balance[natural]; requests.row_total[new]", r["failed_rules"])
lines = run("export", "--format", "jsonl", "--region", "瑞金市",
            code=0).stdout.decode().splitlines()
recs = [json.loads(x) for x in lines]
check("export jsonl", sorted((x["agency"], x["year"]) for x in recs) ==
      [(RB, 2021), (RB, 2022), (RB, 2023), (RZ, 2022)], recs[:1])
run("export", "--format", "xml", code=2)
run("export", code=2)
run("export", "--format", "csv", "--year", "2019", code=1)

# -------------------------------------------------------------- coverage
cells = js("coverage", *TODAY, code=0)
cs = {(x["agency"], x["year"]): x["state"] for x in cells}
check("coverage cells", len(cells) == 6 * 4 and
      cs[(ZG, 2023)] == "missing" and cs[(RZ, 2023)] == "overdue" and
      cs[(YH, 2022)] == "failed" and cs[(RB, 2023)] == "undated" and
      cs[(GA, 2022)] == "late" and cs[(GA, 2023)] == "on-time", cs)
t = run("coverage", "--region", "樟树市", "--year", "2020-2023", *TODAY,
        code=0).stdout.decode()
lines = t.splitlines()
check("coverage grid", lines[0].split() == ["region", "agency", "2020",
                                            "2021", "2022", "2023"] and
      lines[3].split() == ["樟树市", YH, "OVER", "OVER", "FAIL", "ok"], t)
# the columns line up: East Asian characters are two columns wide
w = [sum(2 if ord(ch) >= 0x1100 else 1 for ch in ln) for ln in lines[:4]]
check("coverage aligned", len(set(w)) == 1, w)
html = os.path.join(tmp, "c.html")
run("coverage", "--html", html, *TODAY, code=0)
page = open(html, encoding="utf-8").read()
check("coverage html", page.count('class="cell ') == 24 and
      "http://" not in page.split("<h2>Records")[0].replace(
          'href="http', '') and '<section class="record" id="r-' in page,
      page[:300])
run("coverage", "--region", "南昌市", code=1)

# --------------------------------------------------------- help, errors
cmds = ["agencies", "list", "show", "history", "new", "missing", "overdue",
        "late", "check", "stats", "export", "coverage", "warc"]
for c in cmds:
    p = subprocess.run([nb, c, "--help"], capture_output=True)
    check("help %s" % c, p.returncode == 0 and
          p.stdout.startswith(b"usage: nianbao " + c.encode()), p.stdout[:80])
    p = subprocess.run([nb, c] + (["verify"] if c == "warc" else []) +
                       ["--bogus"], capture_output=True)
    check("bad option %s" % c, p.returncode == 2 and
          b"unknown option --bogus" in p.stderr, p.stderr)
p = subprocess.run([nb, "list", "-D", os.path.join(tmp, "none")],
                   capture_output=True)
check("no archive", p.returncode == 2 and b"cannot open the archive" in
      p.stderr, p.stderr)
p = subprocess.run([nb, "--help"], capture_output=True)
check("command list", all(("  %s " % c).encode() in p.stdout
                          for c in cmds), p.stdout)

# a record of the wrong shape (the store only takes valid JSON): never a
# crash, the rest still answered
bad = os.path.join(tmp, "bad.json")
json.dump({"reports": [{"base": "000_b28a0448acb1371b.json", "agency": RZ,
                        "region": "瑞金市", "year": 2021,
                        "published": "2022-03-01",
                        "fetched": "2024-03-13T00:00:00Z",
                        "record_set": {"checks": "oops", "requests": [1, 2],
                                "active": 5, "appeals": None,
                                "template": 2021},
                        "url": "http://www.ruijin.gov.cn.demo/bad.shtml"}]},
          open(bad, "w", encoding="utf-8"), ensure_ascii=False)
build(bad)
for fmt in ([], ["--json"], ["--csv"]):
    run("show", RZ, "2021", *fmt, code=0)
for args in (["list"], ["stats"], ["export", "--format", "csv"],
             ["export", "--format", "jsonl"], ["check"], ["late"],
             ["coverage"], ["history", RZ, "2021"], ["list", "--json"]):
    p = run(*(args + TODAY))
    check("odd record: %s" % " ".join(args), p.returncode in (0, 1),
          (p.returncode, p.stderr[-300:]))
rows = js("list", "--year", "2021", *TODAY)
odd = [r for r in rows if r["agency"] == RZ]
check("odd record listed", len(rows) == 5 and len(odd) == 1 and
      odd[0]["template"] is None and odd[0]["checks"] == "none", odd)

subprocess.run(["rm", "-rf", tmp])
print("%d passed, %d failed" % (passes, fails))
sys.exit(1 if fails else 0)
