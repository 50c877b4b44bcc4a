/* Site search on Gazette's static phrase index (plugins/site_search/index.py describes the files).
   A query is normalised as the index was (plugins/site_search/text.py), split into terms at
   spaces and punctuation, and every term must appear in a document as written: adjacent
   characters, not "all pairs somewhere". A term of one or two characters is looked up
   directly; a longer one is covered by character triples whose positions must line up.
   Results rank title and document-number hits first, then newer documents first, and page
   through all of them. Three round trips after index.json: dictionary shards, the postings
   too long to sit in them, and the titles of one page of results. Status texts come from
   data-* attributes of the status line ({n}, {q}, {page}, {pages} filled in). */
(function () {
  "use strict";
  var JOINERS = /[〔〕[\]【】()\-\/]/g; // text.py JOINERS
  var BREAKS = /[^\p{L}\p{N}]+/gu;
  var WORD = 0x1FFFFF; // index.py WORD: a long identifier indexed whole
  var WORD_RUN = /^[0-9a-z]{12,}$/;
  var MAX_TERMS = 8;
  var MAX_TERM = 64;

  function normalize(text) {
    return text.normalize("NFKC").toLowerCase().replace(JOINERS, "").replace(BREAKS, " ");
  }

  function terms(query) {
    var seen = {};
    return normalize(query).split(" ").filter(function (t) {
      if (!t || seen[t]) return false;
      seen[t] = true;
      return true;
    }).slice(0, MAX_TERMS).map(function (t) {
      return Array.from(t).slice(0, MAX_TERM).map(function (c) { return c.codePointAt(0); });
    });
  }

  // index.py shard_hash
  function shardOf(g, shards) {
    var h = (Math.imul(g[0], 0x9E3779B1) ^ Math.imul(g[1], 0x85EBCA77) ^ Math.imul(g[2], 0xC2B2AE3D)) >>> 0;
    h = (h ^ (h >>> 15)) >>> 0;
    h = Math.imul(h, 0x2C1B3C6D) >>> 0;
    h = (h ^ (h >>> 12)) >>> 0;
    return h & (shards - 1);
  }

  function fnv(cps) {
    var h = 0x811C9DC5;
    cps.forEach(function (c) { h = Math.imul(h ^ c, 0x01000193) >>> 0; });
    return h;
  }

  // The grams that find a term, with their offsets in it: the term itself up to two
  // characters, else triples that cover it. A long identifier is looked up whole first
  // (`whole`), and by its triples where no page has it whole.
  function cover(cps, heavy) {
    var parts = triples(cps, heavy);
    if (WORD_RUN.test(String.fromCodePoint.apply(null, cps))) {
      parts.whole = { gram: [WORD, fnv(cps) & WORD, fnv(cps.slice().reverse()) & WORD], at: 0 };
    }
    return parts;
  }

  // Triples covering every character at the least cost to fetch: each costs its posting's size
  // where index.json lists it as heavy, else about a small dictionary shard.
  function triples(cps, heavy) {
    if (cps.length === 1) return [{ gram: [0, 0, cps[0]], at: 0 }];
    if (cps.length === 2) return [{ gram: [0, cps[0], cps[1]], at: 0 }];
    var last = cps.length - 3, best = [], from = [];
    for (var o = 0; o <= last; o++) {
      var cost = heavy[String.fromCodePoint.apply(null, cps.slice(o, o + 3))] || 3000;
      best[o] = Infinity;
      if (o === 0) best[o] = cost;
      for (var p = Math.max(0, o - 3); p < o; p++) {
        if (best[p] + cost < best[o]) { best[o] = best[p] + cost; from[o] = p; }
      }
    }
    var offsets = [];
    for (var at = last; at !== undefined; at = from[at]) offsets.unshift(at);
    return offsets.map(function (at) { return { gram: cps.slice(at, at + 3), at: at }; });
  }

  function Reader(bytes) { this.b = bytes; this.i = 0; }
  Reader.prototype.next = function () {
    var value = 0, scale = 1, byte;
    do {
      byte = this.b[this.i++];
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    return value;
  };
  Reader.prototype.more = function () { return this.i < this.b.length; };

  // A dictionary shard of another version than index.json: a cached index.json outlived a publish.
  function Stale() {}

  function Index(url, info) { this.url = url; this.info = info; }
  Index.prototype.get = function (path, as) {
    return fetch(this.url + path + "?v=" + this.info.version).then(function (r) {
      if (!r.ok) throw new Error(path + ": " + r.status);
      return as === "json" ? r.json() : r.arrayBuffer().then(function (b) { return new Uint8Array(b); });
    });
  };
  // Each gram's entry ({count, bytes}), or undefined where no document has it.
  Index.prototype.lookup = async function (grams) {
    var self = this, shards = {};
    grams.forEach(function (g) {
      var n = shardOf(g, self.info.shards);
      (shards[n] = shards[n] || []).push(g);
    });
    var found = {};
    await Promise.all(Object.keys(shards).map(async function (n) {
      var wanted = {};
      shards[n].forEach(function (g) { wanted[g.join()] = true; });
      var r = new Reader(await self.get("d/" + n + ".bin"));
      for (; r.i < 8; r.i++) {
        if (r.b[r.i] !== parseInt(self.info.version.substr(2 * r.i, 2), 16)) throw new Stale();
      }
      while (r.more()) {
        var key = [r.next(), r.next(), r.next()].join(), count = r.next(), length = r.next();
        var inline = length <= self.info.inline;
        if (wanted[key]) found[key] = { count: count, length: length, bytes: inline ? r.b.subarray(r.i, r.i + length) : null };
        if (inline) r.i += length;
      }
    }));
    return found;
  };
  // Fetch the postings of these grams that were too long to sit in their dictionary entry.
  Index.prototype.load = function (grams, found) {
    var self = this;
    return Promise.all(grams.map(async function (g) {
      var entry = found[g.join()];
      if (entry && !entry.bytes) entry.bytes = await self.get("p/" + g.map(function (c) { return c.toString(36); }).join("-") + ".bin");
    }));
  };

  // Single characters and pairs: document -> 3 in the title, 2 in a number, 1 in the text.
  function documents(bytes) {
    var r = new Reader(bytes), doc = 0, out = new Map();
    while (r.more()) {
      var v = r.next();
      doc += Math.floor(v / 4);
      out.set(doc, v & 2 ? 3 : v & 1 ? 2 : 1);
    }
    return out;
  }

  // Triples: document -> sorted positions.
  function positions(bytes) {
    var r = new Reader(bytes), doc = 0, out = new Map();
    while (r.more()) {
      doc += r.next();
      var count = r.next(), at = new Array(count), p = 0;
      for (var k = 0; k < count; k++) { p += r.next(); at[k] = p; }
      out.set(doc, at);
    }
    return out;
  }

  function has(sorted, value) {
    var lo = 0, hi = sorted.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (sorted[mid] === value) return true;
      if (sorted[mid] < value) lo = mid + 1; else hi = mid - 1;
    }
    return false;
  }

  // The documents that contain a term, each with its best place (3 title, 2 number, 1 text).
  function match(parts, found, zones) {
    var entries = parts.map(function (part) { return found[part.gram.join()]; });
    if (entries.some(function (e) { return !e; })) return new Map();
    if (parts[0].gram[0] === 0) return documents(entries[0].bytes);
    var lists = entries.map(function (e) { return positions(e.bytes); });
    var out = new Map();
    lists[0].forEach(function (first, doc) {
      var others = lists.map(function (l) { return l.get(doc); });
      if (others.some(function (o) { return !o; })) return;
      var best = 0;
      for (var k = 0; k < first.length && best < 3; k++) {
        var p = first[k];
        if (parts.every(function (part, j) { return has(others[j], p + part.at); })) {
          best = Math.max(best, p < zones[1] ? 3 : p < zones[2] ? 2 : 1);
        }
      }
      if (best) out.set(doc, best);
    });
    return out;
  }

  // Every document with every term, best first: title or number hits, then newer (larger number).
  async function find(index, query) {
    var covers = terms(query).map(function (cps) { return cover(cps, index.info.heavy || {}); });
    if (!covers.length) return [];
    var grams = {};
    covers.forEach(function (parts) {
      parts.concat(parts.whole ? [parts.whole] : []).forEach(function (p) { grams[p.gram.join()] = p.gram; });
    });
    var found = await index.lookup(Object.values(grams));
    covers = covers.map(function (parts) { return parts.whole && found[parts.whole.gram.join()] ? [parts.whole] : parts; });
    // A term with a gram no page has matches nothing, and so does the query: fetch no postings.
    if (covers.some(function (parts) { return parts.some(function (p) { return !found[p.gram.join()]; }); })) return [];
    var needed = {};
    covers.forEach(function (parts) { parts.forEach(function (p) { needed[p.gram.join()] = p.gram; }); });
    await index.load(Object.values(needed), found);
    var scores = null;
    covers.forEach(function (parts) {
      var hits = match(parts, found, index.info.zones);
      if (scores === null) { scores = hits; return; }
      var both = new Map();
      scores.forEach(function (score, doc) { if (hits.has(doc)) both.set(doc, score + hits.get(doc)); });
      scores = both;
    });
    return Array.from(scores.entries()).sort(function (a, b) { return b[1] - a[1] || b[0] - a[0]; })
      .map(function (e) { return e[0]; });
  }

  // The title with the query's words marked.
  function marked(title, words) {
    var span = document.createDocumentFragment(), lower = title.toLowerCase(), i = 0;
    while (i < title.length) {
      var next = -1, size = 0;
      words.forEach(function (w) {
        var at = lower.indexOf(w, i);
        if (at >= 0 && (next < 0 || at < next)) { next = at; size = w.length; }
      });
      if (next < 0) break;
      span.appendChild(document.createTextNode(title.slice(i, next)));
      var mark = document.createElement("mark");
      mark.textContent = title.slice(next, next + size);
      span.appendChild(mark);
      i = next + size;
    }
    span.appendChild(document.createTextNode(title.slice(i)));
    return span;
  }

  function item(row, root, words) {
    var li = document.createElement("li");
    li.className = "gz-list__item gz-results__item";
    var a = document.createElement("a");
    a.className = "gz-list__link gz-results__link";
    a.href = root + row[0];
    a.appendChild(marked(row[1], words));
    var info = document.createElement("span");
    info.className = "gz-list__date";
    info.textContent = [row[2], row[3]].filter(Boolean).join(" · ");
    li.appendChild(a);
    li.appendChild(info);
    if (row[4]) {
      var p = document.createElement("p");
      p.className = "gz-results__desc";
      p.textContent = row[4];
      li.appendChild(p);
    }
    return li;
  }

  function say(status, name, values) {
    return (status.dataset[name] || "").replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? String(values[key]) : all;
    });
  }

  function pager(nav, q, page, pages) {
    nav.replaceChildren();
    nav.hidden = pages < 2;
    [[page - 1, "newer", "prev"], [page + 1, "older", "next"]].forEach(function (link) {
      if (link[0] < 1 || link[0] > pages) return;
      var a = document.createElement("a");
      a.className = "gz-pager__link";
      a.rel = link[2];
      a.href = "?q=" + encodeURIComponent(q) + (link[0] > 1 ? "&page=" + link[0] : "");
      a.textContent = nav.dataset[link[1]];
      nav.appendChild(a);
    });
  }

  async function run() {
    var list = document.getElementById("gz-search-results");
    var status = document.getElementById("gz-search-status");
    var input = document.getElementById("gz-search-q");
    var params = new URLSearchParams(window.location.search);
    var q = (params.get("q") || "").trim();
    input.value = q;
    if (!q) { status.textContent = say(status, "prompt", {}); status.dataset.done = "1"; return; }
    status.textContent = say(status, "busy", {});
    try {
      // The page's own origin, whatever SITEURL says: a preview must not search the live site.
      var url = new URL(list.dataset.index, document.baseURI).pathname;
      var root = new URL(list.dataset.root, document.baseURI).pathname;
      // index.json was asked for while the page loaded (search.html preloads it); if a cached
      // copy is older than the index, ask the server again.
      var index = new Index(url, await (await fetch(url + "index.json")).json());
      var hits;
      try {
        hits = await find(index, q);
      } catch (e) {
        if (!(e instanceof Stale)) throw e;
        index = new Index(url, await (await fetch(url + "index.json", { cache: "reload" })).json());
        hits = await find(index, q);
      }
      var info = index.info;
      var per = Number(list.dataset.perPage) || 20;
      var pages = Math.max(1, Math.ceil(hits.length / per));
      var page = Math.min(Math.max(1, parseInt(params.get("page"), 10) || 1), pages);
      var shown = hits.slice((page - 1) * per, page * per);
      var chunks = {};
      await Promise.all(shown.map(function (doc) { return Math.floor(doc / info.chunk); })
        .filter(function (c, i, all) { return all.indexOf(c) === i; })
        .map(async function (c) { chunks[c] = await index.get("m/" + c + ".json", "json"); }));
      var words = q.toLowerCase().split(/\s+/).filter(Boolean);
      list.start = (page - 1) * per + 1;
      list.replaceChildren.apply(list, shown.map(function (doc) {
        return item(chunks[Math.floor(doc / info.chunk)][doc % info.chunk], root, words);
      }));
      var values = { n: hits.length, q: q, page: page, pages: pages };
      status.textContent = hits.length
        ? say(status, hits.length === 1 ? "foundOne" : "found", values) + (pages > 1 ? say(status, "page", values) : "")
        : say(status, "none", values);
      status.dataset.count = hits.length;
      pager(document.getElementById("gz-search-pager"), q, page, pages);
    } catch (e) {
      status.textContent = say(status, "error", {});
    } finally {
      status.dataset.done = "1"; // for scripts that wait for the answer (bench/phone_search.py)
    }
  }

  window.addEventListener("DOMContentLoaded", run);
})();
