// Builds the console's static files into ../static/build (not committed; `./avain` and the image run it):
//   console.css   our SCSS on the Suomi.fi design tokens (suomifi-design-tokens ships SCSS, not CSS)
//   fonts/        Source Sans 3 (the design system's typeface), latin and latin-ext (Sámi letters too)
//   icons/        a few Suomi.fi icons as SVG (suomifi-icons ships React components: the paths are taken out)
//   htmx.min.js   progressive enhancement; every page works without it
import { mkdirSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sass from 'sass';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'static', 'build');
const modules = join(here, 'node_modules');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'fonts'), { recursive: true });
mkdirSync(join(out, 'icons'), { recursive: true });

const css = sass.compile(join(here, 'console.scss'), { loadPaths: [modules], style: 'compressed' }).css;
writeFileSync(join(out, 'console.css'), css);

for (const subset of ['latin', 'latin-ext']) {
  for (const weight of ['400', '600']) {
    const file = `source-sans-3-${subset}-${weight}-normal.woff2`;
    copyFileSync(join(modules, '@fontsource', 'source-sans-3', 'files', file), join(out, 'fonts', file));
  }
}
copyFileSync(join(modules, 'htmx.org', 'dist', 'htmx.min.js'), join(out, 'htmx.min.js'));

const ICONS = ['Logout', 'Login', 'Search', 'ChevronRight', 'ChevronLeft', 'Calendar', 'Info', 'Alert', 'Person',
  'Internet', 'Check', 'Clock', 'History', 'Lock', 'Mail', 'Help', 'Warning', 'Basket'];
for (const name of ICONS) {
  let source;
  try {
    source = readFileSync(join(modules, 'suomifi-icons', 'esm', 'svgrComponents', 'baseIcons', `Icon${name}.js`), 'utf8');
  } catch { continue; }
  const viewBox = source.match(/viewBox: "([^"]+)"/)[1];
  const paths = [...source.matchAll(/\bd: "([^"]+)"/g)].map((m) => `<path d="${m[1]}" fill="currentColor" fill-rule="evenodd"/>`);
  writeFileSync(join(out, 'icons', `${name.toLowerCase()}.svg`),
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${viewBox}" width="1em" height="1em" aria-hidden="true" focusable="false" class="icon">${paths.join('')}</svg>`);
}
console.log(JSON.stringify({ event: 'console_assets_built', out }));
