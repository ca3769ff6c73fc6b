namespace Quantize.Core.Reporting;

/// <summary>
/// The report's only style sheet, inlined in the page: system fonts, no images, no web fonts, and a print
/// layout (no shadows or background fills the printer would drop, sections kept whole where they fit).
/// </summary>
internal static class HtmlStyle
{
    public const string Css = """
        :root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bar: #3b6fb6; --kept: #c4661f; --pass: #1a7f37; --fail: #cf222e; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 1000px; padding: 24px 16px 48px; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", sans-serif; color: var(--ink); background: #fff; }
        h1 { font-size: 1.6em; margin: 0 0 4px; word-break: break-all; }
        h2 { font-size: 1.2em; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
        .subtitle { color: var(--muted); margin: 0; word-break: break-all; }
        .verdict { margin: 16px 0 0; padding: 8px 12px; border-left: 4px solid var(--muted); background: #f6f8fa; }
        .verdict.pass { border-color: var(--pass); }
        .verdict.fail { border-color: var(--fail); }
        table { border-collapse: collapse; margin: 8px 0; }
        caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
        th, td { border: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
        thead th { background: #f6f8fa; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.name { word-break: break-all; font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
        .status-pass { color: var(--pass); font-weight: 600; }
        .status-fail { color: var(--fail); font-weight: 600; }
        .status-none { color: var(--muted); }
        .note { color: var(--muted); }
        .chart-frame { overflow-x: auto; }
        svg.chart { max-width: 100%; height: auto; font: 12px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", sans-serif; }
        svg.chart .layer-bar { fill: var(--bar); }
        svg.chart .layer-bar.kept { fill: var(--kept); }
        svg.chart .layer-row:hover .layer-bar { opacity: 0.8; }
        svg.chart .layer-label, svg.chart .layer-value { fill: var(--ink); }
        svg.chart .op, svg.chart .tick { fill: var(--muted); }
        svg.chart .tick { text-anchor: middle; }
        svg.chart .grid { stroke: var(--line); stroke-width: 1; }
        .legend-swatch { display: inline-block; width: 0.9em; height: 0.9em; vertical-align: -0.1em; margin: 0 4px 0 12px; }
        pre { background: #f6f8fa; border: 1px solid var(--line); padding: 8px 12px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
        details summary { cursor: pointer; color: var(--muted); margin: 8px 0; }
        @media print {
          body { max-width: none; padding: 0; font-size: 11pt; }
          section { break-inside: avoid-page; }
          .layers { break-inside: auto; }
          .verdict, thead th, pre { background: none; }
          svg.chart { max-width: 100%; }
        }
        """;
}
