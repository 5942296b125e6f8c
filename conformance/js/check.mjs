#!/usr/bin/env node
// Check the schema verdicts of the NIR conformance cases with Ajv, outside Python.
//
//   nir schema --bundle -o /tmp/spec          # writes /tmp/spec/nir-1.0.schema.json
//   node check.mjs /tmp/spec/nir-1.0.schema.json [--suite DIR] [--strict-types=log] [--compile-only]
//
// The bundled schema is compiled with Ajv2020 in strict mode: every `x-nir-*` keyword is
// declared with ajv.addKeyword (with a meta-schema for its value), `discriminator` is
// enabled, and nothing else is relaxed. `--strict-types=log` turns only Ajv's strictTypes
// lint (missing `type` next to type-specific keywords, union types) into logged warnings;
// unknown keywords, strict tuples and strict `required` stay fatal.
//
// Every entry of `examples` in the schema (each unit's, the graph's and the document's) must
// be valid against the definition that holds it. Every case document of DIR/cases/*.json is
// validated and compared with its `schema_valid`; every upgraded `document` of
// DIR/migrations/*.json must be valid. Prints one line per mismatch, a line
// `N examples valid, M invalid` and a summary `N passed, M failed`; exits 1 on any
// mismatch or invalid example and 2 when the schema cannot be loaded or compiled.

import Ajv2020 from "ajv/dist/2020.js";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

const shapePattern = { type: "array", items: { anyOf: [{ type: "string" }, { type: "integer" }] } };
const shape = { type: "array", items: { type: "integer", minimum: 0 } };
// A unit's port is one shape; a graph's ports are shapes keyed by its Input or Output names.
const ports = { anyOf: [shape, { type: "object", additionalProperties: shape }] };

// The spec's custom keywords and what their values look like.
const NIR_KEYWORDS = {
  "x-nir-shape": shapePattern,
  "x-nir-value": shapePattern,
  "x-nir-input": shapePattern,
  "x-nir-output": shapePattern,
  "x-nir-broadcast": { type: "boolean" },
  "x-nir-formula": { type: "string" },
  "x-nir-role": { enum: ["graph-input", "graph-output"] },
  "x-nir-kind": { type: "string" },
  "x-nir-since": { type: "string" },
  "x-nir-examples": {
    type: "array",
    items: {
      type: "object",
      properties: { description: { type: "string" }, input: ports, output: ports, inferred: { type: "boolean" } },
      required: ["description"],
      additionalProperties: false,
    },
  },
  "x-nir-derive": {
    type: "object",
    additionalProperties: {
      type: "object",
      properties: { product: { type: "array", items: { type: "string" } } },
      required: ["product"],
      additionalProperties: false,
    },
  },
};

function parseArgs(argv) {
  const args = { schema: null, suite: resolve(here, ".."), strictTypes: true, compileOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--suite") args.suite = resolve(argv[++i]);
    else if (arg.startsWith("--suite=")) args.suite = resolve(arg.slice("--suite=".length));
    else if (arg === "--strict-types=log") args.strictTypes = "log";
    else if (arg === "--compile-only") args.compileOnly = true;
    else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}`);
    else if (args.schema === null) args.schema = resolve(arg);
    else throw new Error(`unexpected argument ${arg}`);
  }
  if (args.schema === null) throw new Error("usage: node check.mjs SCHEMA.json [--suite DIR] [--strict-types=log] [--compile-only]");
  return args;
}

function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

function jsonFiles(dir) {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith(".json"))
      .sort()
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}

function compile(schemaPath, strictTypes) {
  const warnings = [];
  const ajv = new Ajv2020({
    strict: true,
    strictTypes,
    discriminator: true,
    allErrors: false,
    logger: { log: console.log, warn: (msg) => warnings.push(String(msg)), error: console.error },
  });
  for (const [keyword, metaSchema] of Object.entries(NIR_KEYWORDS)) {
    ajv.addKeyword({ keyword, metaSchema });
  }
  const schema = readJson(schemaPath);
  const validate = ajv.compile(schema);
  return { ajv, schema, validate, warnings };
}

// Validate every entry of `examples` against the definition (or root) that holds it.
function checkExamples(ajv, schema, validate) {
  const holders = [["(root)", schema, validate]];
  for (const [name, def] of Object.entries(schema.$defs || {})) {
    holders.push([`$defs/${name}`, def, () => ajv.getSchema(`${schema.$id}#/$defs/${name}`)]);
  }
  let valid = 0;
  let invalid = 0;
  for (const [label, holder, getValidator] of holders) {
    const examples = holder.examples || [];
    if (examples.length === 0) continue;
    const check = label === "(root)" ? validate : getValidator();
    examples.forEach((example, i) => {
      if (check(example)) {
        valid++;
      } else {
        invalid++;
        console.log(`INVALID EXAMPLE ${label} examples[${i}]: ${firstError(check)}`);
      }
    });
  }
  return { valid, invalid };
}

function firstError(validate) {
  const err = (validate.errors || [])[0];
  return err ? `${err.instancePath || "/"} ${err.message}` : "";
}

function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(String(err.message || err));
    return 2;
  }
  let compiled;
  try {
    compiled = compile(args.schema, args.strictTypes);
  } catch (err) {
    console.error(`schema does not compile in Ajv strict mode: ${err.message || err}`);
    return 2;
  }
  const { ajv, schema, validate, warnings } = compiled;
  if (warnings.length) {
    console.log(`${warnings.length} strictTypes warning(s):`);
    for (const w of [...new Set(warnings)]) console.log(`  ${w}`);
  }
  if (args.compileOnly) {
    console.log("schema compiles in Ajv strict mode");
    return 0;
  }

  const examples = checkExamples(ajv, schema, validate);
  console.log(`${examples.valid} examples valid, ${examples.invalid} invalid`);

  let passed = 0;
  let failed = 0;
  const check = (label, document, expected) => {
    const got = validate(document);
    if (got === expected) {
      passed++;
    } else {
      failed++;
      const why = got ? "" : ` (${firstError(validate)})`;
      console.log(`FAIL ${label}: expected schema_valid=${expected}, Ajv says ${got}${why}`);
    }
  };

  const caseFiles = jsonFiles(join(args.suite, "cases"));
  const migrationFiles = jsonFiles(join(args.suite, "migrations"));
  if (caseFiles.length === 0) {
    console.error(`no case files in ${join(args.suite, "cases")}`);
    return 2;
  }
  for (const file of caseFiles) {
    const name = file.slice(args.suite.length + 1);
    for (const group of readJson(file)) {
      for (const c of group.cases) check(`${name}: ${group.description}: ${c.description}`, c.document, c.schema_valid);
    }
  }
  for (const file of migrationFiles) {
    const name = file.slice(args.suite.length + 1);
    for (const group of readJson(file)) {
      for (const c of group.cases) {
        if ("document" in c) check(`${name}: ${group.description}: ${c.description}`, c.document, true);
      }
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && examples.invalid === 0 ? 0 : 1;
}

process.exitCode = main();
