/**
 * JUnit XML, written once for every command (check, replay, grade), in the
 * shape of the common JUnit schema that CI servers read (Jenkins'
 * junit.xsd): <testsuites> of <testsuite name tests failures errors skipped
 * time timestamp> of <testcase name classname time>, each with at most one
 * <failure message type> or <error message type>, and <system-out>.
 */
export interface JunitProblem {
  /** A short classifier, e.g. 'gradient-mismatch', 'invalid-case'. */
  type: string;
  message: string;
  /** The full text (a table of the worst entries, feedback). */
  text?: string;
}

export interface JunitCase {
  name: string;
  classname: string;
  /** Seconds. */
  time: number;
  failure?: JunitProblem;
  error?: JunitProblem;
  systemOut?: string;
}

export interface JunitSuite {
  name: string;
  /** ISO 8601 without a zone suffix is what the schema's xs:dateTime pattern takes; we write UTC without the 'Z'. */
  timestamp?: Date;
  properties?: readonly (readonly [string, string])[];
  cases: readonly JunitCase[];
}

// XML 1.0 has no way to write most control characters, even escaped: they are dropped
// (a hostile submission's ANSI escapes and NULs included).
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text made safe for an XML attribute or element. */
export function xmlText(s: string): string {
  return s.replace(INVALID_XML, '').replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** A time as the schema takes it; a time that is not a finite number ≥ 0 counts as 0. */
const finite = (t: number): number => (Number.isFinite(t) && t >= 0 ? t : 0);
const seconds = (t: number): string => finite(t).toFixed(3);
const stamp = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, '');

function problem(tag: 'failure' | 'error', p: JunitProblem): string {
  const text = p.text ? xmlText(p.text) : '';
  return `<${tag} message="${xmlText(p.message)}" type="${xmlText(p.type)}">${text}</${tag}>`;
}

/** The XML document of some suites. */
export function junitXml(name: string, suites: readonly JunitSuite[]): string {
  const sum = (f: (c: JunitCase) => boolean): number => suites.reduce((a, s) => a + s.cases.filter(f).length, 0);
  const time = suites.reduce((a, s) => a + s.cases.reduce((b, c) => b + finite(c.time), 0), 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlText(name)}" tests="${sum(() => true)}" failures="${sum((c) => !!c.failure)}" errors="${sum((c) => !!c.error)}" time="${seconds(time)}">`,
  ];
  suites.forEach((s, id) => {
    const failures = s.cases.filter((c) => c.failure).length;
    const errors = s.cases.filter((c) => c.error).length;
    const t = s.cases.reduce((b, c) => b + finite(c.time), 0);
    const ts = s.timestamp ? ` timestamp="${stamp(s.timestamp)}"` : '';
    lines.push(`  <testsuite name="${xmlText(s.name)}" id="${id}" tests="${s.cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(t)}"${ts}>`);
    if (s.properties?.length) {
      lines.push(`    <properties>${s.properties.map(([k, v]) => `<property name="${xmlText(k)}" value="${xmlText(v)}"/>`).join('')}</properties>`);
    }
    for (const c of s.cases) {
      const body = [c.failure ? problem('failure', c.failure) : '', c.error ? problem('error', c.error) : '', c.systemOut ? `<system-out>${xmlText(c.systemOut)}</system-out>` : ''].join('');
      lines.push(`    <testcase name="${xmlText(c.name)}" classname="${xmlText(c.classname)}" time="${seconds(c.time)}">${body}</testcase>`);
    }
    lines.push('  </testsuite>');
  });
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
