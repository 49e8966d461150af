// The roll (issue 14): show a line's arrival time only for "late" and its leaving time
// only for "left early" (or when it holds a value or an error). Without this script
// both fields stay on the page, labelled; the form is the same.
(function () {
  "use strict";
  var NEEDS = { arrival: "late", leaving: "left_early" };
  function update(line) {
    var checked = line.querySelector("input[type=radio]:checked");
    var status = checked ? checked.value : "";
    Object.keys(NEEDS).forEach(function (key) {
      var box = line.querySelector(".time-" + key);
      if (!box) { return; }
      var input = box.querySelector("input");
      var keep = status === NEEDS[key] || (input && input.value) ||
        box.classList.contains("has-error");
      box.hidden = !keep;
    });
  }
  document.querySelectorAll(".roll-line").forEach(function (line) {
    update(line);
    line.addEventListener("change", function () { update(line); });
  });
})();
