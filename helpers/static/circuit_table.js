// The circuit lab's element table (helpers/tablewidget.py). The kernel sends the whole table's
// HTML, as an HTML widget would; the browser compares it, row by row and cell by cell, with what it
// shows and, in the cells whose HTML changed, puts in only the parts that differ (an element's chip,
// a mark): a fact change parses and restyles a few dozen nodes, not the page's largest block. A table of another shape (other rows, another head) is drawn
// anew. The cells put in are the kernel's own HTML, so the table reads exactly as one drawn whole.
const ROW = /<tr data-circuit="[^"]*"[^>]*>[\s\S]*?<\/tr>/g;
const CELL = /<(t[hd])[\s>][\s\S]*?<\/\1>/g;

// {frame, rows}: each row's HTML, and the rest of the table with the rows cut out.
function split(html) {
  const rows = [];
  let first = -1, end = 0, m;
  ROW.lastIndex = 0;
  while ((m = ROW.exec(html))) {
    if (first < 0) first = m.index;
    if (rows.length && m.index !== end) return null;  // something between two rows: not ours to patch
    rows.push(m[0]);
    end = m.index + m[0].length;
  }
  return { frame: first < 0 ? html : html.slice(0, first) + "\u0000" + html.slice(end), rows };
}

// {open, cells}: a row's opening tag and each cell's HTML (null if the row is not cells only).
function cellsOf(row) {
  const open = row.slice(0, row.indexOf(">") + 1);
  const cells = row.slice(open.length, -"</tr>".length).match(CELL) || [];
  return cells.join("") === row.slice(open.length, -"</tr>".length) ? { open, cells } : null;
}

// A cell's opening tag and its top-level parts (an element's chip, a mark, a line break, text), or
// null if it holds anything else.
const PART = /<details\b[\s\S]*?<\/details>|<span\b[^>]*>[^<]*<\/span>|<br>|[^<]+/g;
function partsOf(cell) {
  const open = cell.slice(0, cell.indexOf(">") + 1);
  const inner = cell.slice(open.length, cell.lastIndexOf("</"));
  const parts = inner.match(PART) || [];
  return parts.join("") === inner ? { open, parts } : null;
}

// Give `el` the attributes of `like` (and only those).
function syncAttributes(el, like) {
  for (const { name } of [...el.attributes]) if (!like.hasAttribute(name)) el.removeAttribute(name);
  for (const { name, value } of [...like.attributes]) if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

// Make the live cell `td` (drawn from HTML `was`) read as HTML `now`: only the parts that differ are
// parsed and put in; a cell of another shape is replaced whole.
function patchCell(td, was, now) {
  const a = partsOf(was), b = partsOf(now);
  if (!a || !b || a.parts.length !== b.parts.length || td.childNodes.length !== a.parts.length) {
    td.replaceWith(parseRow("<tr>", [now]).cells[0]);
    return;
  }
  const changed = b.parts.map((p, k) => (p === a.parts[k] ? -1 : k)).filter((k) => k >= 0);
  const fresh = parseRow("<tr>", [b.open + changed.map((k) => b.parts[k]).join("<!---->") + "</td>"]).cells[0];
  if (a.open !== b.open) syncAttributes(td, fresh);
  const nodes = [...fresh.childNodes].filter((n) => n.nodeType !== Node.COMMENT_NODE);
  const kids = [...td.childNodes];
  changed.forEach((k, n) => kids[k].replaceWith(nodes[n]));
}

function parseRow(open, cells) {
  const t = document.createElement("template");
  t.innerHTML = `<table><tbody>${open}${cells.join("")}</tr></tbody></table>`;
  return t.content.querySelector("tr");
}

function render({ model, el }) {
  // The HTML widget's own classes: every rule written for the table as an HTML widget still applies.
  el.classList.add("jupyter-widgets", "widget-inline-hbox", "widget-html");
  const content = document.createElement("div");
  content.className = "widget-html-content";
  el.append(content);
  let shown = null, trs = [];

  function draw(html, parts) {
    content.innerHTML = html;
    trs = [...content.querySelectorAll("tr[data-circuit]")];
    shown = parts && parts.rows.length === trs.length ? parts : null;
  }

  function update() {
    const html = model.get("value");
    const next = split(html);
    if (!shown || !next || next.frame !== shown.frame || next.rows.length !== shown.rows.length) {
      draw(html, next);
      return;
    }
    const work = [];
    for (let i = 0; i < next.rows.length; i++) {
      if (next.rows[i] === shown.rows[i]) continue;
      const a = cellsOf(shown.rows[i]), b = cellsOf(next.rows[i]);
      if (!a || !b || a.cells.length !== b.cells.length || trs[i].cells.length !== b.cells.length) {
        draw(html, next);
        return;
      }
      work.push([i, a, b]);
    }
    for (const [i, a, b] of work) {
      const tr = trs[i];
      if (a.open !== b.open) syncAttributes(tr, parseRow(b.open, []));
      const old = [...tr.cells];
      b.cells.forEach((c, j) => { if (c !== a.cells[j]) patchCell(old[j], a.cells[j], c); });
    }
    shown = next;
  }

  // Classes added from the kernel later (the stale mark): this widget's element does not follow them
  // on its own, so they are applied here.
  let classes = [];
  function syncClasses() {
    const now = model.get("_dom_classes") || [];
    for (const c of classes) if (!now.includes(c)) el.classList.remove(c);
    for (const c of now) el.classList.add(c);
    classes = now.slice();
  }

  syncClasses();
  draw(model.get("value"), split(model.get("value")));
  model.on("change:value", update);
  model.on("change:_dom_classes", syncClasses);
}

export default { render };
