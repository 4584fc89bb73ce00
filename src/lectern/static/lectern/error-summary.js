// After a failed submit, take the keyboard and the screen reader to the list of problems;
// each item links to its field.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
