/* The hub's front page (notepress): search with Pagefind's UI, and "Browse insights", a list of
   insights chosen by filters alone (Pagefind's UI searches only once a word is typed). Pagefind
   loads only the parts of its index a query needs. Every address is taken from this page's own,
   so the hub works at any path (an internal host's /hub/ as well as loopback's /). */
(function () {
  var search = document.getElementById("np-search");
  if (!search) return;
  var root = new URL(search.getAttribute("data-root") || ".", document.baseURI);
  var at = function (path) { return new URL(path, root).href; };
  // The index is in parts (one per half-year, newest first, then the pages'): the first is the
  // primary, the others merged into it.
  fetch(at("pagefind/bundles.json")).then(function (r) { return r.json(); }).then(function (parts) {
    var paths = parts.map(function (part) { return new URL("pagefind/" + part, root).pathname; });
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = paths[0] + "pagefind-ui.css";
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = paths[0] + "pagefind-ui.js";
    script.onload = function () {
      new PagefindUI({
        element: "#np-search", baseUrl: root.pathname, bundlePath: paths[0],
        mergeIndex: paths.slice(1).map(function (p) { return { bundlePath: p }; }),
        showSubResults: false, showImages: false, resetStyles: true, showEmptyFilters: false, pageSize: 10,
        openFilters: window.matchMedia("(min-width: 60em)").matches ? ["type", "theme"] : [],
        translations: { placeholder: "Search insights, customers, themes, learning" }
      });
    };
    document.head.appendChild(script);
  });
  browse(document.getElementById("np-browse"), at, root);
})();

function browse(details, at, root) {
  if (!details) return;
  details.hidden = false;  // it needs JavaScript; nothing of the index is loaded until it is opened
  var asked = new URLSearchParams(window.location.search);  // ?theme=…: a theme page's "All … insights"
  details.addEventListener("toggle", function () {
    if (details.open && !details.dataset.loaded) {
      details.dataset.loaded = "1";
      load(details.querySelector("form"), at, root, asked);
    }
  });
  if (Array.from(asked.keys()).length) details.open = true;
}

function load(form, at, root, asked) {
  var KEYS = ["theme", "customer", "segment", "source", "product area", "importance", "writer"];
  var PAGE = 20;
  var list = form.querySelector(".np-browse-results"), count = form.querySelector(".np-browse-count");
  var more = form.querySelector(".np-browse-more"), pagefind, results = [], shown = 0;
  fetch(at("pagefind/bundles.json")).then(function (r) { return r.json(); }).then(function (parts) {
    var paths = parts.map(function (part) { return new URL("pagefind/" + part, root).pathname; });
    // A module of its own (?browse): the search box's is another, with its own merged parts.
    return import(paths[0] + "pagefind.js?browse").then(function (pf) {
      pagefind = pf;
      return pf.options({ baseUrl: root.pathname }).then(function () {
        return Promise.all(paths.slice(1).map(function (p) { return pf.mergeIndex(p); }));
      }).then(function () { return pf.filters(); });
    });
  }).then(function (filters) {
    var fields = form.querySelector(".np-browse-filters");
    KEYS.forEach(function (key) {
      var values = Object.keys(filters[key] || {}).sort();
      if (!values.length) return;
      var label = document.createElement("label"), select = document.createElement("select");
      label.textContent = key.charAt(0).toUpperCase() + key.slice(1) + " ";
      select.name = key;
      select.appendChild(new Option("any", ""));
      values.forEach(function (v) { select.appendChild(new Option(v + " (" + filters[key][v] + ")", v)); });
      if (asked.get(key) && values.indexOf(asked.get(key)) >= 0) select.value = asked.get(key);
      select.addEventListener("change", run);
      label.appendChild(select);
      fields.appendChild(label);
    });
    run();
  });
  more.addEventListener("click", function () { show(); });
  var runs = 0;
  function run() {
    var chosen = { type: ["insight"] }, mine = ++runs;
    form.querySelectorAll("select").forEach(function (s) { if (s.value) chosen[s.name] = [s.value]; });
    pagefind.search(null, { filters: chosen, sort: { date: "desc" } }).then(function (found) {
      if (mine !== runs) return;  // a later choice's list is on its way
      results = found.results;
      shown = 0;
      list.textContent = "";
      count.textContent = results.length + (results.length === 1 ? " insight" : " insights") + ", newest first";
      show();
    });
  }
  function show() {
    var next = results.slice(shown, shown + PAGE);
    shown += next.length;
    more.hidden = shown >= results.length;
    var mine = runs;
    Promise.all(next.map(function (r) { return r.data(); })).then(function (items) {
      if (mine !== runs) return;
      items.forEach(function (item) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = item.url;
        a.textContent = item.meta.title;
        li.appendChild(a);
        li.appendChild(document.createTextNode(": " + [item.meta.customer, item.meta.date].filter(Boolean).join(", ")));
        list.appendChild(li);
      });
    });
  }
}
