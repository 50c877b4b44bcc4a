/* Gazette's only script; every page works without it (progressive enhancement).
   1. Remember the age-friendly switch (长者模式) across pages.
   2. Reveal the Web Share and copy-link buttons where the browser supports them.
   3. Filter a table by the selects of its filter form (the data catalogue); without script every row shows. */
(function () {
  var box = document.getElementById("gz-care");
  if (box) {
    var root = document.documentElement;
    var apply = function () { root.classList.toggle("gz-care-on", box.checked); };
    box.addEventListener("change", apply);
    try {
      if (window.localStorage.getItem("gz-care") === "1") box.checked = true;
      box.addEventListener("change", function () {
        window.localStorage.setItem("gz-care", box.checked ? "1" : "0");
      });
    } catch (e) {
      /* storage disabled (private mode): the switch still works on this page */
    }
    apply();
  }

  var share = document.querySelector(".gz-share__native");
  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener("click", function () {
      navigator.share({ title: share.dataset.title, url: share.dataset.url }).catch(function () {});
    });
  }
  var copy = document.querySelector(".gz-share__copy");
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(copy.dataset.url).then(function () {
        copy.textContent = copy.dataset.done;
      });
    });
  }

  var filter = document.querySelector("[data-filter-table]");
  if (filter) {
    var rows = document.querySelectorAll("#" + filter.dataset.filterTable + " tbody tr");
    var selects = filter.querySelectorAll("select");
    var status = filter.querySelector("[role=status]");
    var narrow = function () {
      var shown = 0;
      rows.forEach(function (row) {
        var keep = Array.prototype.every.call(selects, function (select) {
          return !select.value || (row.dataset[select.name] || "").split("|").indexOf(select.value) >= 0;
        });
        row.hidden = !keep;
        shown += keep ? 1 : 0;
      });
      status.textContent = status.dataset.template.replace("N", shown);
    };
    filter.addEventListener("change", narrow);
    filter.addEventListener("submit", function (event) { event.preventDefault(); narrow(); });
    filter.addEventListener("reset", function () { setTimeout(narrow, 0); });
  }
})();
