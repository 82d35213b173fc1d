// Copies GOV.UK Frontend's compiled CSS, JavaScript and images from node_modules into
// static/govuk/ (generated, git-ignored) so that Django's staticfiles can serve them.
//
// The stylesheet is adapted on the way, because this is a council service, not GOV.UK:
// - the GDS Transport typeface is licensed for GOV.UK only, so its @font-face rules are
//   removed and every font stack falls back to the Arial stack the Design System names
//   for services that are not on GOV.UK (the font files are not copied);
// - asset URLs are made relative ("/assets/..." -> "assets/..."), so they resolve under
//   /static/govuk/ and Django's ManifestStaticFilesStorage can hash them.
// The stylesheet's source map no longer matches once it is changed, so it is dropped.
//
// Run with `npm run build` (no npm packages beyond govuk-frontend are needed).

import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const packageDir = join(root, "node_modules", "govuk-frontend");
const source = join(packageDir, "dist", "govuk");
const target = join(root, "static", "govuk");

export function adaptStylesheet(css) {
  const adapted = css
    .replace(/\/\*! Copyright[^*]*\*\//g, "") // the typeface's licence notice
    .replace(/@font-face\{font-family:"?GDS Transport"?;[^}]*\}/g, "")
    .replaceAll("font-family:GDS Transport,", "font-family:")
    .replaceAll('font-family:"GDS Transport",', "font-family:")
    .replaceAll("url(/assets/", "url(assets/")
    .replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, "");
  for (const leftover of ["GDS Transport", "url(/", "sourceMappingURL"]) {
    if (adapted.includes(leftover)) {
      throw new Error(`govuk-frontend.min.css still contains "${leftover}": update scripts/build-assets.mjs`);
    }
  }
  return adapted;
}

async function build() {
  const { version } = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8"));
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });

  const css = await readFile(join(source, "govuk-frontend.min.css"), "utf8");
  await writeFile(join(target, "govuk-frontend.min.css"), adaptStylesheet(css));
  for (const name of ["govuk-frontend.min.js", "govuk-frontend.min.js.map"]) {
    await cp(join(source, name), join(target, name));
  }
  await cp(join(source, "assets"), join(target, "assets"), {
    recursive: true,
    filter: (path) => !path.includes(join("assets", "fonts")),
  });
  await writeFile(join(target, "VERSION.txt"), `${version}\n`);
  console.log(`GOV.UK Frontend ${version} copied to static/govuk/`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await build();
}
