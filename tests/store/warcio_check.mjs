// warcio_check.mjs WARCDIR OURS.cdxj OURS.list
//
// An independent reader's view of the WARC files the store wrote:
//  - `warcio cdx-index` must list exactly the entries of our CDXJ export
//    (SURT, timestamp, url, mime, status, digest, length, offset, file);
//  - `warcio index` must find every record our verifier listed, at the
//    same offsets, with the same types and target URIs;
//  - every WARC-Block-Digest and response WARC-Payload-Digest, recomputed
//    here from warcio's parse of the record, must match.
// Prints each disagreement and exits 1 if there is any.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const [warcdir, oursCdxj, oursList, npmdir] = process.argv.slice(2);
const bin = path.join(npmdir, "node_modules", ".bin", "warcio");
const require = createRequire(path.join(npmdir, "node_modules", "x.js"));
const { WARCParser } = require("warcio");

let bad = 0;
const fail = (msg) => { bad++; console.log("DISAGREE: " + msg); };

const files = readdirSync(warcdir).filter((f) => f.endsWith(".warc.gz")).sort();
if (files.length < 2) fail("expected several WARC files, found " + files.length);
const run = (args) => execFileSync(bin, args, { cwd: warcdir, encoding: "utf8",
                                               maxBuffer: 1 << 28 });

// 1. CDXJ
const theirs = run(["cdx-index", ...files]).split("\n").filter((l) => l).sort();
const ours = readFileSync(oursCdxj, "utf8").split("\n").filter((l) => l).sort();
if (theirs.length !== ours.length)
  fail(`cdx-index lists ${theirs.length} entries, our CDXJ ${ours.length}`);
for (let i = 0; i < Math.max(theirs.length, ours.length); i++)
  if (theirs[i] !== ours[i])
    fail(`CDXJ line ${i}:\n  warcio: ${theirs[i]}\n  ours:   ${ours[i]}`);

// 2. every record, offset, type, URI
// warcio's default fields are offset, warc-type, warc-target-uri
const idx = [];
for (const f of files)
  for (const l of run(["index", f]).split("\n")) {
    if (!l) continue;
    const j = JSON.parse(l);
    idx.push(`${f} ${j.offset} ${j["warc-type"]} ${j["warc-target-uri"] || "-"}`);
  }
const mine = readFileSync(oursList, "utf8").split("\n").filter((l) => l)
  .map((l) => { const p = l.split(" "); return `${p[0]} ${p[1]} ${p[3]} ${p[4]}`; });
if (idx.length !== mine.length)
  fail(`warcio index finds ${idx.length} records, our verifier ${mine.length}`);
for (let i = 0; i < Math.max(idx.length, mine.length); i++)
  if (idx[i] !== mine[i]) fail(`record ${i}:\n  warcio: ${idx[i]}\n  ours:   ${mine[i]}`);

// 3. digests recomputed from warcio's parse
const b32 = (buf) => {
  const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, n = 0, out = "";
  for (const byte of buf) {
    bits = (bits << 8) | byte; n += 8;
    while (n >= 5) { out += a[(bits >>> (n - 5)) & 31]; n -= 5; }
  }
  return out;
};
const sha = (b) => "sha1:" + b32(createHash("sha1").update(b).digest());
let records = 0;
for (const f of files) {
  const parser = new WARCParser(createReadStream(path.join(warcdir, f)),
                                { parseHttp: false });
  for await (const rec of parser) {
    records++;
    const block = await rec.readFully(false);
    const bd = rec.warcHeader("WARC-Block-Digest");
    if (bd !== sha(block)) fail(`${f} ${rec.warcType} ${rec.warcTargetURI}: block digest ${bd} != ${sha(block)}`);
    if (rec.warcType === "response") {
      const s = Buffer.from(block);
      const end = s.indexOf("\r\n\r\n");
      const pd = rec.warcHeader("WARC-Payload-Digest");
      if (end < 0 || pd !== sha(s.subarray(end + 4)))
        fail(`${f} ${rec.warcTargetURI}: payload digest ${pd}`);
    }
  }
}
if (records !== mine.length) fail(`parser read ${records} records, expected ${mine.length}`);
console.log(`warcio: ${files.length} files, ${records} records, ${ours.length} CDXJ entries`);
console.log(`${bad ? 0 : 1} passed, ${bad ? 1 : 0} failed`);
process.exit(bad ? 1 : 0);
