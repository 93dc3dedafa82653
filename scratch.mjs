import { checkGradient } from './dist/src/check/gradient.js';
const p=10000;
const x = new Float64Array(p); for (let i = 0; i < p; i++) x[i] = Math.sin(0.37 * i + 1);
const f = (v) => { let s = 0; for (let i = 0; i < v.length; i++) s += Math.sin(v[i]) * v[i] + (i + 1 < v.length ? 0.5 * v[i] * v[i + 1] : 0); return s; };
const grad = (v) => { const g = new Float64Array(v.length); for (let i = 0; i < v.length; i++) { g[i] += Math.cos(v[i]) * v[i] + Math.sin(v[i]); if (i + 1 < v.length) { g[i] += 0.5 * v[i + 1]; g[i + 1] += 0.5 * v[i]; } } return g; };
const r = checkGradient(f, grad, x, {mode:'sampled', samples: 6, record:true});
console.log(r.evaluations, r.noise, f(x));
for (const e of r.entries) { console.log(e.index, e.analytic, e.numeric, e.bound, e.trail.map(t=>[t.step, t.value, t.truncation, t.rounding])); }
