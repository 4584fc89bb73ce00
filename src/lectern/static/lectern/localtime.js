// Show each <time data-viewer> in the viewer's own time zone (the page already shows UTC).
(function () {
  "use strict";
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var day = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });
  var time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  var named = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
  document.querySelectorAll("[data-viewer-zone]").forEach(function (el) { el.textContent = "(" + zone + ")"; });
  document.querySelectorAll("time[data-viewer]").forEach(function (el) {
    var start = new Date(el.getAttribute("datetime"));
    var endAttr = el.getAttribute("data-end");
    var text = day.format(start) + ", ";
    if (endAttr) {
      text += time.format(start) + "\u2013" + named.format(new Date(endAttr));
    } else {
      text += named.format(start);
    }
    el.textContent = text;
    el.setAttribute("title", zone);
  });
})();
