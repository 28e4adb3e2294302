#!/usr/bin/python3
"""paths.py QA_BUILD STORE_BENCH NIANBAO SRCDIR - the commands that answer
from the reports' summaries answer exactly as from the records.

NB_QUERY_FROM_RECORDS=1 makes nianbao compute every summary afresh from
its record, and `check' read the records as it did before summaries
existed.  Every summary-based command, in every output format, must print
the same bytes and exit with the same status both ways, on two archives:
tests/query/archive.json with odd.json (records of odd shapes: values of
the wrong type, a record that names another agency or a year as text,
checks whose values are text) and one of wrong shape altogether; and a
small archive from bench/store's generator (realistic tables, failed and
unknown checks, broken year-to-year chains, late and undated reports).
"""
import json
import os
import subprocess
import sys
import tempfile

qa_build, store_bench, nb, src = sys.argv[1:5]
seeds = os.environ.get("NB_SEEDS", os.path.join(src, "tests/seeds"))
tmp = tempfile.mkdtemp()
fails = passes = 0


def check(name, cond, detail=""):
    global fails, passes
    if cond:
        passes += 1
    else:
        fails += 1
        print("FAIL: %s %s" % (name, detail))


def run(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True,
                       env=dict(os.environ, NB_SEEDS=seeds, **(env or {})))
    return r


def build(arch, spec):
    r = run([qa_build, arch, spec])
    if r.returncode != 0:
        print(r.stderr.decode())
        sys.exit(1)


def both(arch, args, html=None):
    """compare one command from summaries and from records"""
    out = []
    for env in ({}, {"NB_QUERY_FROM_RECORDS": "1"}):
        r = run([nb] + args + ["-D", arch], env)
        page = open(html, "rb").read() if html else b""
        out.append((r.returncode, r.stdout, page))
    same = out[0] == out[1]
    check(" ".join(args), same and out[0][0] in (0, 1) and
          (out[0][1] or out[0][2]),
          "" if same else "status %d/%d, %d/%d bytes" %
          (out[0][0], out[1][0], len(out[0][1]), len(out[1][1])))


def commands(arch, today, years, region, agency, year):
    html = os.path.join(tmp, "c.html")
    cmds = [["list"], ["list", "--year", year], ["list", "--region", region],
            ["list", "--agency", agency], ["list", "--template", "2019"],
            ["late", "--year", years], ["late", "--year", year, "--region",
                                        region],
            ["check"], ["check", "--unknown"], ["check", "--year", year],
            ["check", "--region", region, "--unknown"],
            ["check", "--agency", agency, "--unknown"],
            ["stats"], ["stats", "--year", year], ["stats", "--region",
                                                   region],
            ["coverage"], ["coverage", "--region", region],
            ["coverage", "--year", years]]
    for c in cmds:
        for fmt in ([], ["--json"], ["--csv"]):
            both(arch, c + fmt + ["--today", today])
    for c in (["coverage"], ["coverage", "--region", region]):
        both(arch, c + ["--html", html, "--today", today], html)


# the test archive, records of odd shapes, one of no shape at all
a = os.path.join(tmp, "a")
build(a, os.path.join(src, "tests/query/archive.json"))
build(a, os.path.join(src, "tests/query/odd.json"))
bad = os.path.join(tmp, "bad.json")
json.dump({"reports": [{"base": "000_b28a0448acb1371b.json",
                        "agency": "瑞金市政府", "region": "瑞金市",
                        "year": 2021, "published": "2022-03-01",
                        "fetched": "2024-03-13T00:00:00Z",
                        "record_set": {"checks": "oops", "requests": [1, 2],
                                       "active": 5, "appeals": None,
                                       "template": 2021},
                        "url": "http://www.ruijin.gov.cn.demo/bad.shtml"}]},
          open(bad, "w", encoding="utf-8"), ensure_ascii=False)
build(a, bad)
# the odd records do turn up in the answers
ck = json.loads(run([nb, "check", "--unknown", "--json", "-D", a]).stdout)
rules = {(x["agency"], x["year"], x["rule"]) for x in ck}
check("odd records checked", {
    ("奇异县人民政府", 2021, "active.items_chain[licensing]"),
    ("奇异县人民政府", 2021, "active.items_chain[fees]"),
    ("奇异县人民政府", 2023, "requests.balance[natural]"),
    ("奇异县第一局", 2022, "active.in_force_chain[rules]")} <= rules,
      sorted(rules))
commands(a, "2024-03-15", "2019-2023", "奇异县", "奇异县第一局", "2022")

# a generated archive: 12 counties x 10 agencies x 6 years
g = os.path.join(tmp, "g")
r = run([store_bench, g, "12", "10", "6"])
check("generated", r.returncode == 0, r.stderr[-300:])
st = json.loads(run([nb, "stats", "--json", "-D", g,
                     "--today", "2025-06-01"]).stdout)
check("generated has failures, late, undated reports",
      all(y["checks_failed"] and y["late"] for y in st) and
      sum(y["undated"] for y in st), st)
commands(g, "2025-06-01", "2019-2024", "0003县", "0003县第04局", "2021")

subprocess.run(["rm", "-rf", tmp])
print("%d passed, %d failed" % (passes, fails))
sys.exit(1 if fails else 0)
