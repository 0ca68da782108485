// Builds the panel into dist/ (what is served and what the stack uploads): index.html and panel.css as
// they are, and src/panel.js bundled with AWS's app SDK and oidc-client-ts into one minified ES module,
// dist/panel.js. Prints its size, gzipped (level 6, a web server's usual), and what makes it up, by
// package. Run by scripts/build-panel (after `npm ci`); config.json is not built: the server or the
// stack writes it beside these files.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
for (const file of ["index.html", "panel.css"]) copyFileSync(join(here, file), join(dist, file));

const { metafile } = await build({
  absWorkingDir: here,
  entryPoints: ["src/panel.js"],
  outfile: join(dist, "panel.js"),
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2022",
  legalComments: "none", // the licences are in node_modules and package-lock.json, not sent to every agent
  metafile: true,
  logLevel: "warning",
});

/** The package a bundled file came from ("panel" for ours). */
const packageOf = (path) => path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? "panel (src/)";
const byPackage = new Map();
for (const output of Object.values(metafile.outputs)) {
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    byPackage.set(packageOf(path), (byPackage.get(packageOf(path)) ?? 0) + bytesInOutput);
  }
}
const bundle = readFileSync(join(dist, "panel.js"));
console.log(`dist/panel.js: ${bundle.length} bytes, ${gzipSync(bundle, { level: 6 }).length} gzipped`);
for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${name}: ${bytes} bytes minified`);
}
