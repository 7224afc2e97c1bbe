#!/usr/bin/env node
// An independent verifier of an exported Avain log, written from docs/contracts/verification.md alone:
// Node's standard library only (node:crypto, node:fs), no code shared with Avain.
//
//   node tools/verifier/verify.mjs --keys contracts/keys/checkpoint-keys.json [--witness intake.jsonl]...
//        [--report findings.json] export.jsonl
//
// Exit status: 0 verified, 1 findings (tampering), 2 the export or the keys could not be read.
import { createHash, createPublicKey, verify as verifySignature } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

const SPEC_VERSION = "1.0";
const CONTENT_TYPE = "application/json";
const CHECKPOINT_TYPE = "fi.avain.checkpoint.CheckpointSigned";
const FORMAT = "avain.checkpoint.v1";
const EXPORT_FORMAT = "avain.log-export.v1";
const SCHEMA_BASE = "https://avain.example/contracts/";
const RECENT = 65536; // the last events read, remembered to recognise a redelivered record
const MAX_EXACT = 2 ** 53 - 1;
const REQUIRED = ["ce_id", "ce_source", "ce_type", "ce_time", "ce_subject", "ce_schemaversion", "ce_streamid",
  "ce_streamversion", "ce_correlationid", "ce_actorid", "ce_actorrole", "ce_hash"];
const ROLES = new Set(["client", "worker", "manager", "provider", "auditor", "system", "integration", "planner", "representative"]);
const HEX64 = /^[0-9a-f]{64}$/;
const NUMBER = /^[1-9][0-9]{0,8}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
const SOURCE = /^\/avain\/([a-z]+)$/;
const TYPE = /^fi\.avain\.[a-z]+\.[A-Za-z]+$/;
const SERVICE = /^[a-z]+$/;
const STATEMENT_KEYS = ["format", "service", "sequence", "previous", "time", "key_id", "tree_size", "root", "streams"];

class Malformed extends Error {}

const sha256 = (data) => createHash("sha256").update(data).digest();
const hex = (data) => sha256(data).toString("hex");
const utf8 = new TextDecoder("utf-8", { fatal: true });

// --- §2 canonical JSON (RFC 8785) and §3 version 1's form --------------------------------------------------------

function rfc8785(value) {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && (!Number.isFinite(value) || (Number.isInteger(value) && Math.abs(value) > MAX_EXACT))) {
      throw new Malformed("a number without an exact canonical form");
    }
    return JSON.stringify(value); // strings: RFC 8785's escapes; numbers: ECMAScript's form
  }
  if (Array.isArray(value)) return "[" + value.map(rfc8785).join(",") + "]";
  const keys = Object.keys(value).sort(); // UTF-16 code units
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + rfc8785(value[k])).join(",") + "}";
}

function byCodePoint(a, b) {
  const x = Array.from(a), y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

// Python's repr of a number (version 1). JSON.parse cannot tell 1.0 from 1: version 1 data holds no numbers with
// fractions (verification.md §3), so an integral number is written as an integer.
function pythonNumber(x) {
  if (Number.isInteger(x) && Math.abs(x) <= MAX_EXACT) return String(x);
  const [mantissa, exponent] = x.toExponential().split("e");
  const digits = mantissa.replace("-", "").replace(".", "");
  const e = Number(exponent);
  const sign = x < 0 ? "-" : "";
  if (e >= -5 && e < 16) {
    if (e >= digits.length - 1) return sign + digits + "0".repeat(e - digits.length + 1) + ".0";
    if (e >= 0) return sign + digits.slice(0, e + 1) + "." + digits.slice(e + 1);
    return sign + "0." + "0".repeat(-e - 1) + digits;
  }
  const m = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
  return sign + m + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
}

function version1Json(value) {
  if (value === null || typeof value !== "object") {
    return typeof value === "number" ? pythonNumber(value) : JSON.stringify(value);
  }
  if (Array.isArray(value)) return "[" + value.map(version1Json).join(",") + "]";
  const keys = Object.keys(value).sort(byCodePoint);
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + version1Json(value[k])).join(",") + "}";
}

// --- §5 the Merkle Tree Hash (RFC 9162 §2.1.1) --------------------------------------------------------------------

function merkleRoot(leaves) {
  if (leaves.length === 0) return sha256(Buffer.alloc(0));
  const hashes = leaves.map((leaf) => sha256(Buffer.concat([Buffer.from([0]), leaf])));
  const tree = (start, end) => {
    const n = end - start;
    if (n === 1) return hashes[start];
    let k = 1;
    while (k * 2 < n) k *= 2;
    return sha256(Buffer.concat([Buffer.from([1]), tree(start, start + k), tree(start + k, end)]));
  };
  return tree(0, hashes.length);
}

// --- reading ------------------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const args = { witness: [], keys: null, report: null, file: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--keys") args.keys = argv[++i];
    else if (argv[i] === "--witness") args.witness.push(argv[++i]);
    else if (argv[i] === "--report") args.report = argv[++i];
    else args.file = argv[i];
  }
  if (!args.keys || !args.file) throw new Error("usage: verify.mjs --keys KEYS.json [--witness FILE]... [--report OUT] EXPORT");
  return args;
}

function loadKeys(path) {
  const keys = new Map();
  for (const k of JSON.parse(readFileSync(path, "utf8")).keys) {
    if (k.algorithm !== "Ed25519") continue;
    const raw = Buffer.from(k.public_key, "base64");
    const der = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw]); // SubjectPublicKeyInfo
    keys.set(k.key_id, { service: k.service, key: createPublicKey({ key: der, format: "der", type: "spki" }) });
  }
  return keys;
}

function readExport(path) {
  const lines = readFileSync(path, "utf8").split("\n");
  if (JSON.parse(lines[0] || "{}").format !== EXPORT_FORMAT) throw new Error(`${path} is not an ${EXPORT_FORMAT} export`);
  const records = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    try {
      const d = JSON.parse(lines[i]);
      if (d === null || typeof d !== "object" || typeof d.topic !== "string") throw new Error();
      const bytes = (t) => (t === null || t === undefined ? null : strictBase64(t));
      records.push({
        topic: d.topic, partition: d.partition, offset: d.offset,
        headers: d.headers.map(([name, value]) => [String(name), bytes(value) ?? Buffer.alloc(0)]),
        value: bytes(d.value),
      });
    } catch {
      records.push({ broken: true, position: `line:${i + 1}` });
    }
  }
  return records;
}

function strictBase64(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error("base64");
  return Buffer.from(text, "base64");
}

const position = (r) => `${r.topic}:${r.partition}:${r.offset}`;
const isCheckpointTopic = (topic) => topic.endsWith(".checkpoints.v1");

function textHeaders(record) {
  const headers = new Map();
  for (const [name, raw] of record.headers) {
    if (headers.has(name)) throw new Malformed(`header ${name} repeated`);
    try {
      headers.set(name, utf8.decode(raw));
    } catch {
      throw new Malformed(`header ${name} is not UTF-8`);
    }
  }
  return headers;
}

function parseJson(value) {
  if (value === null) throw new Malformed("no value");
  let text;
  try {
    text = utf8.decode(value);
  } catch {
    throw new Malformed("the value is not JSON");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Malformed("the value is not JSON");
  }
}

const isInteger = (v, least) => typeof v === "number" && Number.isInteger(v) && v >= least && v <= MAX_EXACT;
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const sameKeys = (o, keys) => Object.keys(o).length === keys.length && keys.every((k) => Object.hasOwn(o, k));

// --- §7 the procedure ----------------------------------------------------------------------------------------------

class Verifier {
  constructor(keys) {
    this.keys = keys;
    this.findings = [];
    this.checkpoints = 0;
    this.events = 0;
    this.last = new Map(); // service → {sequence, hash}
    this.seen = new Map(); // service → Map(sequence → hash)
    this.stated = new Map(); // "service\0stream" → Map(version → {hash, position})
    this.latest = new Map(); // "service\0stream" → {version, hash, position, service, stream}
    this.heads = new Map(); // "service\0stream" → {version, hash}
    this.recent = new Map(); // "service\0stream\0version" → hash, the last RECENT events read, oldest first
  }

  find(kind, where, detail, stream = null) {
    this.findings.push({ kind, position: where, stream, detail });
  }

  checkpoint(record) {
    const where = position(record);
    let stated, signature;
    try {
      [stated, signature] = checkpointOf(record);
    } catch (e) {
      if (!(e instanceof Malformed)) throw e;
      this.find("malformed", where, `not a checkpoint: ${e.message}`);
      return;
    }
    const service = stated.service;
    const trusted = this.keys.get(stated.key_id);
    if (!trusted || trusted.service !== service) {
      this.find("untrusted_key", where, `key ${stated.key_id} is not a published checkpoint key of ${service}`);
      return;
    }
    const signed = Buffer.from(rfc8785(stated), "utf8");
    if (!verifySignature(null, signed, trusted.key, signature)) {
      this.find("bad_signature", where, `the signature of ${service} checkpoint ${stated.sequence} does not verify`);
      return;
    }
    const ids = stated.streams.map((s) => Buffer.from(s.stream_id, "utf8"));
    const leaves = stated.streams.map((s) => Buffer.from(rfc8785({ hash: s.hash, stream_id: s.stream_id, stream_version: s.stream_version }), "utf8"));
    const sorted = ids.every((id, i) => i === 0 || Buffer.compare(ids[i - 1], id) < 0);
    if (stated.tree_size !== leaves.length || !sorted || merkleRoot(leaves).toString("hex") !== stated.root) {
      this.find("bad_tree", where, "the stated heads do not match tree_size and root, or are not sorted");
      return;
    }
    this.checkpoints++;
    const digest = hex(signed);
    const sequence = stated.sequence;
    if (!this.seen.has(service)) this.seen.set(service, new Map());
    const seen = this.seen.get(service);
    if (seen.has(sequence)) {
      if (seen.get(sequence) !== digest) this.find("checkpoint_fork", where, `another ${service} checkpoint ${sequence} was seen before`);
      return;
    }
    const last = this.last.get(service);
    const expected = last ? last.sequence + 1 : 1;
    if (sequence < expected) {
      this.find("checkpoint_chain", where, `${service} checkpoint ${sequence} comes after ${expected - 1}`);
      return;
    }
    if (sequence > expected) this.find("checkpoint_missing", where, `${service} checkpoints ${expected}–${sequence - 1} are missing`);
    else if (stated.previous !== (last ? last.hash : null)) {
      this.find("checkpoint_chain", where, `${service} checkpoint ${sequence} does not name the hash of ${expected - 1}`);
    }
    this.last.set(service, { sequence, hash: digest });
    seen.set(sequence, digest);
    for (const s of stated.streams) {
      const key = service + "\0" + s.stream_id;
      const latest = this.latest.get(key);
      if (latest && s.stream_version < latest.version) {
        this.find("checkpoint_regressed", where, `states version ${s.stream_version} after ${latest.version}`, s.stream_id);
      } else if (latest && s.stream_version === latest.version) {
        if (s.hash !== latest.hash) this.find("checkpoint_fork", where, `states another hash for version ${s.stream_version}`, s.stream_id);
      } else {
        if (!this.stated.has(key)) this.stated.set(key, new Map());
        this.stated.get(key).set(s.stream_version, { hash: s.hash, position: where });
        this.latest.set(key, { version: s.stream_version, hash: s.hash, position: where, service, stream: s.stream_id });
      }
    }
  }

  witness(lines) {
    for (const line of lines) {
      if (!line.trim()) continue;
      let service, sequence, digest;
      try {
        const stated = JSON.parse(line).statement;
        service = stated.service;
        sequence = stated.sequence;
        digest = hex(Buffer.from(rfc8785(stated), "utf8"));
      } catch {
        this.find("malformed", "witness", "not a checkpoint");
        continue;
      }
      if (this.seen.get(service)?.get(sequence) !== digest) {
        this.find("witness_missing", `witness:${service}#${sequence}`, `${service} checkpoint ${sequence} held by the witness is not on the log`);
      }
    }
  }

  event(record) {
    const where = position(record);
    let parsed;
    try {
      parsed = eventOf(record);
    } catch (e) {
      if (!(e instanceof Malformed)) throw e;
      this.find("malformed", where, e.message);
      return;
    }
    const h = parsed.headers;
    let altered;
    try {
      altered = eventHash(h, parsed.data) !== h.get("ce_hash");
    } catch (e) {
      if (!(e instanceof Malformed)) throw e;
      this.find("malformed", where, `the data has no canonical form: ${e.message}`);
      return;
    }
    this.events++;
    const stream = h.get("ce_streamid"), version = Number(h.get("ce_streamversion")), digest = h.get("ce_hash");
    const key = parsed.service + "\0" + stream;
    const head = this.heads.get(key);
    if (head && version <= head.version) {
      if (altered) this.find("altered", where, "the content does not match its hash", stream);
      else if (this.recent.get(key + "\0" + version) !== digest) this.find("out_of_order", where, `version ${version} after version ${head.version}`, stream);
      return;
    }
    if (altered) this.find("altered", where, "the content does not match its hash", stream);
    else {
      const before = head ? head.version : 0;
      if (version !== before + 1) this.find("gap", where, `version ${version} follows ${before} (versions ${before + 1}–${version - 1} missing)`, stream);
      else if ((h.get("ce_prevhash") ?? null) !== (head ? head.hash : null)) this.find("chain", where, `the previous hash is not version ${before}'s`, stream);
    }
    this.heads.set(key, { version, hash: digest });
    this.recent.set(key + "\0" + version, digest);
    if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value);
    const stated = this.stated.get(key);
    if (stated && stated.has(version)) {
      const claim = stated.get(version);
      stated.delete(version);
      if (claim.hash !== digest) this.find("checkpoint_mismatch", where, `the checkpoint at ${claim.position} states another hash for version ${version}`, stream);
    }
  }

  finish() {
    const streams = [...this.latest.values()].sort((a, b) =>
      a.service < b.service ? -1 : a.service > b.service ? 1 : Buffer.compare(Buffer.from(a.stream, "utf8"), Buffer.from(b.stream, "utf8")));
    for (const s of streams) {
      const head = this.heads.get(s.service + "\0" + s.stream);
      const have = head ? head.version : 0;
      if (have < s.version) this.find("missing_tail", s.position, `versions ${have + 1}–${s.version} missing`, s.stream);
    }
    const uncovered = {};
    for (const [key, head] of this.heads) {
      const covered = this.latest.get(key)?.version ?? 0;
      const service = key.split("\0")[0];
      if (head.version > covered) uncovered[service] = (uncovered[service] ?? 0) + head.version - covered;
    }
    return uncovered;
  }
}

function eventOf(record) {
  const h = textHeaders(record);
  if (h.get("content-type") !== CONTENT_TYPE || h.get("ce_specversion") !== SPEC_VERSION) throw new Malformed("not a CloudEvents 1.0 JSON record");
  const missing = REQUIRED.filter((n) => !h.has(n));
  if (missing.length) throw new Malformed(`header ${missing[0]} missing`);
  const source = SOURCE.exec(h.get("ce_source"));
  const checks = [["ce_schemaversion", NUMBER], ["ce_streamversion", NUMBER], ["ce_id", UUID], ["ce_time", TIME], ["ce_type", TYPE], ["ce_hash", HEX64]];
  const bad = checks.filter(([n, p]) => !p.test(h.get(n))).map(([n]) => n);
  if (!source || bad.length || !ROLES.has(h.get("ce_actorrole")) || !h.get("ce_streamid")) {
    throw new Malformed(`header ${bad[0] ?? (source ? "ce_actorrole" : "ce_source")} is invalid`);
  }
  if (h.has("ce_prevhash") && !HEX64.test(h.get("ce_prevhash"))) throw new Malformed("header ce_prevhash is invalid");
  const hv = h.get("ce_hashversion");
  if (!(hv === undefined || hv === "2") || (hv === "2" && !h.has("ce_dataschema"))) throw new Malformed("unknown hash version, or ce_dataschema missing");
  if (h.has("ce_dataschema")) {
    const [, , service, name] = h.get("ce_type").split(".");
    if (h.get("ce_dataschema") !== `${SCHEMA_BASE}${service}/${name}.v${Number(h.get("ce_schemaversion"))}.json`) {
      throw new Malformed("ce_dataschema does not name the schema of ce_type and ce_schemaversion");
    }
  }
  const data = parseJson(record.value);
  if (!isObject(data)) throw new Malformed("the value is not a JSON object");
  return { headers: h, data, service: source[1] };
}

function eventHash(h, data) {
  if (h.get("ce_hashversion") === "2") {
    const hashed = {};
    for (const [name, value] of h) if (name.startsWith("ce_") && name !== "ce_hash") hashed[name.slice(3)] = value;
    hashed.data = data;
    return hex(Buffer.from(rfc8785(hashed), "utf8"));
  }
  const body = {
    actor: { id: h.get("ce_actorid"), role: h.get("ce_actorrole") }, causation_id: h.get("ce_causationid") ?? null,
    correlation_id: h.get("ce_correlationid"), data, id: h.get("ce_id"), prev_hash: h.get("ce_prevhash") ?? null,
    schema_version: Number(h.get("ce_schemaversion")), source: h.get("ce_source"), specversion: h.get("ce_specversion"),
    stream_id: h.get("ce_streamid"), stream_version: Number(h.get("ce_streamversion")), subject: h.get("ce_subject"),
    time: h.get("ce_time").replace("+00:00", "Z"), type: h.get("ce_type"),
  };
  return hex(Buffer.from(version1Json(body), "utf8"));
}

function checkpointOf(record) {
  const h = textHeaders(record);
  if (h.get("ce_type") !== CHECKPOINT_TYPE) throw new Malformed("ce_type is not a checkpoint");
  const value = parseJson(record.value);
  if (!isObject(value) || !sameKeys(value, ["statement", "signature"])) throw new Malformed("the value is not {signature, statement}");
  const { statement: s, signature } = value;
  if (!isObject(s) || !sameKeys(s, STATEMENT_KEYS) || typeof signature !== "string") throw new Malformed("the statement's members are not those of the format");
  let raw;
  try {
    raw = strictBase64(signature);
  } catch {
    throw new Malformed("the signature is not base64");
  }
  const valid = s.format === FORMAT && typeof s.service === "string" && SERVICE.test(s.service)
    && record.topic.endsWith(`avain.${s.service}.checkpoints.v1`) && h.get("ce_subject") === s.service
    && isInteger(s.sequence, 1) && isInteger(s.tree_size, 0)
    && (s.previous === null || (typeof s.previous === "string" && HEX64.test(s.previous)))
    && typeof s.time === "string" && typeof s.key_id === "string" && typeof s.root === "string" && HEX64.test(s.root)
    && Array.isArray(s.streams) && raw.length === 64;
  if (!valid) throw new Malformed("a member of the statement is invalid");
  for (const x of s.streams) {
    if (!isObject(x) || !sameKeys(x, ["stream_id", "stream_version", "hash"]) || typeof x.stream_id !== "string" || !x.stream_id
      || !isInteger(x.stream_version, 1) || typeof x.hash !== "string" || !HEX64.test(x.hash)) {
      throw new Malformed("a stated head is invalid");
    }
  }
  return [s, raw];
}

// --- the run -------------------------------------------------------------------------------------------------------

function main() {
  let args, keys, records;
  try {
    args = parseArgs(process.argv.slice(2));
    keys = loadKeys(args.keys);
    records = readExport(args.file);
  } catch (e) {
    console.error(`CANNOT READ: ${e.message}`);
    return 2;
  }
  const v = new Verifier(keys);
  for (const r of records) {
    if (r.broken) v.find("malformed", r.position, "not an exported record");
    else if (isCheckpointTopic(r.topic)) v.checkpoint(r);
  }
  for (const w of args.witness) v.witness(readFileSync(w, "utf8").split("\n"));
  for (const r of records) if (!r.broken && !isCheckpointTopic(r.topic)) v.event(r);
  const uncovered = v.finish();
  for (const f of v.findings) console.log(`TAMPERING FOUND (${f.kind}) at ${f.position}:${f.stream ? ` stream ${f.stream}` : ""}: ${f.detail}`);
  if (!v.findings.length) console.log(`verified: ${v.events} events, ${v.checkpoints} signed checkpoints`);
  console.log(`not yet covered by a checkpoint: ${Object.values(uncovered).reduce((a, b) => a + b, 0)} events`);
  if (args.report) {
    writeFileSync(args.report, JSON.stringify({ ok: v.findings.length === 0, events: v.events, checkpoints: v.checkpoints,
      findings: v.findings, not_yet_covered: uncovered }, null, 2));
  }
  return v.findings.length ? 1 : 0;
}

process.exitCode = main();
