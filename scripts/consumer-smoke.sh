#!/usr/bin/env bash
# Consumer smoke test (CI): packs this repository as `npm pack` would publish it, installs the tarball into a
# throw-away CDK app in a temporary folder, compiles the documented example (examples/construct-app.ts, the
# "use the construct in your own app" text of the docs, copied verbatim), synthesizes it offline and runs the
# installed CLI. Proves the package works from its compiled output alone: no tsx, no esbuild, no Docker.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/bucket-guardrail-consumer.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

step() { printf '\n== consumer smoke: %s\n' "$*"; }
fail() { printf 'consumer smoke FAILED: %s\n' "$*" >&2; exit 1; }
# Same versions as this repository's lock file, so the install is served from npm's cache.
version_of() { node -p "require('$ROOT/node_modules/$1/package.json').version"; }

step "npm pack (prepack builds dist/ and the pre-bundled handlers)"
cd "$ROOT"
tarball="$(npm pack --pack-destination "$WORK" --silent | tail -n 1)"
[ -f "$WORK/$tarball" ] || fail "npm pack produced no tarball"

step "install $tarball into a new CDK app"
mkdir "$WORK/app" "$WORK/app/bin"
cd "$WORK/app"
cat > package.json <<'JSON'
{ "name": "guardrail-consumer", "version": "0.0.0", "private": true }
JSON
npm install --no-audit --no-fund --prefer-offline --loglevel=error \
  "$WORK/$tarball" \
  "aws-cdk-lib@$(version_of aws-cdk-lib)" \
  "constructs@$(version_of constructs)" \
  "aws-cdk@$(version_of aws-cdk)" \
  "typescript@$(version_of typescript)" \
  "@types/node@$(version_of @types/node)"
cp "$ROOT/examples/construct-app.ts" bin/app.ts
cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "module": "node16", "moduleResolution": "node16", "lib": ["ES2022"],
    "strict": true, "skipLibCheck": true, "types": ["node"], "rootDir": ".", "outDir": "build"
  },
  "include": ["bin"]
}
JSON
cat > cdk.json <<'JSON'
{ "app": "node build/bin/app.js" }
JSON

step "the installed package needs neither tsx nor esbuild"
for tool in tsx esbuild; do
  [ ! -e "node_modules/$tool" ] || fail "node_modules/$tool was installed: the package must not need it at run time"
done

step "compile the example against the package's declarations"
npx --no-install tsc -p .

step "cdk synth, offline"
env CDK_DISABLE_VERSION_CHECK=true CDK_DISABLE_CLI_TELEMETRY=true AWS_EC2_METADATA_DISABLED=true \
  npx --no-install cdk synth --quiet
template="cdk.out/MyGuardrail.template.json"
[ -f "$template" ] || fail "no $template"
node - "$template" <<'JS'
// Every guardrail function must run one of the package's pre-bundled handlers, byte for byte.
const fs = require('node:fs');
const path = require('node:path');
const template = require(path.resolve(process.argv[2]));
const bundlesDir = path.join('node_modules', 'bucket-guardrail', 'dist', 'handlers');
const bundles = new Map(fs.readdirSync(bundlesDir).map((name) => [fs.readFileSync(path.join(bundlesDir, name, 'index.js'), 'utf8'), name]));
const used = new Set();
for (const resource of Object.values(template.Resources)) {
  const assetPath = resource.Metadata?.['aws:asset:path'];
  if (resource.Type !== 'AWS::Lambda::Function' || assetPath === undefined) continue;
  const code = path.join('cdk.out', assetPath, 'index.js');
  const name = fs.existsSync(code) ? bundles.get(fs.readFileSync(code, 'utf8')) : undefined;
  if (name !== undefined) used.add(name);
}
const missing = [...bundles.values()].filter((name) => !used.has(name));
if (missing.length > 0) {
  console.error(`no function runs the pre-bundled handler of: ${missing.join(', ')}`);
  process.exit(1);
}
console.log(`synthesized ${Object.keys(template.Resources).length} resources; functions run the pre-bundled ${[...used].sort().join(', ')}`);
JS

step "npx bucket-guardrail --help (installed bin)"
npx --no-install bucket-guardrail --help > help.txt
grep -q 'bucket-guardrail explain' help.txt || fail "--help did not print the usage"
set +e
npx --no-install bucket-guardrail explain "$ROOT/examples/all.json" > /dev/null
code=$?
set -e
[ "$code" -le 1 ] || fail "bucket-guardrail explain exited $code"

printf '\nconsumer smoke: the packed library installs, synthesizes and runs its CLI\n'
