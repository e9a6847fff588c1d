/** The UMD builds of vega, vega-lite and vega-embed, inlined into every page (no CDN, works offline). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptForInline } from './escape.ts';

const BUILDS = [['vega', 'vega.min.js'], ['vega-lite', 'vega-lite.min.js'], ['vega-embed', 'vega-embed.min.js']] as const;

let cached: string | undefined;

/** `<script>` elements defining the globals vega, vegaLite and vegaEmbed. */
export function vegaScripts(): string {
  cached ??= BUILDS.map(([pkg, file]) => {
    const buildDir = path.dirname(fileURLToPath(import.meta.resolve(pkg)));
    return `<script>${scriptForInline(readFileSync(path.join(buildDir, file), 'utf8'))}</script>`;
  }).join('\n');
  return cached;
}
