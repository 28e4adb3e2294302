#!/usr/bin/python3
"""coverage_html.py QA_BUILD NIANBAO SRCDIR OUTDIR - render the coverage
page of the archive tests/query/archive.json describes in headless
Chromium: read every grid cell's computed colour from the DOM, compare cell
count, states and colours with the truth worked out by hand, save a
screenshot as OUTDIR/coverage.png and find each state's colour in its
pixels."""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

qa_build, nb, src, outdir = sys.argv[1:5]
seeds = os.environ.get("NB_SEEDS", os.path.join(src, "tests/seeds"))
tmp = tempfile.mkdtemp()
arch = os.path.join(tmp, "a")
fails = passes = 0


def check(name, cond, detail=""):
    global fails, passes
    if cond:
        passes += 1
    else:
        fails += 1
        print("FAIL: %s %s" % (name, detail))


# the palette the README documents
colour = {"on-time": (0x2e, 0x7d, 0x32), "late": (0xf9, 0xa8, 0x25),
          "undated": (0x90, 0xa4, 0xae), "missing": (0xe0, 0xe0, 0xe0),
          "overdue": (0xc6, 0x28, 0x28), "failed": (0x6a, 0x1b, 0x9a)}
# the grid as of 2024-03-15, years 2020-2023, from archive.json by hand
truth = {
    "樟树市人民政府": ["on-time", "on-time", "late", "missing"],
    "樟树市机关事务管理局": ["on-time", "late", "overdue", "on-time"],
    "樟树市洋湖乡人民政府": ["overdue", "overdue", "failed", "on-time"],
    "瑞金市人民政府办公室": ["overdue", "late", "on-time", "undated"],
    "瑞金市政府": ["overdue", "overdue", "late", "overdue"],
    "高安市人民政府": ["on-time", "on-time", "late", "missing"],
}

r = subprocess.run([qa_build, arch, os.path.join(src,
                                                 "tests/query/archive.json")],
                   env=dict(os.environ, NB_SEEDS=seeds), capture_output=True)
if r.returncode:
    print(r.stderr.decode())
    sys.exit(1)
page = os.path.join(tmp, "coverage.html")
r = subprocess.run([nb, "coverage", "-D", arch, "--today", "2024-03-15",
                    "--html", page])
check("coverage exit", r.returncode == 0)
html = open(page, encoding="utf-8").read()
# self-contained: nothing is loaded from elsewhere
check("no external assets", not re.search(
    r'<(script|link|img|iframe)\b|url\(|@import', html), "")

# a copy with a probe that writes what the browser computed into the DOM
probe = os.path.join(tmp, "probe.html")
script = """<script>
var out = [];
document.querySelectorAll('#grid td.cell').forEach(function (td) {
  var tr = td.parentNode;
  out.push({agency: tr.querySelector('th').textContent,
            year: td.getAttribute('data-year'),
            text: td.textContent,
            href: (td.querySelector('a') || {}).hash || null,
            bg: getComputedStyle(td).backgroundColor});
});
var targets = [];
document.querySelectorAll('#grid td.cell a').forEach(function (a) {
  targets.push(!!document.getElementById(a.hash.slice(1)));
});
var pre = document.createElement('pre');
pre.id = 'probe';
pre.textContent = JSON.stringify({cells: out, targets: targets});
document.body.appendChild(pre);
</script></body>"""
open(probe, "w", encoding="utf-8").write(html.replace("</body>", script))

chrome = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
          "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update",
          "--disable-sync", "--user-data-dir=" + tempfile.mkdtemp()]
env = dict(os.environ, HOME=tmp)
r = subprocess.run(chrome + ["--dump-dom", "file://" + probe],
                   capture_output=True, env=env, timeout=120)
m = re.search(r'<pre id="probe">(.*?)</pre>', r.stdout.decode())
check("probe ran", m is not None, r.stderr.decode()[-500:])
if m:
    got = json.loads(m.group(1).replace("&quot;", '"').replace(
        "&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    cells = got["cells"]
    check("cell count", len(cells) == 24, len(cells))
    for c in cells:
        want = truth[c["agency"]][int(c["year"]) - 2020]
        rgb = tuple(int(x) for x in re.findall(r"\d+", c["bg"])[:3])
        check("colour %s %s" % (c["agency"], c["year"]),
              rgb == colour[want], "%s is %s, want %s %s" %
              (c["text"], c["bg"], want, colour[want]))
        check("link %s %s" % (c["agency"], c["year"]),
              (c["href"] is not None) == (want not in ("missing",
                                                      "overdue")), c)
    check("links resolve", len(got["targets"]) == 15 and
          all(got["targets"]), got["targets"])

# the screenshot, kept under the build tree
os.makedirs(outdir, exist_ok=True)
png = os.path.join(outdir, "coverage.png")
if os.path.exists(png):
    os.unlink(png)
r = subprocess.run(chrome + ["--window-size=1000,900",
                             "--screenshot=" + png, "file://" + page],
                   capture_output=True, env=env, timeout=120)
check("screenshot", os.path.exists(png), r.stderr.decode()[-500:])


def pixels(path):
    """(width, height, set of RGB) of an 8-bit RGB/RGBA PNG"""
    data = open(path, "rb").read()
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = {2: 3, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    seen = set()
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        for x in range(0, stride, bpp):
            seen.add(tuple(line[x:x + 3]))
        prev = line
    return w, h, seen


if os.path.exists(png):
    w, h, seen = pixels(png)
    check("screenshot size", (w, h) == (1000, 900), (w, h))
    for state, rgb in colour.items():
        check("screenshot shows %s" % state, rgb in seen, rgb)

subprocess.run(["rm", "-rf", tmp])
print("%d passed, %d failed" % (passes, fails))
sys.exit(1 if fails else 0)
