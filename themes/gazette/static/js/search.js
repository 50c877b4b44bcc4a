/* Start Pagefind's search UI on the search page. The index stores Chinese text as
   overlapping character pairs (see plugins/site_search), so the query is turned into
   the same pairs; results show each document's own title and description. */
(function () {
  var CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;

  function bigrams(term) {
    return term.replace(CJK, function (run) {
      if (run.length < 2) return " " + run + " ";
      var pairs = [];
      for (var i = 0; i < run.length - 1; i++) pairs.push(run.slice(i, i + 2));
      return " " + pairs.join(" ") + " ";
    }).replace(/\s+/g, " ").trim();
  }

  function escapeHtml(text) {
    return String(text || "").replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  window.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("gz-search");
    if (!el || !window.PagefindUI) return;
    var ui = new window.PagefindUI({
      element: "#gz-search",
      bundlePath: el.dataset.bundle,
      showSubResults: false,
      showImages: false,
      resetStyles: false,
      processTerm: bigrams,
      processResult: function (result) {
        var meta = result.meta || {};
        result.excerpt = escapeHtml([meta.type, meta.date].filter(Boolean).join(" · ") +
          (meta.description ? " — " + meta.description : ""));
        return result;
      },
      translations: { placeholder: "请输入关键词", zero_results: "没有找到与“[SEARCH_TERM]”相关的内容" }
    });
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) ui.triggerSearch(q);
  });
})();
