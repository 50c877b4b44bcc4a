/* Site search on top of Pagefind's JavaScript API (no third-party UI).
   The index stores Chinese text as overlapping character pairs (plugins/site_search),
   so the query is turned into the same pairs; Pagefind then requires all of them.
   Results show each document's own title, type, date and description. */
(function () {
  var CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
  var MAX = 30;

  function bigrams(term) {
    return term.replace(CJK, function (run) {
      if (run.length < 2) return " " + run + " ";
      var pairs = [];
      for (var i = 0; i < run.length - 1; i++) pairs.push(run.slice(i, i + 2));
      return " " + pairs.join(" ") + " ";
    }).replace(/\s+/g, " ").trim();
  }

  function item(data) {
    var meta = data.meta || {};
    var li = document.createElement("li");
    li.className = "gz-list__item gz-results__item";
    var a = document.createElement("a");
    a.className = "gz-list__link gz-results__link";
    a.href = data.url;
    a.textContent = meta.title || data.url;
    var info = document.createElement("span");
    info.className = "gz-list__date";
    info.textContent = [meta.type, meta.date].filter(Boolean).join(" · ");
    li.appendChild(a);
    li.appendChild(info);
    if (meta.description) {
      var p = document.createElement("p");
      p.className = "gz-results__desc";
      p.textContent = meta.description;
      li.appendChild(p);
    }
    return li;
  }

  async function run() {
    var list = document.getElementById("gz-search-results");
    var status = document.getElementById("gz-search-status");
    var input = document.getElementById("gz-search-q");
    var q = (new URLSearchParams(window.location.search).get("q") || "").trim();
    input.value = q;
    if (!q) { status.textContent = "请输入关键词，例如：政府信息公开"; return; }
    status.textContent = "正在搜索……";
    try {
      var pagefind = await import(list.dataset.bundle + "pagefind.js");
      var search = await pagefind.search(bigrams(q));
      var results = await Promise.all(search.results.slice(0, MAX).map(function (r) { return r.data(); }));
      list.replaceChildren.apply(list, results.map(item));
      status.textContent = results.length
        ? "找到 " + search.results.length + " 条与“" + q + "”相关的结果" + (search.results.length > MAX ? "，显示前 " + MAX + " 条" : "")
        : "没有找到与“" + q + "”相关的内容，请换个关键词试试。";
    } catch (e) {
      status.textContent = "搜索暂时不可用，请稍后再试，或通过政府信息公开目录浏览。";
    }
  }

  window.addEventListener("DOMContentLoaded", run);
})();
