/* The hub's search (notepress), on its front page: words, filters, or both, over Pagefind's index.
   Pagefind loads only the parts of its index a query needs; the filters' lists are loaded only
   when "Filters" is opened (they are the biggest part of the index at 10,000 insights). Words are
   searched by relevance; filters alone list the insights they choose, newest first. The index is
   in parts (this month's records, then a half-year's each, newest first): the first is the
   primary, the others merged into it. Every address is taken from this page's own, so the hub
   works at any path (an internal host's /hub/ as well as loopback's /). */
(function () {
  // Zensical's theme writes the one palette's radio button aria-hidden yet focusable (axe-core's
  // aria-hidden-focus): out of the tab order, as it is out of sight.
  document.querySelectorAll('input.md-option[aria-hidden="true"]').forEach(function (i) { i.tabIndex = -1; });
  var form = document.getElementById("np-search");
  if (!form) return;
  var root = new URL(form.getAttribute("data-root") || ".", document.baseURI);
  var KEYS = ["theme", "customer", "segment", "source", "product area", "importance", "writer"];
  var PAGE = 10;
  var input = form.querySelector("input[type=search]"), details = form.querySelector(".np-filters");
  var fields = form.querySelector(".np-filter-fields"), count = form.querySelector(".np-count");
  var list = form.querySelector(".np-results"), more = form.querySelector(".np-more");
  var loading = null, results = [], shown = 0, runs = 0, timer = null;
  var asked = new URLSearchParams(window.location.search);  // ?theme=…: a theme page's "All … insights"
  form.hidden = false;

  function pagefind() {  // the index, its parts merged, loaded once on first use
    if (!loading) {
      loading = fetch(new URL("pagefind/bundles.json", root)).then(function (r) { return r.json(); })
        .then(function (parts) {
          var paths = parts.map(function (part) { return new URL("pagefind/" + part, root).pathname; });
          return import(paths[0] + "pagefind.js").then(function (pf) {
            return pf.options({ baseUrl: root.pathname }).then(function () {
              return Promise.all(paths.slice(1).map(function (p) { return pf.mergeIndex(p); }));
            }).then(function () { return pf; });
          });
        });
    }
    return loading;
  }

  function chosen() {
    var filters = {};
    form.querySelectorAll("select").forEach(function (s) { if (s.value) filters[s.name] = [s.value]; });
    return filters;
  }

  function run() {
    var term = input.value.trim(), filters = chosen(), mine = ++runs;
    if (!term && !Object.keys(filters).length) {
      results = []; shown = 0; list.textContent = ""; count.textContent = ""; more.hidden = true;
      return;
    }
    if (!term) filters.type = ["insight"];
    pagefind().then(function (pf) {
      return pf.search(term || null, term ? { filters: filters } : { filters: filters, sort: { date: "desc" } });
    }).then(function (found) {
      if (mine !== runs) return;  // a later query's results are on their way
      results = found.results; shown = 0; list.textContent = "";
      var n = results.length;
      count.textContent = term ? n + (n === 1 ? " result" : " results") + " for \u201c" + term + "\u201d"
        : n + (n === 1 ? " insight" : " insights") + ", newest first";
      show();
    });
  }

  function show() {
    var next = results.slice(shown, shown + PAGE), mine = runs;
    shown += next.length;
    more.hidden = shown >= results.length;
    Promise.all(next.map(function (r) { return r.data(); })).then(function (items) {
      if (mine !== runs) return;
      items.forEach(function (item) {
        var li = document.createElement("li"), a = document.createElement("a"), about = document.createElement("span");
        a.href = item.url;
        a.textContent = item.meta.title;
        about.className = "np-about";
        about.textContent = [item.meta.customer, item.meta.date].filter(Boolean).join(", ");
        li.appendChild(a);
        li.appendChild(about);
        if (input.value.trim() && item.excerpt) {
          var excerpt = document.createElement("p");
          excerpt.innerHTML = item.excerpt;  // Pagefind's: the text escaped, the words found in <mark>
          li.appendChild(excerpt);
        }
        list.appendChild(li);
      });
    });
  }

  function filtersOnce() {  // the filters' lists, when Filters is first opened
    if (details.dataset.loaded) return;
    details.dataset.loaded = "1";
    pagefind().then(function (pf) { return pf.filters(); }).then(function (filters) {
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
  }

  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 150); });
  details.addEventListener("toggle", function () { if (details.open) filtersOnce(); });
  more.addEventListener("click", show);
  if (KEYS.some(function (key) { return asked.get(key); })) details.open = true;
})();
