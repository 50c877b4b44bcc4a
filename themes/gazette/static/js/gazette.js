/* Gazette's only script; every page works without it (progressive enhancement).
   1. Remember the age-friendly switch (长者模式) across pages.
   2. Reveal the Web Share and copy-link buttons where the browser supports them. */
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
})();
