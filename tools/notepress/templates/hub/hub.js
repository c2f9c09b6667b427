/* The hub's search (notepress): Pagefind's UI, with its filters, on the hub's front page. Pagefind
   loads only the parts of its index a query needs. Every address is taken from this page's own,
   so the hub works at any path (an internal host's /hub/ as well as loopback's /). */
(function () {
  var el = document.getElementById("np-search");
  if (!el) return;
  var root = new URL(el.getAttribute("data-root") || ".", document.baseURI);
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = new URL("pagefind/pagefind-ui.css", root).href;
  document.head.appendChild(css);
  var script = document.createElement("script");
  script.src = new URL("pagefind/pagefind-ui.js", root).href;
  script.onload = function () {
    new PagefindUI({
      element: "#np-search", baseUrl: root.pathname, showSubResults: false, showImages: false,
      resetStyles: true, showEmptyFilters: false, openFilters: window.matchMedia("(min-width: 60em)").matches ? ["type", "theme"] : [], pageSize: 10,
      translations: { placeholder: "Search insights, customers, themes, learning" }
    });
  };
  document.head.appendChild(script);
})();
