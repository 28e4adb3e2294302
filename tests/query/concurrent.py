#!/usr/bin/python3
"""concurrent.py QA_WRITER NIANBAO - queries while a writer works.

A writer commits version after version of one report, holding each write
transaction open for a while; meanwhile show, list, history, new, export and
check run in a loop.  Asserts: every answer is complete and consistent
(every number of the record shown is the same round, rounds never go
back), no query waits for the writer (each answers well within the hold
time x rounds), and the writer is never held up by the readers.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

writer, nb = sys.argv[1:3]
tmp = tempfile.mkdtemp()
arch = os.path.join(tmp, "a")
ROUNDS, HOLD_MS = 60, 50
fails = passes = 0


def check(name, cond, detail=""):
    global fails, passes
    if cond:
        passes += 1
    else:
        fails += 1
        print("FAIL: %s %s" % (name, detail))


def q(*args):
    t0 = time.monotonic()
    p = subprocess.run([nb] + list(args) + ["-D", arch], capture_output=True)
    return p, time.monotonic() - t0


# the archive exists before the queries start
subprocess.run([writer, arch, "1", "0"], check=True, capture_output=True)
w = subprocess.Popen([writer, arch, str(ROUNDS), str(HOLD_MS)],
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
t_start = time.monotonic()
last_round = 0
queries = 0
slowest = 0.0
rounds_seen = set()
while w.poll() is None:
    p, dt = q("show", "并发测试局", "2023", "--json")
    slowest = max(slowest, dt)
    queries += 1
    if p.returncode != 0:
        check("show answered", False, p.stderr)
        continue
    rec = json.loads(p.stdout)
    n = rec["round"]
    nums = [v for row in rec["requests"].values() for v in row]
    check("record consistent", all(v == n for v in nums) and
          rec["warnings"] == [n] * 200 and
          rec["title"].endswith("（第%d版）" % n), n)
    check("rounds never go back", n >= last_round, (n, last_round))
    last_round = n
    rounds_seen.add(n)
    for args in (["list", "--json"], ["new", "--since", "0", "--json"],
                 ["history", "并发测试局", "2023", "--json"],
                 ["export", "--format", "jsonl"], ["check"]):
        p, dt = q(*args)
        slowest = max(slowest, dt)
        queries += 1
        check("%s answered" % args[0], p.returncode in (0, 1), p.stderr)
        if args[0] == "history" and p.returncode == 0:
            h = json.loads(p.stdout)
            check("history consistent",
                  [v["version"] for v in h["versions"]] ==
                  list(range(1, len(h["versions"]) + 1)), h["versions"][:3])
        if args[0] == "export" and p.returncode == 0:
            r = json.loads(p.stdout.decode().splitlines()[0])
            check("export consistent",
                  r["warnings"] == [r["round"]] * 200, r["round"])
out, _ = w.communicate()
elapsed = time.monotonic() - t_start
lines = out.decode().split("\n")
worst = [int(x.split()[1]) for x in lines if x.startswith("max_commit_ms")]
check("writer finished", w.returncode == 0 and
      sum(1 for x in lines if x.startswith("round")) == ROUNDS, out[-200:])
# readers saw the writer's progress, not one frozen snapshot
check("queries saw progress", len(rounds_seen) >= 5, sorted(rounds_seen))
# no query waited for a write transaction: each took far less than the
# writer's whole run, and under a second
check("queries never blocked", slowest < 1.0, slowest)
# the writer's own time outside its hold stayed small
check("writer never blocked", worst and worst[0] < 1000, worst)
check("writer pace", elapsed < ROUNDS * HOLD_MS / 1000.0 + 20, elapsed)
p, _ = q("history", "并发测试局", "2023", "--json")
check("all versions kept", len(json.loads(p.stdout)["versions"]) == ROUNDS,
      p.stdout[:100])
print("%d queries while %d versions were written; slowest %.3f s; "
      "writer's longest commit %s ms" % (queries, ROUNDS, slowest,
                                         worst[0] if worst else "?"))
subprocess.run(["rm", "-rf", tmp])
print("%d passed, %d failed" % (passes, fails))
sys.exit(1 if fails else 0)
