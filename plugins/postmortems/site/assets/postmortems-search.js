/* Pagefind search for the postmortems site: the header box (opened with / or s) and the
   search/ page with facets. Everything from the index is shown as text (textContent), never
   parsed as HTML: incident files are untrusted. */
(() => {
  "use strict";

  const BOX_RESULTS = 8;
  const PAGE_RESULTS = 20;
  const EXCERPT_WORDS = 30;
  const NO_SERVER =
    "Search needs the site served over HTTP, not opened as files: run mkdocs serve (make serve " +
    "in the mkdocs-postmortems repository) and open http://127.0.0.1:8000/, or publish the " +
    "site on any web server.";
  const FAILED = "Search could not load its index: ";
  const FRAGMENT_SIGNATURE = "pagefind_dcd";

  let engine = null;
  let engineBusy = Promise.resolve();

  /* Pagefind, loaded once per page (it then fetches only the index chunks a query needs). */
  function loadEngine(bundle) {
    if (engine === null) {
      engine =
        location.protocol === "file:"
          ? Promise.reject(new Error(NO_SERVER))
          : import(bundle).then(async (pagefind) => {
              await pagefind.options({ baseUrl: new URL("../", bundle).pathname });
              return pagefind;
            });
    }
    return engine;
  }

  /* One search at a time, and only the newest one asked for: while the engine works, newer
     keystrokes replace the query waiting its turn instead of queueing behind it. No fixed
     typing pause: an idle engine starts at once. Resolves to null once no longer wanted. */
  async function searchWhenFree(pagefind, query, wanted) {
    for (;;) {
      const busy = engineBusy;
      await busy;
      if (!wanted()) return null;
      if (busy === engineBusy) break;
    }
    const search = pagefind.search(query);
    engineBusy = search.catch(() => undefined);
    return search;
  }

  /* A file of the bundle as text, unpacked when gzipped (unless the server already did). */
  async function fetchText(url) {
    if (location.protocol === "file:") throw new Error(NO_SERVER);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}: ${url}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return new TextDecoder().decode(bytes);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }

  function problem(error) {
    return location.protocol === "file:" ? NO_SERVER : FAILED + error.message;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const words = (text) => String(text || "").split(/\s+/).filter(Boolean);
  const bare = (word) => word.replace(/[.]+$/, "").toLowerCase();

  /* The matching sentence after the title, query words marked: built from the record's plain
     text and Pagefind's word locations, so no HTML from the index is ever parsed. */
  function excerpt(data) {
    const content = words(data.content);
    const title = words(data.meta.title);
    const skip =
      title.length && title.every((word, i) => bare(word) === bare(content[i] || ""))
        ? title.length
        : 0;
    const weights = new Map((data.weighted_locations || []).map((l) => [l.location, l.weight]));
    let best = -1;
    for (const location of data.locations || []) {
      if (location < skip) continue;
      if (best < 0 || (weights.get(location) || 1) > (weights.get(best) || 1)) best = location;
    }
    let start = skip;
    if (best >= 0) {
      start = best;
      while (start > skip && start > best - 12 && !/[.!?]$/.test(content[start - 1])) start--;
    }
    const end = Math.min(content.length, start + EXCERPT_WORDS);
    const marked = new Set(data.locations || []);
    const paragraph = element("p", "pm-search-excerpt");
    if (start > skip && !/[.!?]$/.test(content[start - 1])) paragraph.append("… ");
    for (let i = start; i < end; i++) {
      paragraph.append(marked.has(i) ? element("mark", "", content[i]) : content[i]);
      if (i < end - 1) paragraph.append(" ");
    }
    if (end < content.length) paragraph.append(" …");
    return paragraph;
  }

  /* A result on the search page: an ordinary list item whose link takes the focus. */
  function pageResult(data) {
    const item = result(data);
    item.removeAttribute("role");
    item.querySelector("a").removeAttribute("tabindex");
    return item;
  }

  /* One result: title, then date, severity and services (or "Guide"), then the excerpt. */
  function result(data) {
    const item = element("li", "md-search-result__item");
    item.setAttribute("role", "option");
    const link = element("a", "md-search-result__link");
    link.href = data.url;
    link.tabIndex = -1;
    const article = element("article", "md-search-result__article md-typeset");
    article.append(element("h1", "", data.meta.title || data.url));
    const facts = element("p", "pm-search-facts");
    if (data.meta.kind === "incident") {
      facts.append(element("span", "pm-search-date", data.meta.date));
      const severity = element("span", "pm-badge pm-severity", data.meta.severity);
      severity.classList.add(`pm-${String(data.meta.severity).toLowerCase()}`);
      severity.title = data.meta.severity_label || "";
      facts.append(severity, element("span", "pm-search-services", data.meta.services));
    } else {
      facts.append(element("span", "pm-search-kind", "Guide"));
    }
    article.append(facts, excerpt(data));
    link.append(article);
    item.append(link);
    return item;
  }

  const plural = (count, one, many) => `${count.toLocaleString("en")} ${count === 1 ? one : many}`;

  function isTyping(target) {
    return (
      target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
    );
  }

  /* The header box: Material's markup, driven here. */
  function setUpBox(box) {
    const toggle = document.getElementById("__search");
    const form = box.querySelector(".md-search__form");
    const input = box.querySelector(".md-search__input");
    const list = box.querySelector(".md-search-result__list");
    const meta = box.querySelector(".md-search-result__meta");
    const bundle = new URL(box.dataset.pmBundle, location.href).href;
    const searchPage = new URL(box.dataset.pmSearchPage, location.href);
    let active = -1;
    let serial = 0;

    const items = () => list.querySelectorAll(".md-search-result__item");
    function setActive(index) {
      const all = items();
      active = all.length ? (index + all.length) % all.length : -1;
      all.forEach((item, i) => {
        item.id = `pm-search-option-${i}`;
        item.classList.toggle("pm-active", i === active);
        item.setAttribute("aria-selected", String(i === active));
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", all[active].id);
        all[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function setOpen(open) {
      if (toggle && toggle.checked !== open) {
        toggle.checked = open;
        toggle.dispatchEvent(new Event("change"));
      }
    }
    function pageFor(query) {
      const url = new URL(searchPage);
      if (query) url.searchParams.set("q", query);
      return url.href;
    }

    function appendMore(query, total) {
      const more = element("li", "md-search-result__item pm-search-more");
      more.setAttribute("role", "option");
      const link = element(
        "a",
        "md-search-result__link",
        total > BOX_RESULTS ? `All ${total.toLocaleString("en")} results, with filters →` : "Search with filters →",
      );
      link.href = pageFor(query);
      link.tabIndex = -1;
      more.append(link);
      list.append(more);
    }

    /* Results appear as their records arrive, in rank order: the first one does not wait for
       the eighth. */
    async function run() {
      const query = input.value.trim();
      const mine = ++serial;
      const current = () => mine === serial;
      if (!query) {
        list.replaceChildren();
        meta.textContent = "Type to search incidents and guides";
        input.setAttribute("aria-expanded", "false");
        setActive(-1);
        return;
      }
      try {
        const pagefind = await loadEngine(bundle);
        const search = await searchWhenFree(pagefind, query, current);
        if (search === null || !current()) return;
        const total = search.results.length;
        const records = search.results.slice(0, BOX_RESULTS).map((entry) => entry.data());
        records.forEach((record) => record.catch(() => undefined));
        for (const [i, record] of records.entries()) {
          const data = await record;
          if (!current()) return;
          if (i === 0) {
            list.replaceChildren();
            setActive(-1);
          }
          list.append(result(data));
        }
        if (!records.length) list.replaceChildren();
        meta.textContent = total ? plural(total, "matching page", "matching pages") : "No matching pages";
        appendMore(query, total);
        input.setAttribute("aria-expanded", "true");
      } catch (error) {
        if (current()) meta.textContent = problem(error);
      }
    }

    if (toggle) {
      toggle.addEventListener("change", () => {
        if (toggle.checked) {
          setActive(-1);
          input.focus();
          loadEngine(bundle).catch(() => undefined);
        } else {
          input.blur();
        }
      });
    }
    input.addEventListener("focus", () => setOpen(true));
    input.addEventListener("input", run);
    form.addEventListener("reset", () => setTimeout(() => { run(); input.focus(); }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const all = items();
      const chosen = active >= 0 ? all[active] : all[0];
      location.href = chosen ? chosen.querySelector("a").href : pageFor(input.value.trim());
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        setActive(active + (event.key === "ArrowDown" ? 1 : active < 0 ? 0 : -1));
      } else if (event.key === "Escape") {
        event.preventDefault();
        setOpen(false);
      }
    });
    document.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      if (event.key === "/" || event.key === "s" || event.key === "f") {
        event.preventDefault();
        setOpen(true);
        input.focus();
        input.select();
      }
    });
    meta.textContent =
      location.protocol === "file:" ? NO_SERVER : "Type to search incidents and guides";
  }

  const anySelectedIn = (state) => Object.values(state.selected).some((values) => values.size);

  /* The facet table the build writes next to the index: every incident's page id and facet
     values, newest first. The search page narrows and counts results with it (Pagefind's own
     filters count in time proportional to results x pages: seconds at 10,000 incidents). */
  async function loadFacetTable(url) {
    const table = JSON.parse(await fetchText(url));
    const names = Object.keys(table.facets);
    const rows = table.pages.map(([id, ...values]) => ({
      id,
      values: Object.fromEntries(names.map((name, i) => [name, values[i]])),
    }));
    return { values: table.facets, rows, byId: new Map(rows.map((row) => [row.id, row])) };
  }

  /* A page's record read straight from its fragment file, for lists that need no query. */
  async function loadRecord(bundle, id) {
    const text = await fetchText(new URL(`fragment/${id}.pf_fragment`, bundle));
    const data = JSON.parse(text.slice(text.indexOf(FRAGMENT_SIGNATURE) + FRAGMENT_SIGNATURE.length));
    data.url = new URL(String(data.url).replace(/^\/+/, ""), new URL("../", bundle)).href;
    return data;
  }

  /* The search/ page: query, facets with counts, results; its state lives in the URL. */
  function setUpPage(root) {
    const facets = JSON.parse(root.dataset.pmFacets);
    const bundle = new URL(root.dataset.pmBundle, location.href).href;
    const tableUrl = new URL(root.dataset.pmFacetTable, location.href).href;
    const params = new URLSearchParams(location.search);
    const state = {
      q: params.get("q") || "",
      selected: Object.fromEntries(facets.map((f) => [f.name, new Set(params.getAll(f.name))])),
    };
    let serial = 0;
    let shown = 0;
    let current = [];
    let table = null;
    let searched = { query: null, results: [] };
    const tableLoad = loadFacetTable(tableUrl); /* with the engine, if a query needs it */
    if (state.q.trim()) loadEngine(bundle).catch(() => undefined);

    const form = element("form", "pm-search-form");
    form.setAttribute("role", "search");
    const input = element("input", "pm-search-input");
    Object.assign(input, { type: "search", name: "q", value: state.q, placeholder: "Search incidents" });
    input.setAttribute("aria-label", "Search incidents");
    form.append(input);
    const filters = element("details", "pm-search-filters");
    filters.append(element("summary", "", "Filters"));
    filters.open = !matchMedia("(max-width: 44.9375em)").matches || anySelectedIn(state);
    const aside = element("div", "pm-search-facets");
    filters.append(aside);
    const main = element("div", "pm-search-main");
    const meta = element("p", "pm-search-meta");
    meta.setAttribute("aria-live", "polite");
    const list = element("ol", "pm-search-results");
    const more = element("button", "md-button pm-search-show-more", "Show more");
    more.type = "button";
    more.hidden = true;
    main.append(meta, list, more);
    const layout = element("div", "pm-search-layout");
    layout.append(filters, main);
    root.replaceChildren(form, layout);

    function saveState() {
      const url = new URL(location.href);
      url.search = "";
      if (state.q.trim()) url.searchParams.set("q", state.q.trim());
      for (const facet of facets) {
        for (const value of state.selected[facet.name]) url.searchParams.append(facet.name, value);
      }
      history.replaceState(null, "", url);
    }

    /* The query's results (Pagefind's, best first), or every incident newest first. */
    async function resultsFor(query, wanted) {
      if (searched.query === query) return searched.results;
      let results;
      if (query) {
        const search = await searchWhenFree(await loadEngine(bundle), query, wanted);
        if (search === null) return null;
        results = search.results;
      } else {
        results = table.rows.map((row) => ({ id: row.id, data: () => loadRecord(bundle, row.id) }));
      }
      searched = { query, results };
      return results;
    }

    /* Any selected value matches within a facet, every facet with a selection must match;
       ``except`` leaves one facet out, for that facet's own counts. Pages outside the table
       (guides) match only while nothing is selected. */
    function matcher(except) {
      const active = facets
        .filter((facet) => facet.name !== except && state.selected[facet.name].size)
        .map((facet) => {
          const names = table.values[facet.name] || [];
          return [facet.name, state.selected[facet.name], names];
        });
      return (row) =>
        active.every(([name, chosen, names]) =>
          Boolean(row) && row.values[name].some((index) => chosen.has(names[index])),
        );
    }

    function countValues(results) {
      const counts = {};
      for (const facet of facets) {
        const names = table.values[facet.name] || [];
        const tally = new Array(names.length).fill(0);
        const matches = matcher(facet.name);
        for (const entry of results) {
          const row = table.byId.get(entry.id);
          if (row && matches(row)) for (const index of row.values[facet.name]) tally[index]++;
        }
        counts[facet.name] = Object.fromEntries(names.map((name, i) => [name, tally[i]]));
      }
      return counts;
    }

    function renderFacets(counts) {
      const groups = facets.map((facet) => {
        const group = element("fieldset", "pm-facet");
        group.dataset.facet = facet.name;
        group.append(element("legend", "", facet.label));
        const box = element("div", "pm-facet-values");
        for (const [value, label] of facet.values) {
          const count = (counts[facet.name] || {})[value] || 0;
          const checked = state.selected[facet.name].has(value);
          if (!count && !checked) continue;
          const row = element("label", "pm-facet-value");
          const check = element("input");
          Object.assign(check, { type: "checkbox", name: facet.name, value, checked });
          check.addEventListener("change", () => {
            state.selected[facet.name][check.checked ? "add" : "delete"](value);
            saveState();
            run();
          });
          row.append(check, element("span", "pm-facet-label", label), element("span", "pm-facet-count", count.toLocaleString("en")));
          box.append(row);
        }
        group.append(box);
        return box.childElementCount ? group : null;
      });
      aside.replaceChildren(...groups.filter(Boolean));
    }

    async function showMore(mine) {
      const batch = current.slice(shown, shown + PAGE_RESULTS);
      const found = await Promise.all(batch.map((entry) => entry.data()));
      if (mine !== serial) return;
      list.append(...found.map(pageResult));
      shown += batch.length;
      more.hidden = shown >= current.length;
    }

    async function run() {
      const mine = ++serial;
      const wanted = () => mine === serial;
      try {
        table = await tableLoad;
        const query = state.q.trim();
        const results = await resultsFor(query, wanted);
        if (results === null || !wanted()) return;
        const matches = matcher(null);
        current = results.filter((entry) => matches(table.byId.get(entry.id)));
        shown = 0;
        list.replaceChildren();
        renderFacets(countValues(results));
        const total = current.length;
        const what = query || anySelectedIn(state) ? "" : " (newest first)";
        meta.textContent = total
          ? plural(total, "result", "results") + what
          : "No results: remove a filter or try other words.";
        await showMore(mine);
      } catch (error) {
        if (wanted()) meta.textContent = problem(error);
      }
    }

    input.addEventListener("input", () => {
      state.q = input.value;
      saveState();
      run();
    });
    form.addEventListener("submit", (event) => event.preventDefault());
    more.addEventListener("click", () => showMore(serial));
    run();
  }

  function start() {
    const box = document.querySelector("[data-pm-search-box]");
    if (box) setUpBox(box);
    const page = document.querySelector("[data-pm-facets]");
    if (page) setUpPage(page);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
