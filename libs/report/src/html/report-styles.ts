/** The report's stylesheet: plain, printable, readable on a laptop screen. */
export const REPORT_CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1200px; color: #1d2330; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #d8dce5; }
.source { color: #5b6475; font-size: 12px; }
table.results { border-collapse: collapse; margin: 8px 0; }
table.results th, table.results td { padding: 4px 12px; text-align: right; border-bottom: 1px solid #e4e7ee; }
table.results th:first-child, table.results td:first-child { text-align: left; }
table.results td.best { font-weight: 600; }
figure { margin: 12px 0; overflow-x: auto; } figcaption { color: #5b6475; font-size: 12px; }
.notes li { color: #5b6475; font-size: 12px; }
table.examples { border-collapse: collapse; } table.examples td, table.examples th { padding: 3px; text-align: center; font-size: 12px; font-weight: normal; }
table.examples img { width: 128px; height: 128px; image-rendering: pixelated; display: block; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 12px; margin: 6px 0; }
.legend span.swatch { display: inline-block; width: 11px; height: 11px; margin-right: 4px; vertical-align: -1px; border-radius: 2px; }
.unseen-name { font-weight: 600; }
`;
