// Validates every document of the given YAML files against the Kubernetes OpenAPI schema of its apiVersion
// and kind, offline, with the npm package kubernetes-models (its models and ajv validators are generated
// from Kubernetes' OpenAPI spec): types, enums, formats (e.g. resource quantities) and required fields.
// Fields the schema does not know are not reported (as kubeconform without -strict).
// Run through validate.sh, which installs the pinned packages.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

let failed = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length > 0) {
      console.log(`${file}: not YAML: ${doc.errors[0].message}`);
      failed++;
      continue;
    }
    const obj = doc.toJS();
    if (obj === null) continue;
    const where = `${file}: ${obj.kind} ${obj.metadata?.name ?? "(no name)"}`;
    const [group, version] = String(obj.apiVersion).includes("/") ? obj.apiVersion.split("/") : [null, obj.apiVersion];
    let Model;
    try {
      Model = (await import(`kubernetes-models/${group ? group + "/" : ""}${version}/${obj.kind}`))[obj.kind];
    } catch (e) {
      console.log(`${where}: no schema for apiVersion ${obj.apiVersion}, kind ${obj.kind}`);
      failed++;
      continue;
    }
    try {
      new Model(obj).validate();
      console.log(`${where}: valid ${obj.apiVersion} ${obj.kind}`);
    } catch (e) {
      console.log(`${where}: ${e.message}`);
      failed++;
    }
  }
}
process.exit(failed === 0 ? 0 : 1);
