// The projector view of the circuit lab: a verdict strip and a tile map, built once and patched.
// The kernel sends one integer per circuit (helpers/projector.py gives the bits); only cells whose
// text changes are touched. A click, a tap, or Enter on a circuit opens its elements and reasons.
const VIOLATION = 1, CLEARLY = 2, IMMUNITY = 4;
const YES = "\u2713", NO = "\u2717";
const OUTCOMES = {
  denied: { mark: YES + YES, words: "violation, clearly established: immunity denied" },
  granted: { mark: YES + NO, words: "violation, not clearly established: immunity granted" },
  none: { mark: NO, words: "no violation: the claim fails" },
};

function outcome(code) {
  if (!(code & VIOLATION)) return "none";
  return code & IMMUNITY ? "granted" : "denied";
}

function cellsFor(code) {
  return {
    violation: code & VIOLATION ? [true, YES + " yes"] : [false, NO + " no"],
    // With no violation, prong two answers only "if there were one": said so, never silently.
    clearly_established: code & CLEARLY ? [true, code & VIOLATION ? YES + " yes" : "(" + YES + " if any)"]
                                         : [false, NO + " no"],
    // No mark here: a cross before "granted" reads as "not granted". The colour says whom it favours.
    qualified_immunity: code & IMMUNITY ? [false, "granted"] : [true, "denied"],
  };
}

function h(tag, attrs = {}, text) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

function render({ model, el }) {
  const circuits = model.get("circuits");
  const root = h("div", { class: "dsh-proj" });
  const head = h("div", { class: "dsh-proj-head" });
  head.append(h("b", {}, "All twelve circuits"), h("span", { class: "dsh-proj-caption" }));
  const body = h("div", { class: "dsh-proj-body" });

  // The strip: one row per circuit, the three answers in words and marks.
  const table = h("table", { class: "dsh-proj-strip" });
  const thead = h("thead"), hr = h("tr");
  for (const [t, sub] of [["Circuit", ""], ["Violation", "prong one"], ["Clearly est.", "prong two"],
                          ["Immunity", "the result"]]) {
    const th = h("th", { scope: "col" }, t);
    if (sub) th.append(h("small", {}, sub));
    hr.append(th);
  }
  thead.append(hr);
  const tbody = h("tbody");
  const rows = {}, cells = {};
  for (const c of circuits) {
    const tr = h("tr", { "data-circuit": c.id });
    const th = h("th", { scope: "row" });
    const btn = h("button", { type: "button", class: "dsh-proj-open", "aria-expanded": "false",
                              title: `${c.name}: open its elements and the reasons` }, c.abbr);
    btn.addEventListener("click", () => toggle(c.id));
    th.append(btn);
    tr.append(th);
    cells[c.id] = {};
    for (const f of ["violation", "clearly_established", "qualified_immunity"]) {
      const td = h("td", { "data-field": f });
      cells[c.id][f] = td;
      tr.append(td);
    }
    tr.addEventListener("click", (ev) => { if (ev.target === tr || ev.target.tagName === "TD") toggle(c.id); });
    rows[c.id] = tr;
    tbody.append(tr);
  }
  table.append(thead, tbody);

  // The map: each state a tile in its circuit's colour and pattern, with the circuit's number and mark.
  const mapBox = h("div", { class: "dsh-proj-mapbox" });
  const map = h("div", { class: "dsh-proj-map", role: "img" });
  const tilesOf = {};
  const abbr = Object.fromEntries(circuits.map((c) => [c.id, c.abbr]));
  for (const [state, row, col, cid] of model.get("tiles")) {
    const t = h("div", { class: "dsh-proj-tile", "data-circuit": cid, "data-state": state });
    t.style.gridRow = String(row + 1);
    t.style.gridColumn = String(col + 1);
    t.append(h("span", { class: "s" }, state), h("span", { class: "m" }));
    t.addEventListener("click", () => toggle(cid));
    (tilesOf[cid] = tilesOf[cid] || []).push(t);
    map.append(t);
  }
  const legend = h("div", { class: "dsh-proj-legend" });
  for (const [k, o] of Object.entries(OUTCOMES)) {
    const item = h("span", { class: "dsh-proj-key", "data-outcome": k });
    item.append(h("span", { class: "sw", "data-outcome": k }, o.mark), h("span", {}, o.words));
    legend.append(item);
  }
  mapBox.append(map, legend);

  // What a click opens, in place of the map: the circuit's answer in full.
  const detail = h("div", { class: "dsh-proj-detail", role: "region", "aria-live": "polite", tabindex: "-1" });
  detail.hidden = true;
  const close = h("button", { type: "button", class: "dsh-proj-close", title: "Back to the map (Esc)" }, "\u00d7 back to the map");
  close.addEventListener("click", () => toggle(""));
  const detailBody = h("div", { class: "dsh-proj-detail-body" });
  const bar = h("div", { class: "dsh-proj-detail-bar" });
  bar.append(close);
  detail.append(bar, detailBody);
  detail.addEventListener("keydown", (ev) => { if (ev.key === "Escape") toggle(""); });

  body.append(table, mapBox, detail);
  const hint = h("div", { class: "dsh-proj-hint" },
                 "\u201c(\u2713 if any)\u201d: no violation, so prong two only says what would hold if there were one. " +
                 "Click or tap a circuit (or Tab to it and press Enter) for its elements and the reasons; Esc closes.");
  root.append(head, body, hint);
  el.append(root);

  // The strip first, in the frame the answers arrive; the map a frame later (a map repaint must
  // not hold back the twelve answers); then the kernel is told, and sends the heavier outputs.
  let shown = [], mapShown = [], mapQueued = false;
  function patch() {
    const answers = model.get("answers");
    circuits.forEach((c, i) => {
      const code = answers[i];
      if (shown[i] === code) return;
      for (const [f, [good, text]] of Object.entries(cellsFor(code))) {
        const td = cells[c.id][f];
        if (td.textContent !== text) td.textContent = text;
        const cls = good ? "dsh-yes" : "dsh-no";
        if (td.className !== cls) td.className = cls;
      }
      rows[c.id].dataset.outcome = outcome(code);
    });
    shown = answers.slice();
    if (!mapQueued) {
      mapQueued = true;
      requestAnimationFrame(() => setTimeout(patchMap, 0));
    }
  }
  function patchMap() {
    mapQueued = false;
    const answers = model.get("answers");
    circuits.forEach((c, i) => {
      const code = answers[i];
      if (mapShown[i] === code) return;
      const o = outcome(code);
      for (const t of tilesOf[c.id] || []) {
        t.dataset.outcome = o;
        t.lastChild.textContent = `${c.abbr.replace(/(st|d|th)$/, "")} ${OUTCOMES[o].mark}`;
        t.title = `${t.dataset.state}: ${c.name}, ${OUTCOMES[o].words}`;
      }
    });
    mapShown = answers.slice();
    const counts = { denied: 0, granted: 0, none: 0 };
    answers.forEach((code) => counts[outcome(code)]++);
    map.setAttribute("aria-label", `Map of the circuits: immunity denied in ${counts.denied}, granted after a ` +
                     `violation in ${counts.granted}, no violation in ${counts.none}`);
    const seq = model.get("seq");
    requestAnimationFrame(() => setTimeout(() => model.send({ painted: seq }), 0));
  }
  function markForum() {
    const forum = model.get("forum");
    for (const c of circuits) rows[c.id].classList.toggle("dsh-forum", c.id === forum);
  }
  let lastOpened = "";
  function toggle(cid) {
    if (cid) lastOpened = cid;
    const now = model.get("selected");
    const next = cid === now ? "" : cid;
    model.set("selected", next);
    model.save_changes();
    if (next) detailBody.textContent = "\u2026";
    showSelected(true);
  }
  function showSelected(focus) {
    const sel = model.get("selected");
    for (const c of circuits) {
      rows[c.id].classList.toggle("dsh-selected", c.id === sel);
      rows[c.id].querySelector("button").setAttribute("aria-expanded", String(c.id === sel));
    }
    detail.hidden = !sel;
    mapBox.hidden = !!sel;
    el.classList.toggle("dsh-proj-detail-open", !!sel);  // projector.css hides the facts beside it
    if (!sel) detailBody.innerHTML = "";
    if (focus && sel) detail.focus();
    if (focus && !sel) {
      const b = document.activeElement;
      if (!b || !root.contains(b) || b === close) rows[lastOpened || circuits[0].id].querySelector("button").focus();
    }
  }
  function showDetail() {
    const sel = model.get("selected");
    if (sel) detailBody.innerHTML = model.get("detail");
  }

  // Project mode: a class on the lab the strip sits in (helpers/static/projector.css draws it), on
  // while the lab is narrower than `compact_below` CSS pixels (so zoom counts), or as the kernel says.
  let lab = null, resized = null, stopped = false;
  function applyMode() {
    if (!lab) return;
    const mode = model.get("project");
    const width = lab.getBoundingClientRect().width;
    lab.classList.toggle("dsh-compact", mode === "on" || (mode === "auto" && width > 0 && width < model.get("compact_below")));
  }
  function findLab() {
    lab = el.closest(".deshaney-circuit-lab");
    if (lab) {
      resized = new ResizeObserver(applyMode);
      resized.observe(lab);
      applyMode();
    } else if (!el.isConnected && !stopped) {
      requestAnimationFrame(findLab);  // not attached yet (attached outside a lab: nothing to do)
    }
  }
  findLab();
  model.on("change:project", applyMode);
  model.on("change:compact_below", applyMode);

  patch();
  markForum();
  showSelected(false);
  showDetail();
  root.querySelector(".dsh-proj-caption").textContent = model.get("caption");
  model.on("change:answers", patch);
  model.on("change:forum", markForum);
  model.on("change:selected", () => showSelected(false));
  model.on("change:detail", showDetail);
  model.on("change:caption", () => { root.querySelector(".dsh-proj-caption").textContent = model.get("caption"); });
  return () => { stopped = true; if (resized) resized.disconnect(); };
}

export default { render };
