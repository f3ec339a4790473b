// Reports over runs: tables (terminal, Markdown, CSV, HTML), Vega-Lite plots rendered to SVG and PNG, and the
// report folder that bundles them.
export { configNames, metricTitle } from './format.js';
export { comparisonSentence, comparisonTable, configColumnsTable, configRowsTable, runsTable, type Table } from './table.js';
export { renderTerminal, terminalSummary } from './terminal.js';
export { markdownReport, renderMarkdown } from './markdown.js';
export { runsCsv, summaryCsv, toCsv } from './csv.js';
export { escapeHtml, htmlReport, renderHtmlTable, type HtmlPlot } from './html.js';
export { renderSvg, svgToPng } from './plots/render.js';
export { runCurvesSpec } from './plots/run-curves.js';
export { meanCurves, overlaySpec } from './plots/overlay.js';
export { metricBarsSpec, type BarDatum } from './plots/metric-bars.js';
export { confusionSpec, sumMatrices } from './plots/confusion-heatmap.js';
export { checkReportDir, writeReport, type ReportInput, type ReportOptions, type ReportResult } from './write-report.js';
