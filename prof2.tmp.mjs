import { gradeSubmission } from '/work/main/dist/src/grade/grader.js';
import { loadCatalog } from '/work/main/dist/src/grade/catalog.js';
const catalog = loadCatalog();
for (const name of ['correct-code', 'wrong-subtle', 'slow']) {
  const t0 = performance.now();
  const N = 3; let sc = [];
  for (let i = 0; i < N; i++) { const r = await gradeSubmission(`/work/main/fixtures/submissions/${name}`, { seed: i, catalog }); sc.push(r.score); }
  console.log(name, 'per submission ms', ((performance.now() - t0) / N).toFixed(0), sc.join(' '));
}
