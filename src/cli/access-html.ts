/**
 * The access matrix as one self-contained HTML page: no network, no external script or style, so it can be
 * mailed or attached to a ticket and opened offline. Rows travel as JSON inside the page; a small script
 * filters (user, account, delivery, free text), sorts (click a column) and counts.
 */
import type { Finding, MatrixRow } from '../core/index.js';
import { MATRIX_COLUMNS, matrixCells } from './access-render.js';

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** JSON that cannot end the script element it sits in (HTML Living Standard, "Restrictions for contents of script elements"). */
const scriptJson = (v: unknown): string =>
  JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

const SCRIPT = `
const rows = JSON.parse(document.getElementById('matrix-data').textContent);
const columns = JSON.parse(document.getElementById('matrix-columns').textContent);
const $ = (id) => document.getElementById(id);
const state = { sort: 0, dir: 1 };
function fill(select, index) {
  const values = [...new Set(rows.map((r) => r[index]))].sort((a, b) => a.localeCompare(b));
  for (const v of values) { const o = document.createElement('option'); o.value = v; o.textContent = v; select.appendChild(o); }
}
fill($('user'), 0); fill($('account'), 5); fill($('delivery'), 7);
function render() {
  const q = $('search').value.trim().toLowerCase();
  const user = $('user').value, account = $('account').value, delivery = $('delivery').value;
  const shown = rows.filter((r) =>
    (!user || r[0] === user) && (!account || r[5] === account) && (!delivery || r[7] === delivery) &&
    (!q || r.some((c) => c.toLowerCase().includes(q))));
  shown.sort((a, b) => state.dir * a[state.sort].localeCompare(b[state.sort]));
  const body = $('rows');
  body.replaceChildren(...shown.map((r) => {
    const tr = document.createElement('tr');
    if (r[9] !== 'file') tr.className = 'outside';
    for (const c of r) { const td = document.createElement('td'); td.textContent = c; tr.appendChild(td); }
    return tr;
  }));
  $('count').textContent = shown.length + ' of ' + rows.length + ' rows';
  document.querySelectorAll('th').forEach((th, i) => th.setAttribute('aria-sort', i === state.sort ? (state.dir > 0 ? 'ascending' : 'descending') : 'none'));
}
document.querySelectorAll('th button').forEach((b, i) => b.addEventListener('click', () => {
  state.dir = state.sort === i ? -state.dir : 1; state.sort = i; render();
}));
for (const id of ['search', 'user', 'account', 'delivery']) $(id).addEventListener('input', render);
render();
`;

/** The access analysis findings as a static table: most severe first, acknowledged ones with their reason. */
function findingsSection(findings: readonly Finding[]): string {
  const body = findings
    .map(
      (f) =>
        `<tr class="sev-${escapeHtml(f.severity)}"><td>${escapeHtml(f.severity)}</td><td><code>${escapeHtml(f.rule)}</code></td><td>${escapeHtml(f.message)}</td><td>${escapeHtml(f.fix)}</td><td>${escapeHtml(f.acknowledged ?? '')}</td></tr>`,
    )
    .join('');
  return `<section aria-labelledby="findings-title">
<h2 id="findings-title">Findings of the access analysis</h2>
${
  findings.length === 0
    ? '<p>No findings.</p>'
    : `<table id="findings">
<thead><tr><th scope="col">Severity</th><th scope="col">Rule</th><th scope="col">Finding</th><th scope="col">Fix</th><th scope="col">Acknowledged</th></tr></thead>
<tbody>${body}</tbody>
</table>`
}
</section>`;
}

export function renderMatrixHtml(
  rows: readonly MatrixRow[],
  options: { title: string; generatedAt: string; findings?: readonly Finding[] },
): string {
  const head = MATRIX_COLUMNS.map(
    (c) => `<th scope="col" aria-sort="none"><button type="button">${escapeHtml(c)}</button></th>`,
  ).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1b1b}
form{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
label{display:flex;flex-direction:column;font-weight:600;gap:.25rem}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
th button{all:unset;cursor:pointer;font-weight:700}
th button:focus-visible{outline:2px solid #0b57d0}
tr.outside td{background:#fff4e5}
tr.sev-critical td:first-child,tr.sev-high td:first-child{color:#a4161a;font-weight:700}
section{margin-top:2rem}
</style>
</head>
<body>
<h1>${escapeHtml(options.title)}</h1>
<p>Who can reach which AWS account with which permission, and why. Generated ${escapeHtml(options.generatedAt)}. Rows shaded are access that exists outside the access file.</p>
<form role="search" onsubmit="return false">
<label for="search">Search<input id="search" type="search" autocomplete="off"></label>
<label for="user">User<select id="user"><option value="">All users</option></select></label>
<label for="account">Account<select id="account"><option value="">All accounts</option></select></label>
<label for="delivery">Delivery<select id="delivery"><option value="">Both</option></select></label>
</form>
<p id="count" role="status"></p>
<table>
<thead><tr>${head}</tr></thead>
<tbody id="rows"></tbody>
</table>
${options.findings ? findingsSection(options.findings) : ''}
<script type="application/json" id="matrix-data">${scriptJson(rows.map(matrixCells))}</script>
<script type="application/json" id="matrix-columns">${scriptJson(MATRIX_COLUMNS)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
