// oit serve: progressive enhancement only; every page works without it (no-JS: the progress
// page refreshes itself, the what-if form submits). Written here instead of vendoring htmx:
// no copy of htmx was on the build machine and nothing is loaded from the internet.
(function () {
  "use strict";
  function swap(el, html) {
    var box = document.createElement("div");
    box.innerHTML = html.trim();
    var next = box.firstElementChild;
    if (next) { el.replaceWith(next); }
    return next;
  }
  function poll(el) {
    setTimeout(function () {
      fetch(el.getAttribute("data-poll"), { headers: { "X-Fragment": "1" }, credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var next = swap(el, html);
          if (next && next.hasAttribute("data-done")) { window.location.reload(); }
          else if (next && next.hasAttribute("data-poll")) { poll(next); }
        })
        .catch(function () { poll(el); });  // the server restarting: try again
    }, 1500);
  }
  document.querySelectorAll("[data-poll]").forEach(poll);
  document.querySelectorAll("form[data-whatif]").forEach(function (form) {
    form.addEventListener("change", function () {
      var query = new URLSearchParams(new FormData(form)).toString();
      fetch(form.getAttribute("data-whatif") + "?" + query, { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var box = document.getElementById("whatif-result");
          if (box) { swap(box, html); }
        });
    });
  });
})();
