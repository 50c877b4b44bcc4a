/* Remember the age-friendly switch (长者模式) across pages. The switch itself works
   without this script; this only restores it where the browser allows storage. */
(function () {
  var box = document.getElementById("gz-care");
  if (!box) return;
  var root = document.documentElement;
  function apply() { root.classList.toggle("gz-care-on", box.checked); }
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
})();
