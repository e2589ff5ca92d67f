// The circuit lab's element chart (helpers/tablewidget.py, ElementChart): circuits down, kinds of
// element across, each cell met (dark green), not met (light pink) or blank (not part of that
// circuit's test). A plain HTML table coloured by CSS, built once; a fact change sets the data-z
// of the cells whose value changed, and nothing else is drawn again (a plotly heatmap redrew its
// axes and image on every change, the lab's slowest part to paint). Each cell's mark is in its text
// for a screen reader and in its tooltip with the elements and their authority.
const MARK = { 1: "\u2713", 0: "\u2717" };

function h(tag, attrs = {}, text) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

function zAttr(v) {
  return v === null || v === undefined ? "" : String(v);
}

function render({ model, el }) {
  const root = h("figure", { class: "dsh-chart" });
  el.append(root);
  let cells = [], shown = null;

  function build() {
    const x = model.get("x"), y = model.get("y"), hover = model.get("hover");
    root.replaceChildren();
    root.append(h("figcaption", { class: "dsh-chart-title" }, model.get("title")));
    const table = h("table", { class: "dsh-chart-grid" });
    const hr = h("tr");
    hr.append(h("td"));
    for (const label of x) {
      const th = h("th", { scope: "col", title: label });
      th.append(h("span", {}, label));
      hr.append(th);
    }
    const body = h("tbody");
    cells = y.map((name, i) => {
      const tr = h("tr", { "data-row": String(i) });
      tr.append(h("th", { scope: "row" }, name));
      const row = x.map((label, j) => {
        const td = h("td", { "data-col": String(j) });
        td.dataset.hover = `${name} ${label}: `;
        td.dataset.more = (hover[i] && hover[i][j]) || "";
        tr.append(td);
        return td;
      });
      body.append(tr);
      return row;
    });
    table.append(h("thead", {}), body);
    table.tHead.append(hr);
    // A tap (or click) on a cell says what its tooltip says, below the grid: touch screens and
    // projectors show no tooltips.
    const said = h("p", { class: "dsh-chart-said", "aria-live": "polite" });
    table.addEventListener("click", (ev) => {
      const td = ev.target.closest("td[data-col]");
      if (td) said.textContent = td.title;
    });
    root.append(table, said);
    shown = null;
  }

  function patch() {
    const z = model.get("z");
    z.forEach((row, i) => row.forEach((v, j) => {
      const now = zAttr(v);
      if (shown && zAttr(shown[i][j]) === now) return;
      const td = cells[i] && cells[i][j];
      if (!td) return;
      td.dataset.z = now;
      const mark = MARK[now] || "";
      td.textContent = mark;
      td.title = td.dataset.hover + (mark || "(blank)") + "\n" + td.dataset.more;
    }));
    shown = z;
  }

  build();
  patch();
  for (const name of ["x", "y", "hover", "title"]) model.on(`change:${name}`, () => { build(); patch(); });
  model.on("change:z", patch);
}

export default { render };
