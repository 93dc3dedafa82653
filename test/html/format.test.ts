import { describe, expect, it } from 'vitest';
import { esc, fixed, powerOfTen, sci, shapeText, slug, sortValue, verdict } from '../../src/html/format.js';

describe('report formatting', () => {
  it('escapes the five HTML metacharacters', () => {
    expect(esc(`<script>alert("x" & 'y')</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;');
    expect(esc(42)).toBe('42');
  });

  it('writes numbers that span decades in scientific notation', () => {
    expect(sci(4.3508967381425864e-7)).toBe('4.35e-7');
    expect(sci(1.5e20)).toBe('1.50e20');
    expect(sci(-2.5e-12, 1)).toBe('-2.5e-12');
    expect(sci(1)).toBe('1.00e0');
    expect(sci(0)).toBe('0');
    expect(sci(NaN)).toBe('—');
    expect(sci(null)).toBe('—');
    expect(sci(undefined)).toBe('—');
    expect(sci(Infinity)).toBe('∞');
    expect(sci(-Infinity)).toBe('−∞');
    expect(fixed(1.99999)).toBe('2.00');
    expect(fixed(null)).toBe('—');
  });

  it('writes powers of ten with superscripts for axis ticks', () => {
    expect(powerOfTen(-12)).toBe('10⁻¹²');
    expect(powerOfTen(0)).toBe('10⁰');
    expect(powerOfTen(3)).toBe('10³');
  });

  it('gives a verdict by symbol and word, not by colour alone', () => {
    expect(verdict(true)).toContain('✔ PASS');
    expect(verdict(false)).toContain('✘ FAIL');
  });

  it('makes sort values, shapes and ids', () => {
    expect(sortValue(1e-7)).toBe('1e-7');
    expect(sortValue(NaN)).toBe('');
    expect(sortValue(null)).toBe('');
    expect(shapeText([5, 6])).toBe('5×6');
    expect(shapeText([])).toBe('scalar');
    expect(slug('loss/softmax-cross-entropy/batch-mean')).toBe('c-loss-softmax-cross-entropy-batch-mean');
    expect(slug('<a b="c">')).toBe('c-a-b-c');
  });
});
