/**
 * Roles, not names (issue #11, points 4 and 7): the baseline is found by its role, and no line may
 * claim an efficiency its own FLOPs contradict.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countsOf } from '../../src/measure/case.ts';
import { planCases } from '../../src/run/plan.ts';
import { loadSuite } from '../../src/run/suite.ts';
import type { EngineInfo } from '../../src/results/types.ts';
import { getVariant, VARIANTS } from '../../src/variants/index.ts';
import { BASELINE, meantToSaveWork } from '../../src/variants/roles.ts';

const ENGINE: EngineInfo = { engine: 'onnx', backend: 'cpu', id: 'onnx/cpu', available: true, priority: 30 };

test('the registry holds one baseline, found by its role: full attention', () => {
  assert.equal(BASELINE, VARIANTS.full);
  assert.deepEqual(Object.values(VARIANTS).filter((v) => v.role === 'baseline').map((v) => v.name), ['full']);
});

test('default suite grid: "not efficient at this N" exactly where FLOPs (approximations) or memory (exact-efficient) are not below full\'s',
  async () => {
    const marked: string[] = [];
    for (const c of planCases(await loadSuite('default'), [ENGINE], 'grid')) {
      const { flops, notEfficient } = countsOf(c), v = getVariant(c.variant)!;
      const ratio = v.role === 'exact-efficient' ? v.memory(c.shape, c.options) / BASELINE.memory(c.shape, {})
        : flops! / BASELINE.flops(c.shape, {});
      assert.equal(notEfficient !== undefined, meantToSaveWork(c.variant) && ratio >= 1, `${c.caseId}: ×${ratio}`);
      if (notEfficient) marked.push(`${c.label} N=${c.shape.seqLen}: ${notEfficient}`);
    }
    assert.deepEqual(marked, [
      'sliding window w=256 N=256: not efficient at this N: 1.10× full\'s FLOPs',
      'Linformer k=256 (segment means) N=256: not efficient at this N: 1.20× full\'s FLOPs',
      'flash (engine\'s kernel, tile 256) N=256: not efficient at this N: 1.46× full\'s analytic peak memory',
      'Linformer k=256 (segment means) N=512: not efficient at this N: 1.00× full\'s FLOPs',
    ]);
  });
