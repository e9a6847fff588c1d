/** Vega-Lite spec → static SVG, rendered in Node (headless vega View), so charts show without JavaScript. */
import type { TopLevelSpec } from 'vega-lite';

/**
 * vega and vega-lite are loaded on the first chart, not when a command starts: together they are
 * about 0.5 s of a start-up here, which `--help`, a parse error or a sweep's workers never need.
 */
const renderer = async () => ({ vega: await import('vega'), compile: (await import('vega-lite')).compile });

export async function toSvg(spec: TopLevelSpec): Promise<string> {
  const { vega, compile } = await renderer();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The charts a section draws, in order: each built spec pre-rendered to SVG; a chart whose builder found no data is left out. */
export async function renderCharts<C extends { spec?: TopLevelSpec }>(built: C[]): Promise<Array<C & { spec: TopLevelSpec; svg: string }>> {
  const drawn = built.filter((c): c is C & { spec: TopLevelSpec } => c.spec !== undefined);
  return Promise.all(drawn.map(async (c) => ({ ...c, svg: await toSvg(c.spec) })));
}
