// Validates AsyncAPI documents with the official parser (@asyncapi/parser, installed here by ./avain).
//   node tools/asyncapi/validate.mjs contracts/asyncapi/*.yaml
// Prints every diagnostic of severity error or warning and exits 1 when any document has an error.
import { readFile } from "node:fs/promises";
import { Parser } from "@asyncapi/parser";

const SEVERITY = ["error", "warning", "info", "hint"];
const parser = new Parser();
let failed = false;
for (const path of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(await readFile(path, "utf8"), { source: path });
  const serious = diagnostics.filter((d) => d.severity <= 1);
  for (const d of serious) {
    console.log(`${path}: ${SEVERITY[d.severity]} ${d.code}: ${d.message} at ${d.path.join(".")}`);
  }
  const errors = serious.filter((d) => d.severity === 0);
  if (!document || errors.length > 0) failed = true;
  else console.log(`${path}: valid AsyncAPI ${document.version()} (${document.allMessages().length} messages)`);
}
process.exit(failed ? 1 : 0);
