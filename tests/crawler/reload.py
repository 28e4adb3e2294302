#!/usr/bin/python3
"""reload.py NB_FIXTURE NIANBAOD NIANBAO SRCDIR - nianbaod re-reads its
configuration on SIGHUP and keeps the running one when the new file is bad.

nb-fixture (seed 1) is started on a free 127.0.0.1 port.  nianbaod runs as
a daemon (not --once) with a configuration naming one of its sites.  Once
that site's reports are in the archive:
 1. the file is rewritten with a second site and an unknown key, and
    SIGHUP sent: the daemon says the file was not reloaded, keeps running,
    and never asks the second site's hosts for anything;
 2. the file is made valid (both sites), and SIGHUP sent: the second site's
    reports reach the archive while the daemon runs, and the first site's
    stay;
 3. SIGTERM: the daemon exits 0 within seconds.
"""
import atexit
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit

fixture, nianbaod, nb, src = sys.argv[1:5]
START = time.monotonic()
fails = passes = 0
procs = []


def check(name, cond, detail=""):
    global fails, passes
    if cond:
        passes += 1
    else:
        fails += 1
        print("FAIL: %s %s" % (name, str(detail)[:2000]))


sys.path.insert(0, os.path.join(src, "tests", "fixture"))
from nbfixture import Fixture, FixtureError  # noqa: E402


def stop_all():
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    fx.stop()


tmp = tempfile.mkdtemp(prefix="nb-reload-")
data = os.path.join(tmp, "data")
ini = os.path.join(tmp, "nianbao.ini")
dlog = os.path.join(tmp, "nianbaod.log")
try:
    fx = Fixture(fixture, tmp)
except FixtureError as e:
    print("FAIL: %s" % e)
    sys.exit(1)
atexit.register(stop_all)


def bail(why):
    print("FAIL: %s" % why)
    if os.path.exists(dlog):
        print("--- nianbaod's log (end):\n%s" % open(dlog).read()[-3000:])
    stop_all()
    sys.exit(1)


def fixture_json(path):
    try:
        return fx.json(path)
    except FixtureError as e:
        bail(e)


def requests_to(hosts):
    st = fixture_json("/__fixture/stats").get("hosts", {})
    return sum(st.get(h, {}).get("requests", 0) for h in hosts)


m = fixture_json("/__fixture/manifest")
sites = [s for s in m["sites"] if not s["bench"]][:2]
if len(sites) < 2:
    bail("the fixture has fewer than two sites")
a, b = sites


def write_config(ss, extra=""):
    tmpf = ini + ".new"
    with open(tmpf, "w", encoding="utf-8") as f:
        f.write(fx.config(data, src, "delay = 0s\nper_host = 2\n"
                          "concurrency = 8\ntimeout = 10s\nrecrawl = 1h\n"
                          "recrawl_reports = 1h\n" + extra, ss))
    os.rename(tmpf, ini)


def report_hosts():
    """the hosts of the archived reports' URLs, with counts"""
    p = subprocess.run([nb, "list", "--json", "-f", ini],
                       capture_output=True, timeout=60)
    if p.returncode not in (0, 1):
        return None
    out = {}
    for r in json.loads(p.stdout or "[]"):
        h = urlsplit(r.get("url", "")).hostname or ""
        out[h] = out.get(h, 0) + 1
    return out


def reports_of(site, hosts):
    if hosts is None:
        return 0
    allow = set(site["allow"])
    return sum(n for h, n in hosts.items() if h in allow)


def wait_for(what, cond, secs):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if d.poll() is not None:
            bail("nianbaod exited (%d) while waiting for %s" %
                 (d.returncode, what))
        v = cond()
        if v:
            return v
        time.sleep(0.3)
    bail("timed out after %d s waiting for %s" % (secs, what))


def log_text():
    return open(dlog, encoding="utf-8", errors="replace").read()


want_a = sum(1 for r in m["reports"] if r["site"] == a["id"])
want_b = sum(1 for r in m["reports"] if r["site"] == b["id"])
check("the fixture plants reports on both sites", want_a > 0 and want_b > 0,
      (want_a, want_b))

write_config([a])
d = subprocess.Popen([nianbaod, "-f", ini], stdout=subprocess.DEVNULL,
                     stderr=open(dlog, "w"))
procs.insert(0, d)

# the first site is crawled and its pass goes quiet
wait_for("%s's reports" % a["id"],
         lambda: reports_of(a, report_hosts()) >= want_a, 90)
last = -1
for _ in range(100):
    n = requests_to(a["allow"])
    if n == last:
        break
    last = n
    time.sleep(0.5)
got_a = reports_of(a, report_hosts())
check("site 1 archived: every report", got_a == want_a, (got_a, want_a))
check("site 2 untouched before any reload", requests_to(b["allow"]) == 0)

# 1. a bad file: refused, the daemon goes on with what it had
write_config([a, b], extra="delya = 1s\n")
d.send_signal(signal.SIGHUP)
wait_for("the refusal of the bad file", lambda: "not reloaded" in log_text(),
         20)
time.sleep(2)
check("alive after a bad reload", d.poll() is None)
check("a bad reload names the key and line",
      "delya" in log_text() and ini in log_text(), log_text()[-1500:])
check("a bad reload changes nothing: site 2 never asked",
      requests_to(b["allow"]) == 0, requests_to(b["allow"]))

# 2. a good file: the new site is crawled by the running daemon
write_config([a, b])
d.send_signal(signal.SIGHUP)
wait_for("%s's reports after the reload" % b["id"],
         lambda: reports_of(b, report_hosts()) >= want_b, 90)
hosts = report_hosts()
check("site 2 archived after the reload: every report",
      reports_of(b, hosts) == want_b, (reports_of(b, hosts), want_b))
check("site 1's reports kept", reports_of(a, hosts) == got_a,
      (reports_of(a, hosts), got_a))
check("reload logged", "SIGHUP: reloading" in log_text(), log_text()[-800:])
check("no reload warning", "reload:" not in log_text(),
      [x for x in log_text().splitlines() if "reload:" in x])

# 3. SIGTERM: a clean exit
t0 = time.monotonic()
d.send_signal(signal.SIGTERM)
try:
    rc = d.wait(20)
except subprocess.TimeoutExpired:
    rc = None
check("SIGTERM: exit 0 within 20 s", rc == 0, (rc, log_text()[-800:]))
check("SIGTERM: stopped in %.1f s" % (time.monotonic() - t0),
      time.monotonic() - t0 < 20)

if fails:
    print("--- nianbaod's log (end):\n%s" % log_text()[-3000:])
stop_all()
subprocess.run(["rm", "-rf", tmp])
print("%d passed, %d failed in %.0f s" % (passes, fails,
                                          time.monotonic() - START))
sys.exit(1 if fails else 0)
