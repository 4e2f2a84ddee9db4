"""The report's stylesheet, inlined into the page so the file opens offline on its own."""

CSS = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --error: #b42318; --warning: #b54708;
        --info: #175cd3; --band: #f5f7fa; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei",
       sans-serif; color: var(--ink); margin: 0; line-height: 1.5; font-size: 14px; }
header { background: #243b53; color: #fff; padding: 18px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: #d9e2ec; font-size: 13px; }
nav { padding: 8px 32px; background: var(--band); border-bottom: 1px solid var(--line); }
nav a { margin-right: 18px; color: #243b53; text-decoration: none; }
main { padding: 8px 32px 48px; max-width: 1400px; }
h2 { border-bottom: 2px solid #243b53; padding-bottom: 4px; margin-top: 36px; }
h3 { margin: 24px 0 8px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 16px; min-width: 120px; }
.card b { display: block; font-size: 22px; }
.card span { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: var(--band); position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.msg { min-width: 240px; max-width: 480px; }
td.excerpt { max-width: 220px; color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
td.dept { min-width: 9em; }
td.where { max-width: 260px; overflow-wrap: anywhere; }
td.cell { max-width: 180px; overflow-wrap: anywhere; }
.wide { overflow-x: auto; }
.sev { font-weight: bold; white-space: nowrap; }
.sev-error { color: var(--error); } .sev-warning { color: var(--warning); } .sev-info { color: var(--info); }
.status-failed { color: var(--error); } .status-partial { color: var(--warning); }
.missing { color: #bcccdc; text-align: center; }
.note { background: #fffbea; border-left: 4px solid #f0b429; padding: 8px 12px; margin: 12px 0; }
.figure { margin: 12px 0 20px; }
.figure img { max-width: 100%; border: 1px solid var(--line); }
.figure .overlay { position: relative; display: inline-block; max-width: 100%; border: 1px solid var(--line); }
.figure .overlay img { display: block; border: 0; }
.figure .overlay svg { position: absolute; left: 0; top: 0; width: 100%; height: 100%; overflow: visible; }
.figure figcaption { color: var(--muted); font-size: 12px; }
section.department { border-top: 1px solid var(--line); margin-top: 28px; }
.code { font-family: monospace; color: var(--muted); }
.flex { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
tr.reviewed-false td, tr.reviewed-false td * { color: #9aa5b1; }
td.review { min-width: 8em; max-width: 240px; }
.top { background: #fff5f5; border-left: 4px solid var(--error); padding: 6px 12px; margin: 8px 0 12px; }
.top h4 { margin: 2px 0 4px; }
.top ol { margin: 0; padding-left: 1.6em; }
.top .stake { font-weight: bold; white-space: nowrap; }
.pagelink { font-size: 13px; font-weight: normal; margin-left: 8px; }
"""
