/** HTML reports: pure builders of self-contained pages (strings), wired to files by src/cli/report.ts. */
export { esc, sci, fixed, powerOfTen, verdict, slug } from './format.js';
export { page, sortableTable, cards, type Column, type Cell, type PageOptions } from './page.js';
export { logLogPlot, histogram, decadeRange, decadeTicks, type Series, type LogLogSpec, type HistogramSpec } from './svg.js';
export {
  buildGradientReport,
  worstEntries,
  relErrorBins,
  entryName,
  flatIndexOf,
  readableEntry,
  chosenStep,
  defaultCheck,
  type StepSweep,
  type GradientReportOptions,
} from './gradients.js';
export { sweepsFor, sweepEntry, targetSeed, sweepSteps } from './sweep.js';
export { buildInventory, coverageStatus, propertyTitles, opKinds, penaltyOps, termRegex, kebab, type InventoryInput, type InventoryItem, type ItemStatus, type SourceFile } from './inventory.js';
export { buildCoveragePage, type CoveragePageOptions } from './coverage-page.js';
export { buildIndex, type IndexEntry, type IndexSection } from './index-page.js';
