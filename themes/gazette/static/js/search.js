/* Site search on top of Pagefind's JavaScript API (no third-party UI).
   The index stores Chinese text as overlapping character pairs (plugins/site_search),
   so the query is turned into the same pairs; Pagefind then requires all of them
   (all that some page has: it ignores words it does not know).
   Results show each document's own title, type, date and description.
   The index is split into shards, each a Pagefind bundle; shards.json lists them per
   language. They are merged into the Pagefind loaded from the bundle folder itself, so
   one search ranks and counts the results of all of them. Each language has its own
   search page (/search/, /en/search/…), which searches the shards of its <html lang> only
   and carries its status texts in data-* attributes of the status line. */
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

  // Pagefind's own choice of index: the page's language, its base language, else the largest.
  function pick(languages, lang) {
    if (languages[lang]) return lang;
    if (languages[lang.split("-")[0]]) return lang.split("-")[0];
    return Object.keys(languages).sort(function (a, b) { return languages[b].pages - languages[a].pages; })[0];
  }

  // Pagefind with the page language's shards merged in, each tagged with a "shard" filter
  // so that a search can leave some out (and always leaves out the runtime's placeholder).
  async function open(bundle) {
    var manifest = await (await fetch(bundle + "shards.json", { cache: "no-cache" })).json();
    var key = pick(manifest.languages, (document.documentElement.getAttribute("lang") || "unknown").toLowerCase());
    if (!key) return null;
    var shards = manifest.languages[key].shards;
    var pagefind = await import(new URL(bundle + "pagefind.js", document.baseURI).href);
    // A digest changes with its index, so entry files may come from the HTTP cache.
    await pagefind.options({ metaCacheTag: manifest.runtime });
    // Chinese: "und", since for zh, ja and th Pagefind splits the query with Intl.Segmenter
    // (信息 息公 公开 becomes 信息, 息, 公, 公开), undoing the pairs. Other languages: their own,
    // so that the query is stemmed as the index was (investors finds investor).
    var language = key.split("-")[0] === "zh" ? "und" : key;
    await Promise.all(shards.map(function (shard) {
      return pagefind.mergeIndex(bundle + shard.id + "/",
        { language: language, metaCacheTag: shard.digest, mergeFilter: { shard: shard.id } });
    }));
    return { pagefind: pagefind, shards: shards.map(function (shard) { return shard.id; }) };
  }

  // The words Pagefind looks up: the query's words, lower-cased, without punctuation.
  function words(query) {
    return query.toLowerCase().split(/\s+/).filter(function (w, i, all) {
      return /[\p{L}\p{N}]/u.test(w) && all.indexOf(w) === i;
    });
  }

  // Pagefind ignores a query word its index lacks. One index for the site ignores only words
  // no page has; a shard would also ignore words only other shards have, and return pages
  // without them. So search just the shards that have every word some page of the site has.
  async function find(index, query) {
    var shards = index.shards;
    var terms = words(query);
    if (shards.length > 1 && terms.length > 1) {
      var found = await Promise.all(terms.map(function (term) { return index.pagefind.search(term); }));
      var counts = found.map(function (f) { return f.filters.shard || {}; }).filter(function (perShard) {
        return Object.keys(perShard).some(function (id) { return perShard[id] > 0; });
      });
      shards = shards.filter(function (id) { return counts.every(function (perShard) { return perShard[id] > 0; }); });
      if (!shards.length) return [];
    }
    return (await index.pagefind.search(query, { filters: { shard: { any: shards } } })).results;
  }

  // The page's status text `name` (data-name on the status line), with {n}, {q} and {max} filled in.
  function say(status, name, values) {
    return (status.dataset[name] || "").replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? String(values[key]) : all;
    });
  }

  async function run() {
    var list = document.getElementById("gz-search-results");
    var status = document.getElementById("gz-search-status");
    var input = document.getElementById("gz-search-q");
    var q = (new URLSearchParams(window.location.search).get("q") || "").trim();
    input.value = q;
    if (!q) { status.textContent = say(status, "prompt", {}); return; }
    status.textContent = say(status, "busy", {});
    try {
      // The page's own origin, whatever SITEURL says: Pagefind's worker would otherwise give
      // merged results absolute URLs, and a preview would search the live site.
      var index = await open(new URL(list.dataset.bundle, document.baseURI).pathname);
      var found = index ? await find(index, bigrams(q)) : [];
      var results = await Promise.all(found.slice(0, MAX).map(function (r) { return r.data(); }));
      list.replaceChildren.apply(list, results.map(item));
      var values = { n: found.length, q: q, max: MAX };
      status.textContent = results.length
        ? say(status, found.length === 1 ? "foundOne" : "found", values) + (found.length > MAX ? say(status, "more", values) : "")
        : say(status, "none", values);
    } catch (e) {
      status.textContent = say(status, "error", {});
    }
  }

  window.addEventListener("DOMContentLoaded", run);
})();
