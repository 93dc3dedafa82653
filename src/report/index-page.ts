import { esc } from '../html/format.js';
import { page } from '../html/page.js';

/** reports/index.html: one link per report page that exists, and a line on those that do not. */

export interface IndexEntry {
  /** Relative link, only for a page that exists. */
  href?: string;
  title: string;
  /** One line (trusted HTML). */
  about: string;
  /** Shown instead of a link when there is no page (trusted HTML). */
  missing?: string;
}

export interface IndexSection {
  heading: string;
  entries: IndexEntry[];
}

export function buildIndex(sections: readonly IndexSection[], subtitle?: string): string {
  const body = sections
    .map(
      (s) => `<section><h2>${esc(s.heading)}</h2><ul class="index">${s.entries
        .map((e) => (e.href ? `<li><a href="${esc(e.href)}">${esc(e.title)}</a>: ${e.about}</li>` : `<li><span class="muted">${esc(e.title)}</span>: ${e.missing ?? 'not generated'}</li>`))
        .join('\n')}</ul></section>`,
    )
    .join('\n');
  return page({ title: 'gradproof reports', ...(subtitle ? { subtitle } : {}) }, body);
}
