#!/usr/bin/python3
"""upgrade.py QA_BUILD NIANBAO SRCDIR - the schema version and the
summaries on disk.

An archive of schema version 1 (before summaries) is made from one of
version 2 with LMDB's own tools (mdb_dump/mdb_load): the summary database
left out, version 1's report_region index put back, the version set to 1.
Asserts: a read-only open refuses it with a clear message and changes
nothing; a read-write open upgrades it (also one cut short half-way) and
every query then answers as on the original archive; `warc verify` finds a
summary that does not match its record or has no report.
"""
import os
import shutil
import subprocess
import sys
import tempfile

qa_build, nb, src = sys.argv[1:4]
seeds = os.environ.get("NB_SEEDS", os.path.join(src, "tests/seeds"))
tmp = tempfile.mkdtemp()
fails = passes = 0
TODAY = ["--today", "2024-03-15"]
QUERIES = [["list", "--json"], ["list", "--year", "2022", "--json"],
           ["check", "--json"], ["check", "--unknown", "--json"],
           ["stats", "--json"], ["coverage", "--json"],
           ["late", "--year", "2019-2023", "--json"],
           ["missing", "--year", "2019-2023", "--json"],
           ["export", "--format", "csv"], ["agencies", "--json"]]


def check(name, cond, detail=""):
    global fails, passes
    if cond:
        passes += 1
    else:
        fails += 1
        print("FAIL: %s %s" % (name, detail))


def build(arch, spec):
    r = subprocess.run([qa_build, arch, spec], capture_output=True,
                       env=dict(os.environ, NB_SEEDS=seeds))
    if r.returncode != 0:
        print(r.stderr.decode())
        sys.exit(1)
    return r.stderr.decode()


def nianbao(arch, *args):
    return subprocess.run([nb] + list(args) + ["-D", arch] + TODAY,
                          capture_output=True)


def answers(arch):
    return [(p.returncode, p.stdout)
            for p in (nianbao(arch, *q) for q in QUERIES)]


def dump(arch, db):
    """(header lines, [(key hex, value hex)]) of one database"""
    out = subprocess.run(["mdb_dump", "-s", db, os.path.join(arch, "index")],
                         capture_output=True, check=True).stdout.decode()
    lines = out.split("\n")
    end = lines.index("HEADER=END")
    data = [x[1:] for x in lines[end + 1:] if x.startswith(" ")]
    return lines[:end + 1], list(zip(data[0::2], data[1::2]))


def load(arch, db, header, pairs):
    header = ["database=" + db if x.startswith("database=") else x
              for x in header]
    text = "\n".join(header + [" " + x for kv in pairs for x in kv] +
                     ["DATA=END", ""])
    subprocess.run(["mdb_load", "-s", db, os.path.join(arch, "index")],
                   input=text.encode(), check=True, capture_output=True)


def databases(arch):
    return subprocess.run(["mdb_dump", "-l", os.path.join(arch, "index")],
                          capture_output=True, check=True
                          ).stdout.decode().split()


def schema(arch):
    _, meta = dump(arch, "meta")
    return dict(meta).get("schema".encode().hex())


def version1(orig, arch, upgraded_until=None):
    """arch: orig as version 1; with upgraded_until (a number of reports),
    as an upgrade cut short after that many"""
    os.makedirs(os.path.join(arch, "index"))
    shutil.copytree(os.path.join(orig, "warc"), os.path.join(arch, "warc"))
    for db in databases(orig):
        if db in ("summary", "meta"):
            continue
        header, pairs = dump(orig, db)
        load(arch, db, header, pairs)
    header, meta = dump(orig, "meta")
    meta = [(k, "1".encode().hex() if k == "schema".encode().hex() else v)
            for k, v in meta]
    _, reports = dump(orig, "report")
    if upgraded_until is not None:
        meta.append(("upgrade".encode().hex(),
                     reports[upgraded_until - 1][0]))
    load(arch, "meta", header, sorted(meta))
    # report_region: region NUL be16 year agency NUL, from each report's
    # key (agency NUL be16 year) and head (24 bytes, then region NUL)
    rr = []
    for k, v in reports:
        region = bytes.fromhex(v[48:]).split(b"\0")[0].hex()
        rr.append((region + "00" + k[-4:] + k[:-6] + "00", ""))
    load(arch, "report_region", header, sorted(rr))
    if upgraded_until is not None:
        # the summaries the first batch wrote before the cut
        sh, summaries = dump(orig, "summary")
        done = set()
        for k, _ in reports[:upgraded_until]:
            done.add((bytes.fromhex(k[:-6]), k[-4:]))
        keep = [(k, v) for k, v in summaries
                if (bytes.fromhex(k[4:]).split(b"\0")[1], k[:4]) in done]
        check("cut upgrade keeps some", 0 < len(keep) < len(summaries))
        load(arch, "summary", sh, keep)


orig = os.path.join(tmp, "a")
build(orig, os.path.join(src, "tests/query/archive.json"))
check("version 2", schema(orig) == "32", schema(orig))
want = answers(orig)
check("answers", all(c in (0, 1) and out for c, out in want), want[:1])

# ------------------------------------------------------ version 1 archive
old = os.path.join(tmp, "v1")
version1(orig, old)
before = {db: dump(old, db)[1] for db in databases(old)}
check("forged version 1", schema(old) == "31" and
      "report_region" in before and "summary" not in before)
p = nianbao(old, "list")
check("read-only open refuses version 1", p.returncode == 2 and
      b"schema version 1, this program reads version 2: open it "
      b"read-write once" in p.stderr, p.stderr)
p = nianbao(old, "warc", "verify")
check("verify refuses version 1", p.returncode == 2, p.returncode)
check("read-only open changed nothing",
      {db: dump(old, db)[1] for db in databases(old)} == before)

# a read-write open (here: writing an empty spec) upgrades it
empty = os.path.join(tmp, "empty.json")
with open(empty, "w") as f:
    f.write("{}")
log = build(old, empty)
check("upgrade logged", "upgrading the index from schema version 1 to 2"
      in log and "upgraded to schema version 2" in log, log)
check("upgraded", schema(old) == "32" and
      "report_region" not in databases(old) and
      "summary" in databases(old), databases(old))
check("upgraded answers", answers(old) == want,
      [q for q, a, b in zip(QUERIES, answers(old), want) if a != b])
p = nianbao(old, "warc", "verify")
check("upgraded verifies", p.returncode == 0 and b" 0 problems" in p.stdout,
      p.stdout + p.stderr)
check("a second open leaves it", "upgrading" not in build(old, empty))

# an upgrade cut short after 5 reports resumes where it stopped
cut = os.path.join(tmp, "cut")
version1(orig, cut, upgraded_until=5)
build(cut, empty)
check("resumed upgrade", schema(cut) == "32" and answers(cut) == want)
p = nianbao(cut, "warc", "verify")
check("resumed verifies", p.returncode == 0, p.stdout + p.stderr)

# --------------------------------------------------- verify the summaries
bad = os.path.join(tmp, "bad")
shutil.copytree(orig, bad)
header, summaries = dump(bad, "summary")
k, v = summaries[0]
pub = "2021-03-15".encode().hex()
check("summary holds the date", pub in v)
# another date of the same length: a summary its record does not say
load(bad, "summary", header, [(k, v.replace(pub, "2021-03-16".encode().hex()))])
# and one of a report that is not there
ghost = k[:4] + "e6b2a1e69c8900" + "e6b2a1e69c8900"
load(bad, "summary", header, [(ghost, v)])
p = nianbao(bad, "warc", "verify")
out = p.stdout.decode()
check("verify finds them", p.returncode == 1 and
      "not what its record says" in out and "no such report" in out and
      "%d reports but %d summaries" % (len(summaries), len(summaries) + 1)
      in out, out)

shutil.rmtree(tmp)
print("%d passed, %d failed" % (passes, fails))
sys.exit(1 if fails else 0)
