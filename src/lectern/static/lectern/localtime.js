// Show each <time data-viewer> in the viewer's own time zone (the page already shows UTC).
(function () {
  "use strict";
  // In the page's language, 24-hour like every other time Lectern writes
  var lang = document.documentElement.lang || undefined;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var day = new Intl.DateTimeFormat(lang, { weekday: "short", day: "numeric", month: "short" });
  var time = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  var named = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short" });
  document.querySelectorAll("[data-viewer-zone]").forEach(function (el) { el.textContent = "(" + zone + ")"; });
  document.querySelectorAll("time[data-viewer]").forEach(function (el) {
    var start = new Date(el.getAttribute("datetime"));
    var endAttr = el.getAttribute("data-end");
    var text = day.format(start) + ", ";
    if (endAttr) {
      var end = new Date(endAttr);
      // A session that ends on another day in the viewer's zone shows both dates
      var sameDay = day.format(end) === day.format(start);
      text += time.format(start) + (sameDay ? "\u2013" : " \u2013 " + day.format(end) + ", ") + named.format(end);
    } else {
      text += named.format(start);
    }
    el.textContent = text;
    el.setAttribute("title", zone);
  });
})();
